import type { Token } from 'node-llama-cpp';
import { fitPromptWindow } from '../../../core/inlineCompletion/fitPromptWindow';
import type { LoadedModel } from './LoadedModel';

export interface InlinePrompt {
    tokens: Token[];
    mode: 'infill' | 'continuation';
}

/**
 * Prompt tokens of an inline completion. Infill uses node-llama-cpp's layout (LlamaCompletion's
 * generateInfillCompletion): `BOS? PRE prefix SUF suffix MID`, or `BOS? SUF suffix PRE prefix` for models without a
 * middle token. With the prefix first, typing at the cursor changes the token sequence only from the cursor on,
 * so everything before it stays reusable in the KV cache.
 */
export function buildInlinePrompt(loaded: LoadedModel, prefix: string, suffix: string, budget: number): InlinePrompt {
    const { model } = loaded;
    const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
    const bos = model.tokens.shouldPrependBosToken && model.tokens.bos != null ? [model.tokens.bos] : [];
    const prefixTokens = model.tokenize(prefix, false);

    if (suffix === '' || pre == null || suf == null) {
        const window = fitPromptWindow({ prefixTokens: prefixTokens.length, suffixTokens: 0, budget: budget - bos.length });
        return { tokens: [...bos, ...prefixTokens.slice(window.prefixStart)], mode: 'continuation' };
    }
    // Without the "▁" SentencePiece puts before a text's first word: the suffix continues the text, it does not start one.
    const suffixTokens = model.tokenize(suffix, false, 'trimLeadingSpace');
    const specials = bos.length + 2 + (mid != null ? 1 : 0);
    const window = fitPromptWindow({ prefixTokens: prefixTokens.length, suffixTokens: suffixTokens.length, budget: budget - specials });
    const keptPrefix = prefixTokens.slice(window.prefixStart);
    const keptSuffix = suffixTokens.slice(0, window.suffixCount);
    const tokens = mid != null
        ? [...bos, pre, ...keptPrefix, suf, ...keptSuffix, mid]
        : [...bos, suf, ...keptSuffix, pre, ...keptPrefix];
    return { tokens, mode: 'infill' };
}
