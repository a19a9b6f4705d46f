/**
 * A runtime result holding a number that is not finite (NaN or ±Infinity: a probability, a log-probability, a score,
 * an attention weight): the model's arithmetic overflowed, e.g. under a huge LoRA scale or a broken model file. Such
 * a result is refused as a whole rather than shown or written to the run history as numbers nobody can use.
 */
export class NonFiniteResultError extends RangeError {
    /** The runtime request, e.g. `tokenProbabilities`. */
    readonly request: string;
    /** Where in the result the first such value is, e.g. `tokens[3].top[0].logprob`. */
    readonly field: string;
    /** The value, as text (`NaN`, `Infinity`, `-Infinity`). */
    readonly value: string;

    constructor(request: string, field: string, value: number) {
        super(`The model computed ${String(value)} for ${field} in its ${request} result: its arithmetic overflowed. `
            + 'Check the LoRA adapters\' scales and the model file; nothing of this result is shown.');
        this.name = 'NonFiniteResultError';
        this.request = request;
        this.field = field;
        this.value = String(value);
    }
}
