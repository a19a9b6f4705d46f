/** A text the embedding model cannot embed: longer than its context, or a model that computes no embeddings. */
export class EmbeddingError extends Error {
    /** Absolute path of the embedding model. */
    readonly model: string;
    /** What is wrong, e.g. `text 3 is 700 tokens long; the embedding context holds 512`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(model: string, problem: string, fix: string) {
        super(`Cannot embed with ${model}: ${problem}. ${fix}`);
        this.name = 'EmbeddingError';
        this.model = model;
        this.problem = problem;
        this.fix = fix;
    }
}
