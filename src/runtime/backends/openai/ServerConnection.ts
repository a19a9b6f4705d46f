import pLimit, { type LimitFunction } from 'p-limit';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CancelledError } from '../../../shared/errors/CancelledError';
import { ServerHttpError } from '../../../shared/errors/ServerHttpError';
import { ServerResponseError } from '../../../shared/errors/ServerResponseError';
import { ServerStreamError } from '../../../shared/errors/ServerStreamError';
import { ServerTimeoutError } from '../../../shared/errors/ServerTimeoutError';
import { ServerUnreachableError } from '../../../shared/errors/ServerUnreachableError';

export interface ServerConnectionOptions {
    /** Base URLs of the servers (`http://host:8080` or `…/v1`); requests go to them in turn (round-robin). At least one. */
    urls: string[];
    /** Sent as `Authorization: Bearer …`. Defaults to none. */
    apiKey?: string;
    /** Extra headers on every request (a gateway's routing or tenant header). Defaults to none. */
    headers?: Record<string, string>;
    /** Seconds a request may receive nothing (no header, no streamed byte) before it is aborted. Defaults to 120. */
    timeoutSeconds?: number;
    /** Retries of a request answered 429 or 5xx (or, with several URLs, not connected), with exponential backoff. Defaults to 4. */
    retries?: number;
    /** The first retry's wait in ms, doubled for each further one (a 429's `Retry-After` is honoured up to 30 s). Defaults to 500. */
    retryBaseMs?: number;
    /** Requests in flight at once over all URLs. Defaults to 1 until {@link ServerConnection.setConcurrency} raises it. */
    concurrency?: number;
}

/** Why a request ended before its reply: the caller's signal, or the timeout. */
type Abort = { kind: 'caller' } | { kind: 'timeout' };

/** One streamed Server-Sent Event's data, parsed as JSON; `[DONE]` ends the stream and is not passed on. */
export type StreamEvent = Record<string, unknown>;

/**
 * HTTP to one or more OpenAI-compatible servers over Node's built-in fetch (undici): round-robin over the base URLs,
 * a concurrency limit (p-limit) shared by every request, retries with backoff on 429 and 5xx, a per-request idle
 * timeout, and cancellation that aborts requests in flight. Errors are typed (ServerUnreachableError, ServerHttpError,
 * ServerTimeoutError, ServerResponseError, ServerStreamError, CancelledError).
 */
export class ServerConnection {
    readonly urls: string[];
    private readonly limit: LimitFunction;
    private next = 0;
    /** Open requests' controllers, aborted by {@link close}. */
    private readonly open = new Set<AbortController>();

    constructor(private readonly options: ServerConnectionOptions) {
        if (options.urls.length === 0) throw new RangeError('a server connection needs at least one base URL');
        this.urls = options.urls.map(normalizeBaseUrl);
        this.limit = pLimit(Math.max(1, options.concurrency ?? 1));
    }

    /** Requests in flight at once. */
    get concurrency(): number {
        return this.limit.concurrency;
    }

    setConcurrency(value: number): void {
        this.limit.concurrency = Math.max(1, Math.floor(value));
    }

    /** GET `path` from one given base URL (discovery: `/v1/models`, `/props`), outside the limiter; undefined for a 404. */
    async getJson(url: string, path: string, signal?: AbortSignal): Promise<unknown> {
        return this.attempt(url, path, undefined, signal, async (_url, response) => readJson(url, response), { retries: 0, missing: 'undefined' });
    }

    /** POST `body` to `path` and parse the JSON reply. */
    postJson(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
        return this.limit(() => this.withRetries(path, body, signal, (url, response) => readJson(url, response)));
    }

