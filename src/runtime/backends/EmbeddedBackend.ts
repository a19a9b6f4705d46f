import type { BackendCapabilities, BackendDescription } from '../../shared/backends';
import { maxProbabilityAlternatives } from '../../shared/limits';
import type {
    ChatManyRequest, ChatRequest, CompletionRequest, CompletionResult, ModelInfo, MultiCompletionResult, ScoreContinuationsRequest,
    StreamOptions, TokenProbabilitiesRequest,
} from '../../shared/runtimeApi';
import type { RuntimeClient } from '../client/RuntimeClient';
import type { BackendProbabilitiesResult, BackendScoreResult, InferenceBackend } from './InferenceBackend';

/** What the embedded runtime can do: everything, each token scored from the full vocabulary. */
export const embeddedCapabilities: BackendCapabilities = {
    logprobs: true, topLogprobs: maxProbabilityAlternatives, probabilityView: 'raw', grammar: true, jsonSchema: true,
    multipleCompletions: true, seed: true, lora: 'file', tokenize: true, attention: true, rawPrompt: true, slots: 1,
};

/**
 * The embedded runtime as a backend: today's RuntimeClient, unchanged. `close()` is the owner's: the CLI's session
 * closes its client, the editor keeps its runtime for other panels.
 */
export class EmbeddedBackend implements InferenceBackend {
    readonly capabilities = embeddedCapabilities;

    /** `model`: the loaded model, named in {@link describe}. */
    constructor(readonly client: RuntimeClient, private readonly model: ModelInfo, private readonly onClose: () => Promise<void> = async () => {}) {}

    describe(): BackendDescription {
        return { kind: 'embedded', model: this.model.name };
    }

    chat(request: ChatRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        return this.client.chat(request, options);
    }

    complete(request: CompletionRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        return this.client.complete(request, options);
    }

    chatMany(request: ChatManyRequest, options: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        return this.client.chatMany(request, options);
    }

    async scoreContinuations(request: ScoreContinuationsRequest, options: { signal?: AbortSignal } = {}): Promise<BackendScoreResult> {
        return { ...await this.client.scoreContinuations(request, options), bounded: [] };
    }

    async tokenProbabilities(request: TokenProbabilitiesRequest, options: { signal?: AbortSignal } = {}): Promise<BackendProbabilitiesResult> {
        return { ...await this.client.tokenProbabilities(request, options), view: 'raw' };
    }

    tokenize(text: string, options: { addBos?: boolean } = {}): Promise<number[]> {
        return this.client.tokenize(text, { addBos: options.addBos ?? false });
    }

    close(): Promise<void> {
        return this.onClose();
    }
}
