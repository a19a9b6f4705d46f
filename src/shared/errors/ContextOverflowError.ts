/** The prompt does not fit in the context, so nothing could be generated. */
export class ContextOverflowError extends Error {
    readonly promptTokens: number;
    readonly contextSize: number;

    constructor(promptTokens: number, contextSize: number) {
        super(`The prompt is ${promptTokens} tokens long but the context holds ${contextSize}: `
            + 'shorten the prompt or load the model with a larger context size.');
        this.name = 'ContextOverflowError';
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }
}
