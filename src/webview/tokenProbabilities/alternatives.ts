import { probabilityOf } from '../../core/panels/tokenProbabilities/metrics';
import type { ProbabilityToken } from '../../shared/protocols/tokenProbabilities';

/** One row of the alternatives chart: a candidate token at a position and its probability. */
export interface AlternativeRow {
    id: number;
    text: string;
    prob: number;
    /** Whether this is the token that actually stands at the position. */
    actual: boolean;
}

/** The raw (before filters) top-k, with the actual token appended when it is not among them. */
export function rawAlternatives(token: ProbabilityToken): AlternativeRow[] {
    const rows = token.top.map(a => ({ id: a.id, text: a.text, prob: probabilityOf(a.logprob), actual: a.id === token.id }));
    if (token.logprob !== null && !rows.some(r => r.actual)) {
        rows.push({ id: token.id, text: token.text, prob: probabilityOf(token.logprob), actual: true });
    }
    return rows;
}

/** The sampler's distribution (after filters), or undefined when the runtime gave none (prompt tokens). */
export function sampledAlternatives(token: ProbabilityToken): AlternativeRow[] | undefined {
    return token.sampledTop?.map(a => ({ id: a.id, text: a.text, prob: a.prob, actual: a.id === token.id }));
}

/** Bars are absolute (100% = probability 1), so a bar's length can be compared between positions and charts. */
export function barFraction(prob: number): number {
    return Number.isFinite(prob) ? Math.min(1, Math.max(0, prob)) : 0;
}
