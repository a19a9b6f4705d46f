import { ModelDownloadError } from './ModelDownloadError';

/** The server a model is downloaded from accepted the connection but sent nothing for `seconds` (before or mid-body). */
export class ModelDownloadTimeoutError extends ModelDownloadError {
    /** The address that went silent: the model's URL, or the Hugging Face endpoint for an `hf:` URI. */
    readonly url: string;
    readonly seconds: number;

    constructor(uri: string, url: string, seconds: number) {
        super(uri, `${url === uri ? 'the server' : url} sent nothing for ${seconds} s (allow it longer with promptscope.runtime.responseTimeoutSeconds, or --runtime-timeout SECONDS)`);
        this.name = 'ModelDownloadTimeoutError';
        this.url = url;
        this.seconds = seconds;
    }
}
