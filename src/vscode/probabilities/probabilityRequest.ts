import type { ChatMessage, LoraAdapterSpec, SamplingOptions, TokenProbabilitiesRequest } from '../../shared/runtimeApi';

/** The panel is for inspecting a few dozen positions; a long generation would only bury them (and take time). */
export const maxPanelGeneration = 128;
/** Alternatives listed per position. */
export const panelTopK = 10;

export interface ProbabilityRequestOptions {
    /** Tokens a run generated, scored instead of sampled (the first {@link maxPanelGeneration}). Defaults to sampling. */
    generated?: readonly number[];
    /** Adapters of the run. Defaults to the model's. */
    lora?: LoraAdapterSpec[];
}

/**
 * The runtime request for a prepared prompt (chat messages, or raw text): a generation as long as the prompt asks
 * for (capped), or the given generated tokens, and the run's sampling minus what the probabilities pass does not
 * apply (grammars, schemas, stop sequences), so that nothing is rejected for a setting that would not change the numbers.
 */
export function probabilityRequest(prompt: ChatMessage[] | string, sampling: SamplingOptions, options: ProbabilityRequestOptions = {}): TokenProbabilitiesRequest {
    const { grammar: _grammar, jsonSchema: _schema, stopSequences: _stops, maxTokens, ...rest } = sampling;
    const generated = options.generated?.slice(0, maxPanelGeneration);
    return {
        prompt,
        generate: generated?.length ?? Math.min(maxTokens ?? 64, maxPanelGeneration),
        sampling: rest,
        topK: panelTopK,
        exact: true,
        ...(generated !== undefined ? { generated } : {}),
        ...(options.lora !== undefined ? { lora: options.lora } : {}),
    };
}

/** A branch generates about as far as the original ran past the branch point, so the two can be compared. */
export function branchLength(tokensAfter: number): number {
    return Math.min(maxPanelGeneration, Math.max(16, tokensAfter));
}
