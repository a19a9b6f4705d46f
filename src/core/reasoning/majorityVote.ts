/** One path's vote: its answer after extraction and mapping (undefined: none, or unmapped). */
export interface Vote {
    answer: string | undefined;
    /** Mean natural-log probability of the path's tokens; read only with `weighting: "probability"`. */
    meanLogprob?: number;
}

/**
 * `count`: one path, one vote. `probability`: each vote weighs the path's geometric-mean token probability,
 * `exp(meanLogprob)` (a length-normalised path probability in (0, 1], so long paths are not punished for their
 * length); a path without a mean log-probability (no tokens) weighs 1.
 */
export type VoteWeighting = 'count' | 'probability';

export interface VoteOptions {
    /** Defaults to `"count"`. */
    weighting?: VoteWeighting;
}

export interface VoteTally {
    answer: string;
    /** Paths that gave this answer. */
    count: number;
    /** Sum of the weights of those paths (equal to `count` under `count` weighting). */
    weight: number;
    /** Index of the first path that gave it: the tie-break. */
    firstIndex: number;
}

export interface VoteResult {
    /** The winning answer; undefined when no path gave a mapped answer. */
    winner: string | undefined;
    /** Every answer given, best first (by weight, then first occurrence). */
    tally: VoteTally[];
    /** Answer → number of paths, for display and JSON output. */
    votes: Record<string, number>;
    /** Paths for the winner divided by all paths, unmapped ones included (0 when there is no winner). */
    agreement: number;
    /** The winner's weight divided by the weight of all voting paths (equal to the count share under `count`). */
    weightShare: number;
    /** Whether the top weight was shared; the winner is then the tied answer that appeared first. */
    tie: boolean;
    /** The answers sharing the top weight, in order of first appearance (just the winner when there is no tie). */
    tied: string[];
    /** Paths without a mapped answer; they take part in `agreement`'s denominator but win nothing. */
    unmapped: number;
    total: number;
    weighting: VoteWeighting;
}

/** Weights closer than this (relative) are a tie: sums of exp() in a different order differ in the last bits. */
const tieTolerance = 1e-9;

/**
 * Majority vote over paths (self-consistency, ensembles). Ties are broken deterministically by the earliest
 * first occurrence in path order, and reported (`tie`, `tied`), so a 2–2 split never reads as a clear win.
 */
export function majorityVote(votes: readonly Vote[], options: VoteOptions = {}): VoteResult {
    const weighting = options.weighting ?? 'count';
    const byAnswer = new Map<string, VoteTally>();
    let unmapped = 0;
    votes.forEach((vote, index) => {
        if (vote.answer === undefined) {
            unmapped++;
            return;
        }
        const weight = weighting === 'count' ? 1 : Math.exp(vote.meanLogprob ?? 0);
        if (!Number.isFinite(weight)) throw new RangeError(`Path ${index + 1} has mean log-probability ${vote.meanLogprob}, which gives no usable weight.`);
        const entry = byAnswer.get(vote.answer);
        if (entry) {
            entry.count++;
            entry.weight += weight;
        } else {
            byAnswer.set(vote.answer, { answer: vote.answer, count: 1, weight, firstIndex: index });
        }
    });

    const same = (a: number, b: number) => Math.abs(a - b) <= tieTolerance * Math.max(Math.abs(a), Math.abs(b));
    const tally = [...byAnswer.values()].sort((a, b) => (same(a.weight, b.weight) ? a.firstIndex - b.firstIndex : b.weight - a.weight));
    const top = tally[0];
    const tied = top ? tally.filter(t => same(t.weight, top.weight)).map(t => t.answer) : [];
    const totalWeight = tally.reduce((sum, t) => sum + t.weight, 0);
    return {
        winner: top?.answer,
        tally,
        votes: Object.fromEntries(tally.map(t => [t.answer, t.count])),
        agreement: top && votes.length > 0 ? top.count / votes.length : 0,
        weightShare: top && totalWeight > 0 ? top.weight / totalWeight : 0,
        tie: tied.length > 1,
        tied,
        unmapped,
        total: votes.length,
        weighting,
    };
}
