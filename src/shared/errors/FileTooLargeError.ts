import { readFileKindNames, type ReadFileKind } from '../limits';

/**
 * A file the project was asked to read is over the size limit for its kind (src/shared/limits.ts): refused before it is
 * read whole, so a committed huge file (or one that keeps growing) cannot exhaust memory or block the editor.
 */
export class FileTooLargeError extends Error {
    /** The file as given. */
    readonly path: string;
    /** What the file is for, e.g. `partial`. */
    readonly kind: ReadFileKind;
    /** Its size in bytes when refused; for a file that grew while read, the bytes read so far (more than {@link limit}). */
    readonly size: number;
    /** The limit for its kind, in bytes. */
    readonly limit: number;

    constructor(path: string, kind: ReadFileKind, size: number, limit: number) {
        super(`Cannot read the ${readFileKindNames[kind]} ${path}: it is ${bytes(size)}, over the ${bytes(limit)} limit for a `
            + `${readFileKindNames[kind]}. Use a smaller file${kind === 'dataset' || kind === 'history' ? ' (split it, or move old lines elsewhere)' : ''}.`);
        this.name = 'FileTooLargeError';
        this.path = path;
        this.kind = kind;
        this.size = size;
        this.limit = limit;
    }
}

/** Exact bytes, with MiB beside them when that is shorter to read. */
function bytes(count: number): string {
    const exact = `${count.toLocaleString('en-US')} bytes`;
    return count < 1024 * 1024 ? exact : `${exact} (${(count / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB)`;
}
