/** A LoRA adapter that cannot be applied: missing, not an adapter GGUF, or built for another model. */
export class LoraAdapterError extends Error {
    readonly path: string;
    readonly problem: string;

    constructor(path: string, problem: string) {
        super(`Cannot apply LoRA adapter ${path}: ${problem}.`);
        this.name = 'LoraAdapterError';
        this.path = path;
        this.problem = problem;
    }
}
