import { readFileKindNames, type ReadFileKind } from '../limits';

/**
 * A text file the project was asked to read is not valid UTF-8 (a Latin-1 or Windows-1252 file, UTF-16, binary data):
 * refused rather than decoded with U+FFFD in place of each bad byte, which would send the model text the user never
 * wrote without a word.
 */
export class InvalidUtf8Error extends Error {
    /** The file as given. */
    readonly path: string;
    /** What the file is for, e.g. `prompt`. */
    readonly kind: ReadFileKind;
    /** Offset of the first byte that is not valid UTF-8 (0-based). */
    readonly offset: number;
    /** The line it is on (1-based). */
    readonly line: number;
    /** That byte's value. */
    readonly byte: number;

    constructor(path: string, kind: ReadFileKind, offset: number, line: number, byte: number, likely: string | undefined) {
        const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        super(`Cannot read the ${readFileKindNames[kind]} ${path}: it is not valid UTF-8 (byte ${hex} at offset ${offset}, line ${line})`
            + `${likely === undefined ? '' : `; it looks like ${likely}`}. Save it as UTF-8.`);
        this.name = 'InvalidUtf8Error';
        this.path = path;
        this.kind = kind;
        this.offset = offset;
        this.line = line;
        this.byte = byte;
    }
}