    /**
     * POST `body` (with `stream: true`) and hand each event to `onEvent` as it arrives. Resolves when the server sends
     * `[DONE]` or ends the stream after a final event; `finished(event)` says which event finishes the reply, so a
     * stream that breaks before it raises a ServerStreamError. A caller's abort resolves early (returns `'aborted'`).
     */
    postStream(path: string, body: unknown, signal: AbortSignal | undefined, onEvent: (event: StreamEvent) => void, finished: () => boolean, partialText: () => string): Promise<'done' | 'aborted'> {
        return this.limit(() => this.withRetries(path, body, signal, async (url, response, reset) => {
            if (!response.body) throw new ServerResponseError(url, 'a streamed reply without a body');
            const parsed: StreamEvent[] = [];
            let done = false;
            let malformed: string | undefined;
            const parser = createParser({
                onEvent(message: EventSourceMessage) {
                    if (message.data === '[DONE]') { done = true; return; }
                    try {
                        const value: unknown = JSON.parse(message.data);
                        if (value === null || typeof value !== 'object') throw new Error('not an object');
                        parsed.push(value as StreamEvent);
                    } catch {
                        malformed ??= `a streamed event that is not a JSON object: ${JSON.stringify(message.data.slice(0, 120))}`;
                    }
                },
            });
            const decoder = new TextDecoder();
            const reader = response.body.getReader();
            try {
                for (;;) {
                    const { value, done: ended } = await reader.read();
                    if (ended) break;
                    reset();
                    parser.feed(decoder.decode(value, { stream: true }));
                    for (const event of parsed.splice(0)) {
                        if (typeof event.error === 'object' && event.error !== null) {
                            throw new ServerHttpError(url, response.status, errorMessage(event), 1);
                        }
                        onEvent(event);
                    }
                    if (malformed) throw new ServerResponseError(url, malformed);
                    if (done) {
                        // Whatever follows [DONE] is not waited for (a proxy may hold the connection open).
                        await reader.cancel().catch(() => {});
                        break;
                    }
                }
            } catch (error) {
                if (error instanceof ServerHttpError || error instanceof ServerResponseError || isAbort(error)) throw error;
                throw new ServerStreamError(url, partialText(), describeCause(error));
            } finally {
                reader.releaseLock();
            }
            if (!done && !finished()) throw new ServerStreamError(url, partialText(), 'the connection closed without a final event');
            return 'done' as const;
        }, { streaming: true })).catch((error: unknown) => {
            if (error instanceof CancelledError) return 'aborted' as const;
            throw error;
        });
    }

    /** Aborts every request in flight; later requests still work. */
    close(): void {
        for (const controller of this.open) controller.abort();
        this.open.clear();
    }

    private async withRetries<T>(
        path: string, body: unknown, signal: AbortSignal | undefined,
        read: (url: string, response: Response, reset: () => void) => Promise<T>, options: { streaming?: boolean } = {},
    ): Promise<T> {
        const retries = this.options.retries ?? 4;
        let attempts = 0;
        const tried = new Set<string>();
        // One immediate resend per connection the pool may hold: each may be one the server closed.
        let staleRetries = this.limit.concurrency + 1;
        for (;;) {
            const url = this.urls[this.next++ % this.urls.length]!;
            attempts++;
            try {
                return await this.attempt(url, path, body, signal, read, { retries: retries - attempts + 1, attempts, ...options }) as T;
            } catch (error) {
                // A kept-alive connection the server closed as the request went out (cpp-httplib closes idle ones, and a
                // restarted server on the same port leaves the pool's connections dead): the request never reached it,
                // so it is sent again at once. Every generation carries its seed, so a
                // repeat is the same request.
                const stale = error instanceof ServerUnreachableError && staleSocketCodes.has(error.reason) && staleRetries-- > 0;
                const retry = stale ? 0
                    : error instanceof RetryableStatus ? error.waitMs ?? backoff(this.options.retryBaseMs ?? 500, attempts)
                    // Not connected: another URL may be up (each tried once); one server down is reported at once.
                    : error instanceof ServerUnreachableError && this.urls.length > 1 && !tried.has(url) ? 0
                    : undefined;
                if (error instanceof ServerUnreachableError && !stale) tried.add(url);
                if (retry === undefined || (!stale && attempts > retries)) {
                    if (error instanceof RetryableStatus) throw new ServerHttpError(error.url, error.status, error.serverMessage, attempts);
                    throw error;
                }
                await sleep(retry, signal);
            }
        }
    }

