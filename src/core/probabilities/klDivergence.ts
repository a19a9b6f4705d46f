/**
 * KL divergence between two next-token distributions of which only the top-K entries are known (the runtime's
 * tokenProbabilities lists at most 100 per position, from the full-vocabulary softmax).
 *
 * What can be computed exactly from truncated lists is the KL of a coarse-grained pair: every token known on both
 * sides (the intersection of the two top-K lists) is its own cell, and everything else is one `rest` cell with the
 * remaining mass of each side (1 − the known mass). By the data-processing inequality (merging cells never increases
 * KL), this is a **lower bound** on the true KL(P‖Q), and it **is** the true KL when both lists cover their whole
 * distribution (K ≥ vocabulary, or every other token has probability 0). `unknownMass` says how much probability the
 * `rest` cell holds on each side: when it is small, the bound is close to the true value.
 */

/** A token of a truncated distribution, with its natural-log probability. */
export interface TopEntry {
    id: number;
    logprob: number;
}

export interface TruncatedKl {
    /** KL(P‖Q) in nats over the intersection cells plus one `rest` cell: a lower bound on the true KL(P‖Q). */
    kl: number;
    /** Tokens known on both sides (own cells). */
    shared: number;
    /** Probability outside the shared cells, per side: [P, Q]. 0 on both sides means `kl` is exact. */
    unknownMass: [number, number];
}

/** p·log(p/q) with the conventions 0·log(0/q) = 0 and p·log(p/0) = +∞ for p > 0. */
function term(p: number, q: number): number {
    if (p <= 0) return 0;
    if (q <= 0) return Infinity;
    return p * Math.log(p / q);
}

/** KL(P‖Q) in nats of two complete distributions given as probabilities over the same cells. */
export function klDivergence(p: readonly number[], q: readonly number[]): number {
    if (p.length !== q.length) throw new RangeError(`The distributions have ${p.length} and ${q.length} cells.`);
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += term(p[i]!, q[i]!);
    // Rounding can make a KL of equal distributions a hair below 0.
    return Math.max(0, sum);
}

/** The coarse-grained KL(P‖Q) of two truncated distributions (see the module comment). */
export function truncatedKl(p: readonly TopEntry[], q: readonly TopEntry[]): TruncatedKl {
    const qById = new Map(q.map(t => [t.id, Math.exp(t.logprob)]));
    const ps: number[] = [];
    const qs: number[] = [];
    for (const entry of p) {
        const qp = qById.get(entry.id);
        if (qp === undefined) continue;
        ps.push(Math.exp(entry.logprob));
        qs.push(qp);
    }
    const clamp = (x: number) => Math.min(1, Math.max(0, x));
    const restP = clamp(1 - ps.reduce((s, x) => s + x, 0));
    const restQ = clamp(1 - qs.reduce((s, x) => s + x, 0));
    // Below float noise, a rest of 0 on one side and 1e-17 on the other is not an infinite divergence.
    const tiny = 1e-12;
    const kl = klDivergence([...ps, restP < tiny ? 0 : restP], [...qs, restQ < tiny ? 0 : restQ]);
    return { kl, shared: ps.length, unknownMass: [restP, restQ] };
}
