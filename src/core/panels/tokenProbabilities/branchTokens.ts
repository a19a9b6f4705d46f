import type { ProbabilityToken } from '../../../shared/protocols/tokenProbabilities';

/**
 * The token ids a branch continues from: every token before `index` as evaluated (BOS and chat template tokens
 * included, so the model sees exactly the original context), then the chosen alternative in place of token `index`.
 */
export function branchPrompt(tokens: readonly ProbabilityToken[], index: number, chosenId: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= tokens.length) {
        throw new RangeError(`no token at position ${index} (the report has ${tokens.length})`);
    }
    if (!Number.isInteger(chosenId) || chosenId < 0) throw new RangeError(`invalid token id ${chosenId}`);
    return [...tokens.slice(0, index).map(t => t.id), chosenId];
}

/** The original text from `index` on, to show beside a branch from that position. */
export function originalContinuation(tokens: readonly ProbabilityToken[], index: number): string {
    return tokens.slice(index).map(t => t.text).join('');
}
