/**
 * The attention weights of a capture as the runtime ships them: one flat Float32Array, row-major
 * [layerSlot][head][query][key] with `tokens.length` queries and keys per head (structured clone carries it over the
 * runtime host's IPC as-is). These helpers index it and turn it into nested arrays where a JSON shape is needed (the
 * CLI's `--json`, the attention panel's webview state).
 */
export interface AttentionWeights {
    tokens: readonly unknown[];
    /** The model layers of the slots, in order. */
    layers: readonly number[];
    heads: number;
    /** [layerSlot][head][query][key]; keys after the query are 0. */
    attention: Float32Array;
}

/** Offset of row (slot, head, query) in `attention`; the row holds `tokens` weights. */
export function attentionRowOffset(result: AttentionWeights, slot: number, head: number, query: number): number {
    const T = result.tokens.length;
    return ((slot * result.heads + head) * T + query) * T;
}

/** The weight of `key` for `query` in `head` of layer slot `slot` (an index of `result.layers`, not a layer number). */
export function attentionAt(result: AttentionWeights, slot: number, head: number, query: number, key: number): number {
    return result.attention[attentionRowOffset(result, slot, head, query) + key]!;
}

/** Row `query` of a head (a view, not a copy): every key 0…tokens-1. */
export function attentionRow(result: AttentionWeights, slot: number, head: number, query: number): Float32Array {
    const start = attentionRowOffset(result, slot, head, query);
    return result.attention.subarray(start, start + result.tokens.length);
}

/** One layer slot as nested arrays [head][query][key]. */
export function layerToNestedArrays(result: AttentionWeights, slot: number): number[][][] {
    const T = result.tokens.length;
    return Array.from({ length: result.heads }, (_, head) =>
        Array.from({ length: T }, (_, query) => Array.from(attentionRow(result, slot, head, query))));
}

/** Every slot as nested arrays [layerSlot][head][query][key] (the documented `promptscope attention --json` shape). */
export function toNestedArrays(result: AttentionWeights): number[][][][] {
    return result.layers.map((_, slot) => layerToNestedArrays(result, slot));
}

/** Checks that `attention` has layers × heads × tokens² weights. */
export function checkAttentionShape(result: AttentionWeights): void {
    const T = result.tokens.length;
    const expected = result.layers.length * result.heads * T * T;
    if (result.attention.length !== expected) {
        throw new RangeError(`attention holds ${result.attention.length} weights, expected ${result.layers.length} layers × ${result.heads} heads × ${T}² = ${expected}`);
    }
}
