/**
 * A file the project was about to write that it refuses to touch: a symbolic link (the file itself or a folder on the
 * way to it), not a regular file (a directory, FIFO, device or socket), or outside the folder it belongs in. A
 * workspace can commit any of these (`.promptscope/runs/<date>.jsonl` as a link to `~/.bashrc`), so following them
 * would let a repository choose what the user's machine overwrites.
 */
export class UnsafePathError extends Error {
    /** The path as the project meant to write it. */
    readonly path: string;
    /** What is wrong with it, e.g. `it is a symbolic link (to /home/me/.bashrc)`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(path: string, problem: string, fix: string) {
        super(`Refusing to write ${path}: ${problem}. ${fix}`);
        this.name = 'UnsafePathError';
        this.path = path;
        this.problem = problem;
        this.fix = fix;
    }
}
