import type { BackendSetting } from '../core/backends/backendSetting';
import type { RecordedModel } from '../core/reasoning/history/runRecord';
import type { LoraAdapterSpec, ModelInfo } from '../shared/runtimeApi';
import { CancelledError } from '../shared/errors/CancelledError';
import { EmbeddedBackend } from '../runtime/backends/EmbeddedBackend';
import type { InferenceBackend } from '../runtime/backends/InferenceBackend';
import { OpenAiCompatibleBackend } from '../runtime/backends/openai/OpenAiCompatibleBackend';
import { serverChoice } from './backendFlags';
import { withFlagModel, type FlagModel } from './withFlagModel';

/** What {@link withBackend} hands to its work. */
export interface FlagBackend {
    backend: InferenceBackend;
    /** Aborted by Ctrl-C. */
    signal: AbortSignal;
    /** The embedded runtime's session and model; undefined on a server. */
    embedded: FlagModel | undefined;
    /** The model as the run history records it. */
    recorded: RecordedModel;
    /** The fields that name the model in `--json`: `model`, `modelPath` (null on a server), `backend`. */
    json: { model: string; modelPath: string | null; backend: string; server?: { urls: string[]; server?: string } };
    /** Requests worth having in flight at once: the server's slots (or --concurrency), 1 embedded. */
    concurrency: number;
    /** The adapters loaded with the model (`--lora`'s); none on a server. */
    lora: LoraAdapterSpec[];
}

/**
 * Runs `work` on the backend the flags (`--backend`, else the prompt's `promptscope.backend`) choose: the embedded
 * runtime through {@link withFlagModel}, or OpenAI-compatible servers, connected (every URL answers and serves the
 * model) before `work` starts and closed after, Ctrl-C aborting requests in flight.
 */
export async function withBackend<T>(
    values: Record<string, unknown>, verbose: boolean, promptSetting: BackendSetting | undefined, work: (flagBackend: FlagBackend) => Promise<T>,
): Promise<T> {
    const server = serverChoice(values, promptSetting);
    if (server === undefined) {
        return withFlagModel(values, verbose, loaded => work({
            backend: new EmbeddedBackend(loaded.session.client, loaded.model), signal: loaded.signal, embedded: loaded,
            recorded: loaded.model, json: embeddedJson(loaded.model), concurrency: 1, lora: loaded.lora,
        }));
    }
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    let backend: OpenAiCompatibleBackend | undefined;
    try {
        backend = await OpenAiCompatibleBackend.connect(server, controller.signal).catch((error: unknown) => {
            if (controller.signal.aborted && !(error instanceof CancelledError)) throw new CancelledError('connecting to the server');
            throw error;
        });
        const description = backend.describe();
        if (verbose) process.stderr.write(`[backend] ${description.urls!.join(', ')}: model ${description.model}, ${backend.capabilities.slots} slot(s), ${backend.concurrency} request(s) at once${description.server ? `, ${description.server}` : ''}\n`);
        return await work({
            backend, signal: controller.signal, embedded: undefined, recorded: { name: description.model, backend: description },
            json: { model: description.model, modelPath: null, backend: 'openai-compatible', server: { urls: description.urls!, ...(description.server ? { server: description.server } : {}) } },
            concurrency: backend.concurrency, lora: [],
        });
    } finally {
        process.off('SIGINT', onInterrupt);
        await backend?.close();
    }
}

function embeddedJson(model: ModelInfo): FlagBackend['json'] {
    return { model: model.name, modelPath: model.path, backend: model.backend };
}
