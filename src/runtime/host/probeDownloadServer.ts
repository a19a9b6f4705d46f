import { setTimeout as wait } from 'node:timers/promises';
import { CancelledError } from '../../shared/errors/CancelledError';
import { ModelDownloadError } from '../../shared/errors/ModelDownloadError';
import { ModelDownloadTimeoutError } from '../../shared/errors/ModelDownloadTimeoutError';
import { unreachableCode } from './unreachableCode';

/**
 * Waits before each further attempt at a server that refused the connection or could not be found: a server that is
 * restarting gets a second and a half, and a wrong address fails within two seconds, not after the ~150 retries
 * node-llama-cpp's downloader (ipull) makes with no option to make fewer.
 */
const retryDelaysMs = [300, 1200];

/** What an unreachable code means, in words. */
const codeMeanings: Readonly<Record<string, string>> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'the host name could not be looked up',
    ENETUNREACH: 'network unreachable',
    EHOSTUNREACH: 'host unreachable',
    ECONNRESET: 'connection reset',
};

export interface ProbeOptions {
    /** Seconds the server may take to answer; 0: no limit. */
    timeoutSeconds: number;
    signal?: AbortSignal;
}

/**
 * Asks `url` for its headers (HEAD, redirects followed) before the model `model` is handed to the downloader, which
 * would retry a refused connection for minutes and wait on a silent server forever. Any HTTP answer will do: the
 * downloader reports a bad status itself. Throws a ModelDownloadError naming `url` when the server cannot be reached
 * (after {@link retryDelaysMs}), a ModelDownloadTimeoutError when it does not answer in time, a CancelledError when
 * `signal` aborts.
 */
export async function probeDownloadServer(model: string, url: string, options: ProbeOptions): Promise<void> {
    const { timeoutSeconds, signal } = options;
    for (let attempt = 0; ; attempt++) {
        const timeout = timeoutSeconds > 0 ? AbortSignal.timeout(timeoutSeconds * 1000) : undefined;
        const signals = [signal, timeout].filter((s): s is AbortSignal => s !== undefined);
        try {
            const response = await fetch(url, { method: 'HEAD', signal: signals.length > 0 ? AbortSignal.any(signals) : undefined });
            await response.body?.cancel();
            return;
        } catch (error) {
            if (signal?.aborted) throw new CancelledError(`the download of ${model}`);
            if (timeout?.aborted) throw new ModelDownloadTimeoutError(model, url, timeoutSeconds);
            const code = unreachableCode(error);
            const delay = retryDelaysMs[attempt];
            if (code === undefined || delay === undefined) {
                throw new ModelDownloadError(model, `${url === model ? 'the server' : url} cannot be reached (${describeFailure(error, code)}${code !== undefined ? `, ${attempt + 1} attempts` : ''})`);
            }
            await wait(delay, undefined, { signal }).catch(() => { throw new CancelledError(`the download of ${model}`); });
        }
    }
}

function describeFailure(error: unknown, code: string | undefined): string {
    if (code !== undefined) return codeMeanings[code] ? `${code}: ${codeMeanings[code]}` : code;
    // fetch says only "fetch failed"; the reason (a TLS or protocol error) is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return cause instanceof Error ? cause.message : String(cause);
}
