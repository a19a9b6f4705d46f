/** A request that needs a model arrived while none is loaded. */
export class NoModelLoadedError extends Error {
    constructor(message = 'No model is loaded: load one first (setting promptscope.model, or --model on the command line).') {
        super(message);
        this.name = 'NoModelLoadedError';
    }
}
