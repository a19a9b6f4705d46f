import { resolve } from 'node:path';
import type { LoadProgress } from '../../shared/runtimeApi';
import { CancelledError } from '../../shared/errors/CancelledError';
import { ModelDownloadError } from '../../shared/errors/ModelDownloadError';
import { ModelDownloadTimeoutError } from '../../shared/errors/ModelDownloadTimeoutError';
import { downloadTimeoutSeconds } from './downloadTimeout';
import { loadLlamaModule } from './engine/llamaModule';
import { probeDownloadServer } from './probeDownloadServer';
import { SilenceTimer } from './SilenceTimer';
import { unreachableCode } from './unreachableCode';
import { defaultModelsDirectory, isRemoteModelUri } from '../../core/model/modelUri';

export { defaultModelsDirectory, isRemoteModelUri };

export interface ResolveModelOptions {
    modelsDirectory?: string;
    onProgress?: (progress: LoadProgress) => void;
    signal?: AbortSignal;
    /**
     * Seconds the server may send nothing (before answering, or mid-body) before the download fails; 0: no limit.
     * Defaults to the bound of the loadModel request this runs for (see withDownloadTimeout).
     */
    timeoutSeconds?: number;
}

/**
 * Turns a model setting into a local file path: local paths are resolved as they are; `hf:` URIs and URLs go
 * through node-llama-cpp's downloader into the models folder (a cached file is reused without the network).
 * Before a download, the server is asked for headers ({@link probeDownloadServer}), so that a wrong address fails in
 * seconds; during it, {@link ResolveModelOptions.timeoutSeconds} without a byte fails it.
 * Failure → {@link ModelDownloadError} (a {@link ModelDownloadTimeoutError} for a silent server), which tells the
 * user how to point at a local GGUF instead; `signal` aborted → {@link CancelledError}.
 */
export async function resolveModelSource(model: string, options: ResolveModelOptions = {}): Promise<string> {
    if (!isRemoteModelUri(model)) return resolve(model);
    const { resolveModelFile } = await loadLlamaModule();
    const directory = options.modelsDirectory ?? defaultModelsDirectory();
    // A file downloaded before is used offline: only a download needs the server.
    const cached = await resolveModelFile(model, { directory, download: false, cli: false }).catch(() => undefined);
    if (cached !== undefined) return cached;

    const seconds = options.timeoutSeconds ?? downloadTimeoutSeconds();
    const server = probeTarget(model);
    if (server !== undefined) await probeDownloadServer(model, server, { timeoutSeconds: seconds, signal: options.signal });
    const silence = new SilenceTimer(seconds);
    const signal = options.signal ? AbortSignal.any([options.signal, silence.signal]) : silence.signal;
    let received = 0;
    try {
        const path = await settledOrAborted(resolveModelFile(model, {
            directory,
            cli: false,
            signal,
            onProgress: ({ totalSize, downloadedSize }) => {
                if (downloadedSize > received) {
                    received = downloadedSize;
                    silence.reset();
                }
                options.onProgress?.({
                    phase: 'download',
                    fraction: totalSize > 0 ? downloadedSize / totalSize : 0,
                    downloadedBytes: downloadedSize,
                    totalBytes: totalSize,
                });
            },
        }), signal);
        // The downloader resolves, not rejects, when it is cancelled, with the path of a file it never finished.
        signal.throwIfAborted();
        return path;
    } catch (error) {
        if (options.signal?.aborted) throw new CancelledError(`the download of ${model}`);
        if (silence.signal.aborted) throw new ModelDownloadTimeoutError(model, server ?? model, seconds);
        throw new ModelDownloadError(model, await describeDownloadFailure(model, error));
    } finally {
        silence.dispose();
    }
}

/**
 * `work`'s outcome, or a rejection as soon as `signal` aborts. node-llama-cpp passes the signal only to the transfer,
 * not to the requests before it (the file's size and name), which retry for minutes; those are left to end in the
 * background, their outcome dropped.
 */
function settledOrAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    work.catch(() => undefined);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
}

/** The address asked before a download: the model's own URL, or the Hugging Face endpoint an `hf:` URI resolves through. */
function probeTarget(model: string): string | undefined {
    return /^https?:\/\//i.test(model) ? model : downloadOrigin(model);
}

async function describeDownloadFailure(model: string, error: unknown): Promise<string> {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    // node-llama-cpp turns a failed manifest fetch (how every `hf:` URI starts) into a message without its cause, so
    // when the error carries no code, the download's host says whether the network is the problem.
    const code = unreachableCode(error) ?? unreachableCode(await probe(downloadOrigin(model)));
    return code !== undefined ? `the network is unreachable (${message})` : message;
}

/** Where node-llama-cpp downloads `model` from: the URL's origin, or the Hugging Face endpoint (its MODEL_ENDPOINT / HF_ENDPOINT overrides included). */
function downloadOrigin(model: string): string | undefined {
    const endpoint = /^https?:\/\//i.test(model) ? model : process.env.MODEL_ENDPOINT ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co/';
    try {
        return new URL(endpoint).origin;
    } catch {
        return undefined;
    }
}

/** A reachable host answers a HEAD request well within this; the probe only runs after a download already failed. */
const probeTimeoutMs = 5000;

/** The error of a HEAD request to `origin` (undefined when it answered at all): offline it fails at once with a DNS code. */
async function probe(origin: string | undefined): Promise<unknown> {
    if (origin === undefined) return undefined;
    try {
        await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(probeTimeoutMs) });
        return undefined;
    } catch (error) {
        return error;
    }
}

