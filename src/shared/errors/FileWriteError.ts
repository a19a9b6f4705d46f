/**
 * A file the project writes could not be written for a reason of the system's: no permission, a read-only file
 * system, a full disk or quota, a file size limit. `code` is the system's (`EACCES`, `ENOSPC`, …) for callers that
 * decide by it; the message names the path, says why in words and what to do.
 */
export class FileWriteError extends Error {
    /** The file that was being written. */
    readonly path: string;
    /** The system's error code, e.g. `ENOSPC`; `EIO` when the system gave none. */
    readonly code: string;
    /** What went wrong, e.g. `the disk is full (ENOSPC)`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(path: string, code: string, problem: string, fix: string) {
        super(`Cannot write ${path}: ${problem}. ${fix}`);
        this.name = 'FileWriteError';
        this.path = path;
        this.code = code;
        this.problem = problem;
        this.fix = fix;
    }
}
