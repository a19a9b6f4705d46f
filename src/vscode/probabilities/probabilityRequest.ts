import type { ChatMessage, SamplingOptions, TokenProbabilitiesRequest } from '../../runtime/api';

/** The panel is for inspecting a few dozen positions; a long generation would only bury them (and take time). */
export const maxPanelGeneration = 128;
/** Alternatives listed per position. */
export const panelTopK = 10;

/**
 * The runtime request for a prepared prompt: its chat messages, a generation as long as the prompt asks for (capped),
 * and the run's sampling minus what the probabilities pass does not apply (grammars, schemas, stop sequences),
 * so that nothing is rejected for a setting that would not change the numbers.
 */
export function probabilityRequest(messages: ChatMessage[], sampling: SamplingOptions): TokenProbabilitiesRequest {
    const { grammar: _grammar, jsonSchema: _schema, stopSequences: _stops, maxTokens, ...rest } = sampling;
    return {
        prompt: messages,
        generate: Math.min(maxTokens ?? 64, maxPanelGeneration),
        sampling: rest,
        topK: panelTopK,
        exact: true,
    };
}

/** A branch generates about as far as the original ran past the branch point, so the two can be compared. */
export function branchLength(tokensAfter: number): number {
    return Math.min(maxPanelGeneration, Math.max(16, tokensAfter));
}
