import { readFileKindNames, type ReadFileKind } from '../limits';

/**
 * A path the project was asked to read is not a regular file: a folder, a FIFO, a character or block device (such as
 * `/dev/zero`) or a socket, possibly through a symbolic link. Refused before it is opened: reading a FIFO blocks until
 * someone writes to it, and a device can be endless.
 */
export class NotARegularFileError extends Error {
    /** The path as given. */
    readonly path: string;
    /** What the file is for, e.g. `partial`. */
    readonly kind: ReadFileKind;
    /** What the path is instead, e.g. `a character device (through the symbolic link to /dev/zero)`. */
    readonly actual: string;

    constructor(path: string, kind: ReadFileKind, actual: string) {
        super(`Cannot read the ${readFileKindNames[kind]} ${path}: it is ${actual}, not a regular file. Replace it with a plain text file.`);
        this.name = 'NotARegularFileError';
        this.path = path;
        this.kind = kind;
        this.actual = actual;
    }
}
