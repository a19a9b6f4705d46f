import type { CompletionResult, SpeculativeStats, TokenText } from '../../shared/runtimeApi';
import type { SpeculationView, SpeculativeToken } from '../../shared/protocols/playground';
import { tokensPerRound } from '../speculative/speculativeText';

/**
 * What the playground shows of a speculative run: each generated token's text and source, with the texts of the draft
 * tokens rejected at its position. `tokenTexts` is the runtime client's (token texts come from the model's
 * vocabulary; nothing here decodes bytes itself).
 */
export async function speculationView(
    result: Pick<CompletionResult, 'tokens' | 'timing'> & { speculative: SpeculativeStats },
    tokenTexts: (tokens: number[]) => Promise<TokenText[]>,
): Promise<SpeculationView> {
    const stats = result.speculative;
    const texts = await tokenTexts(result.tokens);
    // A rejected draft token is shown on its own: it never became part of the sequence, so it has no context to join.
    const rejectedTexts = stats.rejected.length > 0 ? await tokenTexts(stats.rejected.map(r => r.token)) : [];
    const rejectedAt = new Map<number, string[]>();
    stats.rejected.forEach((r, i) => {
        const text = rejectedTexts[i]?.text ?? '';
        rejectedAt.set(r.index, [...(rejectedAt.get(r.index) ?? []), text]);
    });
    const tokens: SpeculativeToken[] = result.tokens.map((_, i) => {
        const rejected = rejectedAt.get(i);
        return {
            text: texts[i]?.text ?? '',
            source: stats.tokenSources[i] ?? 'sampled',
            ...(rejected !== undefined ? { rejected } : {}),
        };
    });
    const perRound = tokensPerRound(stats, result.timing.generatedTokens);
    return {
        method: stats.method,
        ...(stats.draftModel !== undefined ? { draftModel: stats.draftModel } : {}),
        rounds: stats.rounds, drafted: stats.drafted, accepted: stats.accepted,
        ...(stats.acceptanceRate !== undefined ? { acceptanceRate: stats.acceptanceRate } : {}),
        ...(perRound !== undefined ? { tokensPerRound: perRound } : {}),
        draftMs: stats.draftMs, verifyMs: stats.verifyMs,
        tokens,
    };
}
