import type { FileHandle } from 'node:fs/promises';
import { GgufFormatError } from './errors/GgufFormatError';

const READ_AHEAD = 256 * 1024;

/**
 * Sequential little-endian reads from a file through a read-ahead window, so parsing a header costs a few
 * reads of 256 KiB however large the tensor data behind it is.
 */
export class FileCursor {
    private window = new Uint8Array(0);
    private view = new DataView(this.window.buffer);
    private windowStart = 0;
    private readonly decoder = new TextDecoder('utf-8', { fatal: true });
    position = 0;

    constructor(
        private readonly file: FileHandle,
        private readonly path: string,
        /** Size of the file, to reject lengths that run past its end before allocating for them. */
        readonly fileSize: number,
    ) {}

    get remaining(): number {
        return this.fileSize - this.position;
    }

    async u8(): Promise<number> { return (await this.take(1)).getUint8(0); }
    async i8(): Promise<number> { return (await this.take(1)).getInt8(0); }
    async u16(): Promise<number> { return (await this.take(2)).getUint16(0, true); }
    async i16(): Promise<number> { return (await this.take(2)).getInt16(0, true); }
    async u32(): Promise<number> { return (await this.take(4)).getUint32(0, true); }
    async i32(): Promise<number> { return (await this.take(4)).getInt32(0, true); }
    async f32(): Promise<number> { return (await this.take(4)).getFloat32(0, true); }
    async f64(): Promise<number> { return (await this.take(8)).getFloat64(0, true); }
    async u64(): Promise<bigint> { return (await this.take(8)).getBigUint64(0, true); }
    async i64(): Promise<bigint> { return (await this.take(8)).getBigInt64(0, true); }

    /** A uint64 that must fit a JS number and `limit` (e.g. the bytes left), else the file is corrupt. */
    async count(what: string, limit: number): Promise<number> {
        const at = this.position;
        const value = await this.u64();
        if (value > BigInt(limit)) throw new GgufFormatError(this.path, `${what} is ${value}, more than the file can hold`, at);
        return Number(value);
    }

    async string(): Promise<string> {
        const at = this.position;
        const length = await this.count('a string length', this.remaining);
        const view = await this.take(length);
        try {
            return this.decoder.decode(new Uint8Array(view.buffer, view.byteOffset, length));
        } catch {
            throw new GgufFormatError(this.path, 'a string is not valid UTF-8', at);
        }
    }

    fail(problem: string, at = this.position): never {
        throw new GgufFormatError(this.path, problem, at);
    }

    /** Returns a view of the next `length` bytes and advances past them. */
    private async take(length: number): Promise<DataView> {
        if (length > this.remaining) this.fail(`the file ends early (needs ${length} more bytes, ${this.remaining} left)`);
        const end = this.position + length;
        if (this.position < this.windowStart || end > this.windowStart + this.window.length) await this.fill(length);
        const offset = this.position - this.windowStart;
        this.position = end;
        return new DataView(this.view.buffer, this.view.byteOffset + offset, length);
    }

    private async fill(length: number): Promise<void> {
        const size = Math.min(Math.max(length, READ_AHEAD), this.remaining);
        const window = new Uint8Array(size);
        const { bytesRead } = await this.file.read(window, 0, size, this.position);
        if (bytesRead < length) this.fail('the file ends early');
        this.window = window.subarray(0, bytesRead);
        this.view = new DataView(this.window.buffer, 0, bytesRead);
        this.windowStart = this.position;
    }
}
