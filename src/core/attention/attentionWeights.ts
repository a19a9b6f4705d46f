/**
 * The attention weights of a capture as the runtime ships them: one flat Float32Array holding, for each layer slot and
 * head, the causal (lower) triangle row by row: query q's row is its weights for keys 0…q, so a head of T tokens takes
 * T(T+1)/2 values. Keys after the query carry no weight and are not stored: that halves what crosses from the runtime
 * host (19 MB instead of 38 MB for 12 layers × 12 heads × 256 tokens). These helpers index it and turn it into nested
 * arrays where a JSON shape is needed (the CLI's `--json`, the attention panel's webview state).
 */
export interface AttentionWeights {
    tokens: readonly unknown[];
    /** The model layers of the slots, in order. */
    layers: readonly number[];
    heads: number;
    /** [layerSlot][head] lower triangles, row by row: query q's keys 0…q. */
    attention: Float32Array;
}

/** Weights stored per head for `tokens` tokens: the lower triangle, diagonal included. */
export function triangleSize(tokens: number): number {
    return tokens * (tokens + 1) / 2;
}

/** Offset of row (slot, head, query) in `attention`; the row holds `query + 1` weights (keys 0…query). */
export function attentionRowOffset(result: AttentionWeights, slot: number, head: number, query: number): number {
    return (slot * result.heads + head) * triangleSize(result.tokens.length) + query * (query + 1) / 2;
}

/** The weight of `key` for `query` in `head` of layer slot `slot` (an index of `result.layers`, not a layer number); 0 after the query. */
export function attentionAt(result: AttentionWeights, slot: number, head: number, query: number, key: number): number {
    return key > query ? 0 : result.attention[attentionRowOffset(result, slot, head, query) + key]!;
}

/** Row `query` of a head (a view, not a copy): keys 0…query. */
export function attentionRow(result: AttentionWeights, slot: number, head: number, query: number): Float32Array {
    const start = attentionRowOffset(result, slot, head, query);
    return result.attention.subarray(start, start + query + 1);
}

/** One layer slot as nested arrays [head][query][key], every row the full tokens long (0 after the query). */
export function layerToNestedArrays(result: AttentionWeights, slot: number): number[][][] {
    const T = result.tokens.length;
    return Array.from({ length: result.heads }, (_, head) =>
        Array.from({ length: T }, (_, query) => {
            const row = new Array<number>(T).fill(0);
            attentionRow(result, slot, head, query).forEach((weight, key) => { row[key] = weight; });
            return row;
        }));
}

/** Every slot as nested arrays [layerSlot][head][query][key] (the documented `promptscope attention --json` shape). */
export function toNestedArrays(result: AttentionWeights): number[][][][] {
    return result.layers.map((_, slot) => layerToNestedArrays(result, slot));
}

/** Checks that `attention` holds layers × heads lower triangles of tokens(tokens + 1)/2 weights. */
export function checkAttentionShape(result: AttentionWeights): void {
    const T = result.tokens.length;
    const expected = result.layers.length * result.heads * triangleSize(T);
    if (result.attention.length !== expected) {
        throw new RangeError(`attention holds ${result.attention.length} weights, expected ${result.layers.length} layers × ${result.heads} heads × ${T}·${T + 1}/2 = ${expected}`);
    }
}
