import type { RuntimeClient } from '../../runtime/client/RuntimeClient';
import type { ComparisonReport } from '../../shared/protocols/tokenProbabilities';

/**
 * Compares the loaded model with `other` on `tokens` (the panel's prompt and generated tokens, as ids, so the positions
 * are the ones the panel shows) and adds the vocabulary pieces of both models' top tokens for the details.
 */
export async function modelComparisonReport(client: RuntimeClient, other: string, tokens: number[], signal: AbortSignal): Promise<ComparisonReport> {
    const result = await client.compareModels({ other, prompt: tokens, exact: true }, { signal });
    const ids = [...new Set([...result.baseTop, ...result.otherTop])];
    const pieces = ids.length === 0 ? [] : await client.tokenPieces(ids);
    const topTexts: Record<number, string> = {};
    for (const [i, id] of ids.entries()) topTexts[id] = pieces[i] ?? `#${id}`;
    const { base, tokenTexts, kl, baseTop, otherTop, baseLogprob, otherLogprob, baseEntropy, otherEntropy, exact } = result;
    return { base, other: result.other, tokens: result.tokens, tokenTexts, kl, baseTop, otherTop, baseLogprob, otherLogprob, baseEntropy, otherEntropy, exact, topTexts };
}
