// Self-attention of one layer, from the tensors the file has: separate Q/K/V or one fused attn_qkv (split as
// llama.cpp's build_qkv views it: Q, then K, then V), optional biases, optional per-head Q/K RMS norms (applied
// before RoPE, as qwen3's graph does), RoPE, causal softmax with grouped-query heads, output projection.
import { apply, type Linear } from './linear';
import { add, rmsNormEach, softmax } from './math';
import type { ReferenceHyperparameters } from './hyperparameters';
import { rotate } from './rope';
import type { ReferenceTensors } from './ReferenceTensors';

export interface AttentionWeights {
    /** Either q, k and v, or fused (rows: Q, then K, then V). */
    q?: Linear;
    k?: Linear;
    v?: Linear;
    fused?: Linear;
    /** Separate Q/K/V biases next to a fused matrix without its own bias (llama.cpp concatenates them). */
    fusedBiases?: { q: Float64Array; k: Float64Array; v: Float64Array };
    qNorm?: Float64Array;
    kNorm?: Float64Array;
    output: Linear;
}

export interface AttentionOutput {
    /** What the layer adds to the residual stream, per position. */
    output: Float64Array[];
    /** weights[head][query][key] for key ≤ query (each row sums to 1). */
    weights: number[][][];
}

export async function loadAttention(t: ReferenceTensors, prefix: string): Promise<AttentionWeights> {
    const fused = await t.optionalLinear(`${prefix}.attn_qkv`);
    const w: AttentionWeights = { output: await t.linear(`${prefix}.attn_output`) };
    if (fused) {
        w.fused = fused;
        const [q, k, v] = await Promise.all(['q', 'k', 'v'].map(x => t.optionalVector(`${prefix}.attn_${x}.bias`)));
        if (!fused.bias && q && k && v) w.fusedBiases = { q, k, v };
    } else {
        w.q = await t.linear(`${prefix}.attn_q`);
        w.k = await t.linear(`${prefix}.attn_k`);
        w.v = await t.linear(`${prefix}.attn_v`);
    }
    const qNorm = await t.optionalVector(`${prefix}.attn_q_norm.weight`);
    const kNorm = await t.optionalVector(`${prefix}.attn_k_norm.weight`);
    if (qNorm) w.qNorm = qNorm;
    if (kNorm) w.kNorm = kNorm;
    return w;
}

/** Q, K and V of one position, before norms and RoPE. */
function project(w: AttentionWeights, x: Float64Array, hp: ReferenceHyperparameters): [Float64Array, Float64Array, Float64Array] {
    if (!w.fused) return [apply(w.q!, x), apply(w.k!, x), apply(w.v!, x)];
    const all = apply(w.fused, x);
    const qEnd = hp.heads * hp.headDim;
    const kEnd = qEnd + hp.kvHeads * hp.headDim;
    const parts: [Float64Array, Float64Array, Float64Array] = [all.slice(0, qEnd), all.slice(qEnd, kEnd), all.slice(kEnd)];
    if (parts[2].length !== hp.kvHeads * hp.valueDim) throw new RangeError(`attn_qkv has ${all.length} rows, not Q + K + V`);
    if (w.fusedBiases) return [add(parts[0], w.fusedBiases.q), add(parts[1], w.fusedBiases.k), add(parts[2], w.fusedBiases.v)];
    return parts;
}

/**
 * One attention score before the softmax: scaled, soft-capped (gemma2: cap · tanh(s / cap)), and −∞ for a key
 * `distance` tokens back that a sliding-window layer no longer sees (llama.cpp masks it when distance ≥ n_swa).
 */
function score(dot: number, distance: number, hp: ReferenceHyperparameters): number {
    if (hp.slidingWindow !== undefined && distance >= hp.slidingWindow) return -Infinity;
    const scaled = dot * hp.attentionScale;
    return hp.attentionSoftcap === undefined ? scaled : hp.attentionSoftcap * Math.tanh(scaled / hp.attentionSoftcap);
}

/** `normed[p]` is position p's input after the layer's attention norm (`hp` is the layer's: `layerHyperparameters`). */
export function attend(w: AttentionWeights, normed: Float64Array[], hp: ReferenceHyperparameters): AttentionOutput {
    const T = normed.length;
    const { heads, kvHeads, headDim, valueDim } = hp;
    const q: Float64Array[] = [];
    const k: Float64Array[] = [];
    const v: Float64Array[] = [];
    normed.forEach((x, p) => {
        const [qp, kp, vp] = project(w, x, hp);
        if (w.qNorm) rmsNormEach(qp, headDim, w.qNorm, hp.eps);
        if (w.kNorm) rmsNormEach(kp, headDim, w.kNorm, hp.eps);
        rotate(qp, p, hp);
        rotate(kp, p, hp);
        q.push(qp);
        k.push(kp);
        v.push(vp);
    });
    const group = heads / kvHeads;
    const weights: number[][][] = [];
    const mixed = normed.map(() => new Float64Array(heads * valueDim));
    for (let h = 0; h < heads; h++) {
        const kvHead = Math.floor(h / group);
        const rows: number[][] = [];
        for (let query = 0; query < T; query++) {
            const scores: number[] = [];
            for (let key = 0; key <= query; key++) {
                let dot = 0;
                for (let d = 0; d < headDim; d++) dot += q[query]![h * headDim + d]! * k[key]![kvHead * headDim + d]!;
                scores.push(score(dot, query - key, hp));
            }
            const row = softmax(scores);
            rows.push(row);
            for (let key = 0; key <= query; key++) {
                for (let d = 0; d < valueDim; d++) mixed[query]![h * valueDim + d]! += row[key]! * v[key]![kvHead * valueDim + d]!;
            }
        }
        weights.push(rows);
    }
    return { output: mixed.map(m => apply(w.output, m)), weights };
}
