// Large numeric results (attention maps: 12 layers × 12 heads × 256·257/2 floats = 19 MB) cross from the runtime host to
// the client through a file in shared memory instead of the IPC pipe: the pipe took ~95 ms for one 256-token map on
// the 100m fixture (a third of the prefill it describes), a tmpfs write plus read about a third of that.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlink, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Typed arrays from this size (bytes) on travel as files. */
export const bulkThresholdBytes = 1 << 20;

/** What replaces a large Float32Array in a result: the file holding its bytes. */
export interface BulkFileRef {
    $bulkFile: string;
    length: number;
}

function isBulkFileRef(value: unknown): value is BulkFileRef {
    return typeof value === 'object' && value !== null && typeof (value as BulkFileRef).$bulkFile === 'string'
        && typeof (value as BulkFileRef).length === 'number';
}

/** Shared memory where there is some (Linux), else the temporary folder. */
function bulkRoot(): string {
    return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

function folderPrefix(pid: number): string {
    return `promptscope-host-${pid}-`;
}

/**
 * The host side: {@link pack} moves a result's large Float32Arrays into files of one folder per host process, which
 * the client removes as it reads them; the folder goes when the process exits (or, after a crash, with
 * {@link removeBulkFolders} from the client).
 */
export class BulkWriter {
    private folder: string | undefined;
    private next = 0;

    constructor(private readonly pid = process.pid) {}

    /** `result` with every top-level Float32Array of {@link bulkThresholdBytes} or more replaced by a {@link BulkFileRef}. */
    pack<T>(result: T): T {
        if (typeof result !== 'object' || result === null || Array.isArray(result)) return result;
        let packed: Record<string, unknown> | undefined;
        for (const [key, value] of Object.entries(result)) {
            if (!(value instanceof Float32Array) || value.byteLength < bulkThresholdBytes) continue;
            const ref = this.write(value);
            if (!ref) continue;
            packed ??= { ...(result as Record<string, unknown>) };
            packed[key] = ref;
        }
        return (packed ?? result) as T;
    }

    /** Removes the folder and whatever the client has not read. */
    dispose(): void {
        if (this.folder) rmSync(this.folder, { recursive: true, force: true });
        this.folder = undefined;
    }

    private write(array: Float32Array): BulkFileRef | undefined {
        try {
            this.folder ??= mkdtempSync(join(bulkRoot(), folderPrefix(this.pid)));
            const file = join(this.folder, `${this.next++}.f32`);
            writeFileSync(file, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
            return { $bulkFile: file, length: array.length };
        } catch {
            // No room in shared memory or the temporary folder: the IPC pipe still works, only slower.
            return undefined;
        }
    }
}

/** The client side: `result` with every {@link BulkFileRef} read back into its Float32Array (and its file removed). */
export function unpackBulk<T>(result: T): T {
    if (typeof result !== 'object' || result === null || Array.isArray(result)) return result;
    let unpacked: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(result)) {
        if (!isBulkFileRef(value)) continue;
        const bytes = readFileSync(value.$bulkFile);
        // Freeing the tmpfs pages of a 38 MB file took ~6 ms: off the caller's path. A failure leaves it to the host's
        // folder cleanup at exit.
        unlink(value.$bulkFile, () => undefined);
        if (bytes.byteLength !== value.length * 4) {
            throw new Error(`${value.$bulkFile} holds ${bytes.byteLength} bytes, not the ${value.length} floats the runtime host wrote`);
        }
        // readFileSync gives a Buffer of its own ArrayBuffer at this size; copy only if it is not 4-byte aligned.
        const array = bytes.byteOffset % 4 === 0
            ? new Float32Array(bytes.buffer, bytes.byteOffset, value.length)
            : new Float32Array(new Uint8Array(bytes).buffer);
        unpacked ??= { ...(result as Record<string, unknown>) };
        unpacked[key] = array;
    }
    return (unpacked ?? result) as T;
}

/** Removes what a host process that is gone (killed before it could clean up) left in shared memory. */
export function removeBulkFolders(pid: number): void {
    const root = bulkRoot();
    try {
        for (const name of readdirSync(root)) {
            if (name.startsWith(folderPrefix(pid))) rmSync(join(root, name), { recursive: true, force: true });
        }
    } catch {
        // Nothing to clean, or not ours to read.
    }
}
