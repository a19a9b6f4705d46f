import type { AttentionReport, HeadChoice } from '../../../shared/protocols/attention';

/**
 * Mean of a layer's query-head matrices, cell by cell. Each head's rows sum to 1, so the mean's rows do too: it is
 * still a distribution over keys, which is why the mean (not the sum or max) stands for "the layer".
 */
export function meanOfHeads(heads: readonly (readonly (readonly number[])[])[]): number[][] {
    const first = heads[0];
    if (first === undefined) return [];
    const n = first.length;
    const out = Array.from({ length: n }, (_, q) => new Array<number>(first[q]!.length).fill(0));
    for (const matrix of heads) {
        if (matrix.length !== n) throw new RangeError(`heads disagree on the number of queries (${matrix.length} vs ${n})`);
        for (let q = 0; q < n; q++) {
            const row = matrix[q]!;
            const acc = out[q]!;
            for (let k = 0; k < acc.length; k++) acc[k]! += row[k] ?? 0;
        }
    }
    for (const row of out) for (let k = 0; k < row.length; k++) row[k]! /= heads.length;
    return out;
}

/** The slot of model layer `layer` in the report, or undefined when that layer was not captured (yet). */
export function slotOf(report: AttentionReport, layer: number): number | undefined {
    const slot = report.layers.indexOf(layer);
    return slot < 0 ? undefined : slot;
}

/** The matrix shown for a layer and head choice; undefined when the layer is not in the report or the head does not exist. */
export function matrixOf(report: AttentionReport, layer: number, head: HeadChoice): number[][] | undefined {
    const slot = slotOf(report, layer);
    if (slot === undefined) return undefined;
    const heads = report.attention[slot]!;
    if (head === 'mean') return meanOfHeads(heads);
    return heads[head];
}

/** The KV head a query head reads under grouped-query attention (heads / kvHeads query heads share one). */
export function kvHeadOf(head: number, heads: number, kvHeads: number): number {
    if (kvHeads <= 0 || heads % kvHeads !== 0) return head;
    return Math.floor(head / (heads / kvHeads));
}

/** Merges a capture of some layers into what the panel holds, keeping layers in model order; newer captures win. */
export function mergeLayers(held: AttentionReport | undefined, fresh: AttentionReport): AttentionReport {
    if (held === undefined || !sameTokens(held, fresh)) return fresh;
    const byLayer = new Map<number, number[][][]>();
    held.layers.forEach((layer, slot) => byLayer.set(layer, held.attention[slot]!));
    fresh.layers.forEach((layer, slot) => byLayer.set(layer, fresh.attention[slot]!));
    const layers = [...byLayer.keys()].sort((a, b) => a - b);
    return { ...fresh, layers, attention: layers.map(layer => byLayer.get(layer)!) };
}

function sameTokens(a: AttentionReport, b: AttentionReport): boolean {
    return a.model === b.model && a.heads === b.heads && a.tokens.length === b.tokens.length
        && a.tokens.every((t, i) => t.id === b.tokens[i]!.id);
}
