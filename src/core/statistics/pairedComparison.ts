import { wilsonInterval, type Interval } from './intervals';

/** Two models (or prompts) scored on the same rows: how often each was right, and whether they differ beyond chance. */
export interface PairedComparison {
    n: number;
    base: Interval & { correct: number };
    other: Interval & { correct: number };
    bothCorrect: number;
    /** Right under the base only, and under the other only: the discordant rows McNemar's test looks at. */
    onlyBase: number;
    onlyOther: number;
    bothWrong: number;
    /** Two-sided exact McNemar p-value (a binomial test on the discordant rows); 1 when there are none. */
    mcnemarP: number;
}

/** Compares per-row correctness of the same rows under two conditions (`base[i]` and `other[i]` are row i). */
export function comparePaired(base: readonly boolean[], other: readonly boolean[]): PairedComparison {
    if (base.length !== other.length) throw new RangeError(`paired results must cover the same rows (${base.length} and ${other.length})`);
    let bothCorrect = 0, onlyBase = 0, onlyOther = 0, bothWrong = 0;
    base.forEach((b, i) => {
        const o = other[i]!;
        if (b && o) bothCorrect++;
        else if (b) onlyBase++;
        else if (o) onlyOther++;
        else bothWrong++;
    });
    const n = base.length;
    const baseCorrect = bothCorrect + onlyBase;
    const otherCorrect = bothCorrect + onlyOther;
    return {
        n,
        base: { ...wilsonInterval(baseCorrect, n), correct: baseCorrect },
        other: { ...wilsonInterval(otherCorrect, n), correct: otherCorrect },
        bothCorrect, onlyBase, onlyOther, bothWrong,
        mcnemarP: exactMcNemar(onlyBase, onlyOther),
    };
}

/** Two-sided exact binomial test of b successes in b + c trials at p = 1/2 (McNemar's test on discordant pairs). */
export function exactMcNemar(b: number, c: number): number {
    const trials = b + c;
    if (trials === 0) return 1;
    const k = Math.min(b, c);
    // P(X ≤ k) for X ~ Binomial(trials, 1/2), summed in log space so thousands of rows do not underflow.
    let logTerm = -trials * Math.LN2; // log C(trials, 0) / 2^trials
    let tail = Math.exp(logTerm);
    for (let i = 1; i <= k; i++) {
        logTerm += Math.log((trials - i + 1) / i);
        tail += Math.exp(logTerm);
    }
    return Math.min(1, 2 * tail);
}
