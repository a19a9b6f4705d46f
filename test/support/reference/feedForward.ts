// The feed-forward part of a layer. Each kind reads the tensors it needs; `loadFeedForward` picks the kind from the
// tensors present, as llama.cpp's loaders do.
import { apply, type Linear } from './linear';
import { silu } from './math';
import type { ReferenceTensors } from './ReferenceTensors';

export interface FeedForward {
    /** x is the position's input after the layer's FFN norm; returns what the layer adds to the residual stream. */
    run(x: Float64Array): Float64Array;
}

export async function loadFeedForward(t: ReferenceTensors, prefix: string): Promise<FeedForward> {
    return loadGatedFeedForward(t, prefix);
}

/**
 * SwiGLU: down(silu(gate x) ⊙ up x). Without ffn_gate, ffn_up is the fused [gate; up] of twice the width (phi3), split
 * as ggml_swiglu splits it: silu of the first half times the second half.
 */
async function loadGatedFeedForward(t: ReferenceTensors, prefix: string): Promise<FeedForward> {
    const gate = await t.optionalLinear(`${prefix}.ffn_gate`);
    const up = await t.linear(`${prefix}.ffn_up`);
    const down = await t.linear(`${prefix}.ffn_down`);
    const halves = (x: Float64Array): [Float64Array, Float64Array] => {
        if (gate) return [apply(gate, x), apply(up, x)];
        const both = apply(up, x);
        const width = both.length / 2;
        return [both.subarray(0, width), both.subarray(width)];
    };
    return {
        run(x) {
            const [g, u] = halves(x);
            return apply(down, g.map((value, i) => silu(value) * u[i]!));
        },
    };
}
