/** An inference server's reply was not what the OpenAI API specifies (not JSON, or a field missing or of the wrong type). */
export class ServerResponseError extends Error {
    readonly url: string;
    readonly detail: string;

    constructor(url: string, detail: string) {
        super(`${url} sent a reply that is not an OpenAI-compatible response: ${detail}.`);
        this.name = 'ServerResponseError';
        this.url = url;
        this.detail = detail;
    }
}
