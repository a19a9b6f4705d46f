/** A streamed reply ended before the server said it was finished (the server stopped or the connection dropped). */
export class ServerStreamError extends Error {
    readonly url: string;
    /** The text streamed before the stream broke: kept, so nothing already shown is lost. */
    readonly partialText: string;

    constructor(url: string, partialText: string, reason: string) {
        super(`the stream from ${url} ended before the reply was finished (${reason}) after ${partialText.length} characters; the server may have stopped.`);
        this.name = 'ServerStreamError';
        this.url = url;
        this.partialText = partialText;
    }
}
