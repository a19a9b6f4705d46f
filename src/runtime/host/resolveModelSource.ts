import { resolve } from 'node:path';
import type { LoadProgress } from '../../shared/runtimeApi';
import { ModelDownloadError } from '../../shared/errors/ModelDownloadError';
import { loadLlamaModule } from './engine/llamaModule';
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
        throw new ModelDownloadError(model, describeDownloadFailure(error));
    }
}

function describeDownloadFailure(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|ETIMEDOUT/i.test(message + ' ' + cause)) {
        return `the network is unreachable (${message.replace(/\.$/, '')})`;
    }
    return message.replace(/\.$/, '');
}
