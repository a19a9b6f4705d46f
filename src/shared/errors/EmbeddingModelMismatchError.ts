/**
 * An index built with one embedding model, used with another (or with its file since changed): vectors of two models
 * live in unrelated spaces, so their similarities mean nothing.
 */
export class EmbeddingModelMismatchError extends Error {
    /** The index folder. */
    readonly index: string;
    /** The model the index was built with, as its manifest records it. */
    readonly indexModel: string;
    /** The model asked for now. */
    readonly model: string;
    /** Why they differ, e.g. `another file` or `the file changed size (1024 → 2048 bytes)`. */
    readonly reason: string;

    constructor(index: string, indexModel: string, model: string, reason: string) {
        super(`The retrieval index ${index} was built with the embedding model ${indexModel}; ${model} is ${reason}. `
            + 'Rebuild the index with this model (promptscope index DIR --model M --out INDEX --rebuild), or use the model it was built with.');
        this.name = 'EmbeddingModelMismatchError';
        this.index = index;
        this.indexModel = indexModel;
        this.model = model;
        this.reason = reason;
    }
}
