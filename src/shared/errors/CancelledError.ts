/** The user cancelled an operation before it finished (Ctrl-C in the CLI, Cancel on a progress notification). */
export class CancelledError extends Error {
    /** What was cancelled, e.g. `the download of https://example.com/model.gguf`. */
    readonly what: string;

    constructor(what: string) {
        super(`cancelled: ${what} was stopped before it finished`);
        this.name = 'CancelledError';
        this.what = what;
    }
}
