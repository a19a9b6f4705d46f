import type { Interval } from '../../core/statistics/intervals';
import type { PairedComparison } from '../../core/statistics/pairedComparison';

/** `0.4567` → `45.7%`: the precision a few hundred problems support (one problem in 300 is 0.3 points). */
export function percent(x: number): string {
    return `${(x * 100).toFixed(1)}%`;
}

/** A difference of two rates in percentage points, signed: `+2.3 points`, `-0.7 points`. */
export function points(difference: number): string {
    return `${difference >= 0 ? '+' : '-'}${Math.abs(difference * 100).toFixed(1)} points`;
}

/** A rate and its 95% interval, `45.7% [40.1, 51.3]`, as every table of EXPERIMENTS.md writes it. */
export function formatInterval(i: Interval): string {
    return `${percent(i.estimate)} [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]`;
}

/** A rate with its interval and the counts it comes from: `45.7% [40.1, 51.3] (137/300)`. */
export function formatAccuracy(a: Interval & { correct: number; n: number }): string {
    return `${formatInterval(a)} (${a.correct}/${a.n})`;
}

/** A mean and its 95% interval at `digits` decimals: `41.2 [39.8, 42.6]`. */
export function formatMean(m: Interval, digits: number): string {
    return `${m.estimate.toFixed(digits)} [${m.low.toFixed(digits)}, ${m.high.toFixed(digits)}]`;
}

/**
 * One paired comparison as a bullet: both rates, the discordant problems each way and McNemar's p, so a reader sees
 * whether a difference rests on many problems or a handful.
 */
export function describePaired(name: string, c: PairedComparison, baseName: string, otherName: string): string {
    return `- ${name}: ${otherName} ${percent(c.other.estimate)} vs ${baseName} ${percent(c.base.estimate)}`
        + ` (${c.onlyOther} problems right only under the first, ${c.onlyBase} only under the second; McNemar p = ${c.mcnemarP.toPrecision(2)}).`;
}

/** Whether `other` beats `base` on the same problems: higher, and McNemar's p below 0.05. */
export function beats(c: PairedComparison): boolean {
    return c.other.estimate > c.base.estimate && c.mcnemarP < 0.05;
}

/** "yes" or "no", for the shape lines the report states whatever the figures turned out to be. */
export function yesNo(value: boolean): string {
    return value ? 'yes' : 'no';
}
