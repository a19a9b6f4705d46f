/** An `hf:` (or URL) model could not be resolved or downloaded, e.g. offline. */
export class ModelDownloadError extends Error {
    readonly uri: string;
    readonly reason: string;

    constructor(uri: string, reason: string) {
        super(`Could not download the model ${uri}: ${reason}. `
            + 'To use a model already on disk, set promptscope.model (or pass --model) to the path of a local .gguf file.');
        this.name = 'ModelDownloadError';
        this.uri = uri;
        this.reason = reason;
    }
}
