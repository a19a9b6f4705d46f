import type { RowView } from '../../shared/protocols/evaluation';

export interface HistogramBar {
    /** The answer, or `unmapped`. */
    answer: string;
    count: number;
    /** Of all paths (or variants), unmapped ones included: 0–1. */
    fraction: number;
    winner: boolean;
    expected: boolean;
    unmapped: boolean;
}

/**
 * The vote histogram of one row: every answer's paths, most first (the order of the vote, which breaks ties by first
 * appearance), then the unmapped paths as their own bar so they are never silently dropped.
 */
export function voteHistogram(row: Pick<RowView, 'votes' | 'unmapped' | 'answer' | 'expected'>): HistogramBar[] {
    const votes = Object.entries(row.votes ?? {});
    const unmapped = row.unmapped ?? 0;
    const total = votes.reduce((sum, [, count]) => sum + count, 0) + unmapped;
    if (total === 0) return [];
    // Among equal counts the vote's winner (its tie-break: first appearance) comes first. The object's key order cannot
    // say so: JavaScript lists integer-like keys ("54", "57") in numeric order, whatever order the tally made them in.
    const bars: HistogramBar[] = votes
        .map(([answer, count]) => ({ answer, count, fraction: count / total, winner: answer === row.answer, expected: answer === row.expected, unmapped: false }))
        .sort((a, b) => b.count - a.count || Number(b.winner) - Number(a.winner));
    if (unmapped > 0) bars.push({ answer: 'unmapped', count: unmapped, fraction: unmapped / total, winner: false, expected: false, unmapped: true });
    return bars;
}

/** `87.5%` */
export function formatPercent(fraction: number): string {
    return `${(fraction * 100).toFixed(1).replace(/\.0$/, '')}%`;
}
