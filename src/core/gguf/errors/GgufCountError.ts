import { GgufFormatError } from './GgufFormatError';

/**
 * A GGUF header announcing more tensors or metadata entries than its file could hold (a corrupt or hostile file):
 * refused before anything is read or allocated for them, since a reader that trusts the counts loops or allocates
 * for 2^62 entries.
 */
export class GgufCountError extends GgufFormatError {
    /** The counts as the header states them. */
    readonly tensorCount: bigint;
    readonly metadataCount: bigint;
    /** The file's size in bytes. */
    readonly fileSize: number;

    constructor(path: string, problem: string, tensorCount: bigint, metadataCount: bigint, fileSize: number) {
        super(path, problem, 8);
        this.name = 'GgufCountError';
        this.tensorCount = tensorCount;
        this.metadataCount = metadataCount;
        this.fileSize = fileSize;
    }
}
