/** An inference server answered with an HTTP error status (after the retries a 429 or 5xx gets). */
export class ServerHttpError extends Error {
    readonly url: string;
    readonly status: number;
    /** The server's own error message, when its body had one (at most 300 characters). */
    readonly serverMessage: string | undefined;
    /** Requests sent, the retries included. */
    readonly attempts: number;

    constructor(url: string, status: number, serverMessage: string | undefined, attempts: number) {
        const hint = status === 401 || status === 403 ? ': check the API key (PROMPTSCOPE_BACKEND_API_KEY)'
            : status === 429 ? ': the server is rate-limiting; lower --concurrency or wait'
            : status >= 500 ? ': the server failed' : '';
        super(`${url} answered HTTP ${status}${attempts > 1 ? ` after ${attempts} attempts` : ''}${serverMessage ? `: ${serverMessage}` : ''}${hint}.`);
        this.name = 'ServerHttpError';
        this.url = url;
        this.status = status;
        this.serverMessage = serverMessage;
        this.attempts = attempts;
    }
}
