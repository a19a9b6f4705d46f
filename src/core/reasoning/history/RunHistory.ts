import { dirname, join, resolve } from 'node:path';
import { appendLine, checkWritable, writeFailure } from '../../files';
import type { FileWriteError } from '../../../shared/errors/FileWriteError';
import type { UnsafePathError } from '../../../shared/errors/UnsafePathError';

/**
 * The JSONL run history: `.promptscope/runs/YYYY-MM-DD.jsonl` under the working directory (or the editor's workspace
 * folder), or the file `--out` names. Each record is one whole line (see core/files' `appendLine`: one write call, a
 * torn last line left by a full disk or a kill is never continued), so lines never interleave half-written and a
 * process killed mid-dataset loses at most the run it was in.
 *
 * The default file is written only inside `root`, through real folders: a workspace that commits `.promptscope` or a
 * day's file as a symbolic link (to `~/.bashrc`, say) gets a refusal, not an append. A file `--out` names may lie
 * anywhere, but is still never a link, a directory, FIFO or device.
 *
 * Recording never throws: a history that cannot be written must not hide the result it records. The first failure is
 * kept in {@link failure}, later records are counted in {@link unwritten} and not attempted (a full disk stays full);
 * the caller shows the result first, then the failure as a warning.
 */
export class RunHistory {
    /** The file records go to. */
    readonly path: string;
    /** Whether the file was named by the user (`--out`): its failure is an error, not just a warning. */
    readonly named: boolean;
    /** The folder the file must stay inside. */
    private readonly root: string;
    private firstFailure: UnsafePathError | FileWriteError | undefined;
    private skipped = 0;
    private written = 0;

    /**
     * @param out The history file. Defaults to `.promptscope/runs/<today>.jsonl` under `root`.
     * @param root The folder of the default file (the editor passes the workspace folder). Defaults to the working directory.
     */
    constructor(out?: string, root: string = process.cwd()) {
        this.named = out !== undefined;
        this.path = out !== undefined ? resolve(out) : join(root, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
        this.root = out !== undefined ? dirname(this.path) : resolve(root);
    }

    /** Why records were not written (the first failure, naming the file); undefined while all were. */
    get failure(): UnsafePathError | FileWriteError | undefined {
        return this.firstFailure;
    }

    /** Records not written because of {@link failure}, the failed one included. */
    get unwritten(): number {
        return this.skipped;
    }

    /** Records written so far. */
    get recorded(): number {
        return this.written;
    }

    /**
     * Checks, before a run, that the file can be written (safe target, writable file or folder); throws the
     * UnsafePathError or FileWriteError that appending would give. For a file the user named, so a mistake is reported
     * before a generation rather than after it.
     */
    check(): void {
        checkWritable(this.path, { root: this.root });
    }

    /** Appends one record as a line; returns whether it was written (see {@link failure} when not). Never throws. */
    append(record: Record<string, unknown>): boolean {
        if (this.firstFailure !== undefined) {
            this.skipped++;
            return false;
        }
        try {
            appendLine(this.path, JSON.stringify(record), { root: this.root });
            this.written++;
            return true;
        } catch (error) {
            this.firstFailure = writeFailure(error, this.path);
            this.skipped++;
            return false;
        }
    }

    /** What the failure cost, e.g. `the run was not recorded`, `2 of 5 runs were not recorded`; undefined when nothing was lost. */
    describeLoss(): string | undefined {
        if (this.firstFailure === undefined) return undefined;
        return this.skipped === 1 && this.written === 0 ? 'the run was not recorded' : `${this.skipped} of ${this.skipped + this.written} runs were not recorded`;
    }

    /**
     * The failure as a sentence for a warning, after the result was shown: what was not recorded and why (the error
     * names the file). Undefined when everything was written.
     */
    describeFailure(): string | undefined {
        const loss = this.describeLoss();
        return loss === undefined ? undefined : `run history: ${loss}: ${this.firstFailure!.message}`;
    }
}
