/** A retrieval index that cannot be used: missing, written by another format version, or damaged. */
export class RetrievalIndexError extends Error {
    /** The index folder. */
    readonly index: string;
    /** What is wrong, e.g. `vectors.f32 holds 1000 bytes; the manifest promises 4096`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(index: string, problem: string, fix: string) {
        super(`Cannot use the retrieval index ${index}: ${problem}. ${fix}`);
        this.name = 'RetrievalIndexError';
        this.index = index;
        this.problem = problem;
        this.fix = fix;
    }
}
