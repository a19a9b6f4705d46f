/** A file that is not valid GGUF, or GGUF this reader cannot decode (big-endian, version 1, an unknown type tag…). */
export class GgufFormatError extends Error {
    /** The file being read. */
    readonly path: string;
    /** What is wrong, without the file's name (for messages that name the file their own way). */
    readonly problem: string;
    /** Byte offset in the file where the problem was found, when known. */
    readonly offset: number | undefined;

    constructor(path: string, problem: string, offset?: number) {
        super(`${path} is not a readable GGUF file: ${problem}${offset === undefined ? '' : ` (at byte ${offset})`}`);
        this.name = 'GgufFormatError';
        this.path = path;
        this.problem = problem;
        this.offset = offset;
    }
}
