import type { InlineCompletionRequest, InlineCompletionResult, InlineStop, SamplingOptions } from '../../../shared/runtimeApi';
import { validateSampling } from '../../../core/sampling/validateSampling';
import { buildInlinePrompt } from './buildInlinePrompt';
import type { TokenSink } from './decodeLoop';
import type { LoadedModel } from './LoadedModel';

/** Label of the inline-completion context: its one sequence holds the last completion's text between keystrokes. */
export const inlineCompletionLabel = 'inline-completion';

/** Ghost text wants the likeliest short continuation, the same on every keystroke. */
const inlineSamplingDefaults: SamplingOptions = { temperature: 0, repeatPenalty: 1, maxTokens: 32 };

const stopSequences: Record<InlineStop, string[]> = { line: ['\n'], paragraph: ['\n\n'], none: [] };

export interface InlineCallOptions {
    onToken?: TokenSink;
    signal?: AbortSignal;
    startedAt: number;
}

/**
 * Runs an inline completion on the dedicated sequence of the `inline-completion` context. Prefix reuse (the decode
 * loop's `reusePrefix`) keeps the part of that sequence's KV cache the new prompt shares with the previous one, and
 * no other request runs on this context, so plain completions in between do not evict it.
 */
export async function runInlineCompletion(loaded: LoadedModel, request: InlineCompletionRequest, call: InlineCallOptions): Promise<InlineCompletionResult> {
    checkRequest(request);
    const given = Object.fromEntries(Object.entries(request.sampling ?? {}).filter(([, value]) => value !== undefined));
    const sampling = validateSampling({ ...inlineSamplingDefaults, ...given }, { vocabularySize: loaded.info.vocabularySize });
    // node-llama-cpp keeps one cell free; the rest of the context after the answer is the prompt's.
    const budget = Math.max(1, loaded.info.contextSize - sampling.maxTokens - 1);
    const suffix = loaded.info.supportsInfill ? request.suffix ?? '' : '';
    const prompt = buildInlinePrompt(loaded, request.prefix, suffix, budget);
    const result = await loaded.generate({
        tokens: prompt.tokens,
        context: { lora: loaded.lora, label: inlineCompletionLabel, pinned: true },
        sampling,
        stopSequences: [...sampling.stopSequences, ...stopSequences[request.stopAt ?? 'line']],
        ...call,
    });
    return { ...result, mode: prompt.mode };
}

function checkRequest(request: InlineCompletionRequest): void {
    if (typeof request?.prefix !== 'string') throw new TypeError('An inline completion needs the text before the cursor (prefix).');
    if (request.suffix !== undefined && typeof request.suffix !== 'string') throw new TypeError('The inline completion suffix must be a string.');
    if (request.stopAt !== undefined && !(request.stopAt in stopSequences)) {
        throw new Error(`Invalid stopAt ${JSON.stringify(request.stopAt)}: use line, paragraph or none.`);
    }
}
