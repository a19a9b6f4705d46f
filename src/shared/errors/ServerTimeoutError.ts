/** An inference server sent nothing for the per-request timeout; the request was aborted. */
export class ServerTimeoutError extends Error {
    readonly url: string;
    readonly seconds: number;

    constructor(url: string, seconds: number) {
        super(`${url} sent nothing for ${seconds} s, so the request was aborted: allow longer with --backend-timeout SECONDS `
            + '(promptscope.backend timeout), or check that the server is not stuck.');
        this.name = 'ServerTimeoutError';
        this.url = url;
        this.seconds = seconds;
    }
}
