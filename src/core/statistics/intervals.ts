/** z of a two-sided 95% interval. */
export const z95 = 1.959963984540054;

export interface Interval {
    estimate: number;
    low: number;
    high: number;
}

/**
 * The Wilson score interval of a proportion (`successes` of `n`): unlike estimate ± z·SE it stays within [0, 1] and
 * is not empty at 0 or n successes, which small samples (a few hundred held-out problems) reach.
 */
export function wilsonInterval(successes: number, n: number, z = z95): Interval {
    if (n <= 0) return { estimate: NaN, low: NaN, high: NaN };
    const p = successes / n;
    const z2 = z * z;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (z / (1 + z2 / n)) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    // Clamped to contain p: at 0 or n successes the bound equals p exactly, which rounding may miss by 1e-17.
    return { estimate: p, low: Math.min(p, Math.max(0, centre - half)), high: Math.max(p, Math.min(1, centre + half)) };
}

export interface MeanEstimate extends Interval {
    /** Standard error of the mean (sample standard deviation / √n); NaN for fewer than two values. */
    standardError: number;
    n: number;
}

/** The mean with its standard error and the normal 95% interval (mean ± z·SE). */
export function meanInterval(values: ArrayLike<number>, z = z95): MeanEstimate {
    const n = values.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i]!;
    const mean = n > 0 ? sum / n : NaN;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
    const standardError = n > 1 ? Math.sqrt(squares / (n - 1) / n) : NaN;
    return { estimate: mean, standardError, low: mean - z * standardError, high: mean + z * standardError, n };
}
