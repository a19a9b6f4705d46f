import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The JSONL run history: `.promptscope/runs/YYYY-MM-DD.jsonl` under the working directory, or the file `--out`
 * names (or under the editor's workspace folder). Each record is written with one `appendFileSync` of a whole line, so lines never interleave half-written
 * and a process killed mid-dataset loses at most the run it was in.
 */
export class RunHistory {
    /** The file records go to. */
    readonly path: string;

    /**
     * @param out The history file. Defaults to `.promptscope/runs/<today>.jsonl` under `root`.
     * @param root The folder of the default file (the editor passes the workspace folder). Defaults to the working directory.
     */
    constructor(out?: string, root: string = process.cwd()) {
        this.path = out !== undefined ? resolve(out) : join(root, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
    }

    append(record: Record<string, unknown>): void {
        mkdirSync(dirname(this.path), { recursive: true });
        appendFileSync(this.path, JSON.stringify(record) + '\n');
    }
}
