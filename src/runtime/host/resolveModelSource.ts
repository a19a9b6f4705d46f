import { resolve } from 'node:path';
import type { LoadProgress } from '../../shared/runtimeApi';
import { ModelDownloadError } from '../../shared/errors/ModelDownloadError';
import { loadLlamaModule } from './engine/llamaModule';
import { unreachableCode } from './unreachableCode';
import { defaultModelsDirectory, isRemoteModelUri } from '../../core/model/modelUri';

export { defaultModelsDirectory, isRemoteModelUri };

export interface ResolveModelOptions {
    modelsDirectory?: string;
    onProgress?: (progress: LoadProgress) => void;
    signal?: AbortSignal;
}

/**
 * Turns a model setting into a local file path: local paths are resolved as they are; `hf:` URIs and URLs go
 * through node-llama-cpp's downloader into the models folder (a cached file is reused without the network).
 * Failure → {@link ModelDownloadError}, which tells the user how to point at a local GGUF instead.
 */
export async function resolveModelSource(model: string, options: ResolveModelOptions = {}): Promise<string> {
    if (!isRemoteModelUri(model)) return resolve(model);
    const { resolveModelFile } = await loadLlamaModule();
    try {
        return await resolveModelFile(model, {
            directory: options.modelsDirectory ?? defaultModelsDirectory(),
            cli: false,
            signal: options.signal,
            onProgress: ({ totalSize, downloadedSize }) => options.onProgress?.({
                phase: 'download',
                fraction: totalSize > 0 ? downloadedSize / totalSize : 0,
                downloadedBytes: downloadedSize,
                totalBytes: totalSize,
            }),
        });
    } catch (error) {
        if (options.signal?.aborted) throw new ModelDownloadError(model, 'the download was cancelled');
        throw new ModelDownloadError(model, await describeDownloadFailure(model, error));
    }
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