    /** One request to `url`; a 429 or 5xx is a RetryableStatus for {@link withRetries} to wait on. */
    private async attempt<T>(
        url: string, path: string, body: unknown, signal: AbortSignal | undefined,
        read: (url: string, response: Response, reset: () => void) => Promise<T>,
        options: { retries: number; attempts?: number; streaming?: boolean; missing?: 'undefined' },
    ): Promise<T | undefined> {
        if (signal?.aborted) throw new CancelledError('the server request');
        const controller = new AbortController();
        let abort: Abort | undefined;
        const onAbort = () => { abort ??= { kind: 'caller' }; controller.abort(); };
        signal?.addEventListener('abort', onAbort, { once: true });
        const seconds = this.options.timeoutSeconds ?? 120;
        let timer: NodeJS.Timeout | undefined;
        const reset = () => {
            clearTimeout(timer);
            if (seconds > 0) timer = setTimeout(() => { abort ??= { kind: 'timeout' }; controller.abort(); }, seconds * 1000);
        };
        this.open.add(controller);
        reset();
        try {
            const headers: Record<string, string> = { accept: options.streaming ? 'text/event-stream' : 'application/json', ...this.options.headers };
            if (body !== undefined) headers['content-type'] = 'application/json';
            if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
            let response: Response;
            try {
                response = await fetch(url + path, {
                    method: body === undefined ? 'GET' : 'POST', headers, signal: controller.signal,
                    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
                });
            } catch (error) {
                if (abort) throw abortError(abort, url, seconds);
                throw new ServerUnreachableError(url, describeCause(error));
            }
            reset();
            // Discovery asks for endpoints a server may not have (llama-server's /props on vLLM).
            if (response.status === 404 && options.missing === 'undefined') return undefined;
            if (!response.ok) {
                const message = errorMessage(await response.json().catch(() => undefined));
                if ((response.status === 429 || response.status >= 500) && options.retries > 0) {
                    throw new RetryableStatus(url, response.status, message, retryAfterMs(response.headers.get('retry-after')));
                }
                throw new ServerHttpError(url, response.status, message, options.attempts ?? 1);
            }
            try {
                return await read(url, response, reset);
            } catch (error) {
                if (abort) throw abortError(abort, url, seconds);
                throw error;
            }
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            this.open.delete(controller);
        }
    }
}

/** undici's codes for a connection that closed before any reply. */
const staleSocketCodes = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** A 429 or 5xx the retry loop waits on; never leaves this file. */
class RetryableStatus extends Error {
    constructor(readonly url: string, readonly status: number, readonly serverMessage: string | undefined, readonly waitMs: number | undefined) {
        super(`HTTP ${status}`);
    }
}

function abortError(abort: Abort, url: string, seconds: number): Error {
    return abort.kind === 'timeout' ? new ServerTimeoutError(url, seconds) : new CancelledError('the server request');
}

function isAbort(error: unknown): boolean {
    return error instanceof Error && error.name === 'AbortError';
}

/** `http://host:8080/v1/` and `http://host:8080` both become `http://host:8080` (paths are added with `/v1/…`). */
export function normalizeBaseUrl(url: string): string {
    return url.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

async function readJson(url: string, response: Response): Promise<unknown> {
    const text = await response.text();
    try {
        return JSON.parse(text);
    } catch {
        throw new ServerResponseError(url, `HTTP ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
    }
}

/** The server's own message from an OpenAI error body (`{error: {message}}`) or llama-server's (`{error: {message, code}}`). */
function errorMessage(body: unknown): string | undefined {
    if (body === null || typeof body !== 'object') return undefined;
    const error = (body as { error?: unknown }).error;
    const message = typeof error === 'string' ? error
        : error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message
        : typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
    return message === undefined ? undefined : message.slice(0, 300);
}

/** The system's reason for a failed connection: the `code` undici attaches as the error's cause (ECONNREFUSED, …). */
function describeCause(error: unknown): string {
    let current: unknown = error;
    for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
        const code = (current as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '') return code;
        current = (current as { cause?: unknown }).cause;
    }
    return error instanceof Error ? error.message : String(error);
}

function retryAfterMs(header: string | null): number | undefined {
    if (header === null) return undefined;
    const seconds = Number(header);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

function backoff(baseMs: number, attempts: number): number {
    // Full jitter would make a test's waits unpredictable; a small fixed spread still keeps clients apart.
    return baseMs * 2 ** (attempts - 1) * (1 + (attempts % 3) / 10);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) { reject(new CancelledError('the server request')); return; }
        const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = () => { clearTimeout(timer); reject(new CancelledError('the server request')); };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
