import { probabilityOf } from '../../core/panels/tokenProbabilities/metrics';
import type { ProbabilityToken } from '../../shared/protocols/tokenProbabilities';
import type { TokenText } from '../../shared/tokenText';
import { standaloneText } from './displayText';

/** One row of the alternatives chart: a candidate token at a position (shown as it would stand there) and its probability. */
export interface AlternativeRow extends TokenText {
    id: number;
    prob: number;
    /** Whether this is the token that actually stands at the position. */
    actual: boolean;
}

/** The raw (before filters) top-k, with the actual token appended when it is not among them. */
export function rawAlternatives(token: ProbabilityToken): AlternativeRow[] {
    const rows = token.top.map(({ logprob, ...candidate }) => ({ ...candidate, prob: probabilityOf(logprob), actual: candidate.id === token.id }));
    if (token.logprob !== null && !rows.some(r => r.actual)) {
        rows.push({ id: token.id, text: standaloneText(token), raw: token.raw, prob: probabilityOf(token.logprob), actual: true });
    }
    return rows;
}

/** The sampler's distribution (after filters), or undefined when the runtime gave none (prompt tokens). */
export function sampledAlternatives(token: ProbabilityToken): AlternativeRow[] | undefined {
    return token.sampledTop?.map(candidate => ({ ...candidate, actual: candidate.id === token.id }));
}

/** Bars are absolute (100% = probability 1), so a bar's length can be compared between positions and charts. */
export function barFraction(prob: number): number {
    return Number.isFinite(prob) ? Math.min(1, Math.max(0, prob)) : 0;
}
