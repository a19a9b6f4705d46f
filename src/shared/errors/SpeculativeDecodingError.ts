/** A request for speculative decoding that cannot be served as asked: a draft model that does not fit, or a path without it. */
export class SpeculativeDecodingError extends Error {
    /** What is wrong, e.g. `the draft model's vocabulary (2808 tokens) is not the model's (2402)`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(problem: string, fix: string) {
        super(`Speculative decoding: ${problem}. ${fix}`);
        this.name = 'SpeculativeDecodingError';
        this.problem = problem;
        this.fix = fix;
    }
}
