import { NonFiniteResultError } from '../../shared/errors/NonFiniteResultError';

/** One entry of a top-K list: a token id and its natural-log probability. */
export interface RankedLogprob {
    id: number;
    logprob: number;
}

/** What one next-token distribution says, computed from its raw logits. */
export interface LogitStatistics {
    /** log Σ exp(logit): logprob(t) = logit(t) − logNormalizer. */
    logNormalizer: number;
    /** Entropy of the distribution in nats. */
    entropy: number;
    /** The `topK` most likely tokens, most likely first (ties: lower id first). */
    top: RankedLogprob[];
}

/**
 * Log-softmax statistics of one position's logits at temperature 1, no filters: the raw model distribution.
 * Float64 throughout, with the max subtracted first, so vocabularies of 150k tokens lose nothing to rounding.
 * `logits[id]` is token `id`'s logit; -Infinity (a banned token) gets probability 0.
 */
export function logitStatistics(logits: ArrayLike<number>, topK: number): LogitStatistics {
    const n = logits.length;
    if (n === 0) throw new RangeError('no logits: the vocabulary is empty');
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
    // An overflowed model (every logit NaN, or one Infinity) has no distribution: typed as every non-finite result is.
    if (!Number.isFinite(max)) throw new NonFiniteResultError('logits', 'the largest logit', max);
    let sum = 0;
    let weighted = 0;
    for (let i = 0; i < n; i++) {
        const shifted = logits[i]! - max;
        const e = Math.exp(shifted);
        sum += e;
        // A -Infinity logit has e = 0 and contributes 0·(−∞) = NaN to the entropy sum otherwise.
        if (e > 0) weighted += e * shifted;
    }
    const logSum = Math.log(sum);
    // H = −Σ p·log p with log p = shifted − logSum, p = e / sum.
    const entropy = Math.max(0, logSum - weighted / sum);
    return { logNormalizer: max + logSum, entropy, top: topIndices(logits, topK).map(id => ({ id, logprob: logits[id]! - max - logSum })) };
}

/** Indices of the `k` largest values, largest first, ties broken by the lower index; O(n·log k). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
    const count = Math.max(0, Math.min(Math.floor(k), values.length));
    if (count === 0) return [];
    // A sorted (descending) window of the best `count` seen so far; most values lose to its last entry at once.
    const best: number[] = [];
    const better = (a: number, b: number) => values[a]! > values[b]! || (values[a] === values[b] && a < b);
    // Indices only grow, so a value equal to the window's last loses the tie: only a greater one gets in.
    let threshold = -Infinity;
    for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (best.length === count && !(value > threshold)) continue;
        let lo = 0;
        let hi = best.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (better(best[mid]!, i)) lo = mid + 1;
            else hi = mid;
        }
        best.splice(lo, 0, i);
        if (best.length > count) best.pop();
        if (best.length === count) threshold = values[best[count - 1]!]!;
    }
    return best;
}
