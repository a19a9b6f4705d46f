/** No connection to an inference server: refused, reset before a reply, or the name does not resolve. */
export class ServerUnreachableError extends Error {
    readonly url: string;
    /** The system's reason (`ECONNREFUSED`, `ENOTFOUND`, …). */
    readonly reason: string;

    constructor(url: string, reason: string) {
        super(`cannot reach the server at ${url} (${reason}): start it, or check the URL given with --backend or promptscope.backend.`);
        this.name = 'ServerUnreachableError';
        this.url = url;
        this.reason = reason;
    }
}
