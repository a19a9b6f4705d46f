// The feed-forward part of a layer. Each kind reads the tensors it needs; `loadFeedForward` picks the kind from the
// tensors present, as llama.cpp's loaders do.
import { apply, type Linear } from './linear';
import { geluAsLlamaCppCpu, geluFloat32, silu, softmax } from './math';
import type { ReferenceHyperparameters } from './hyperparameters';
import type { ReferenceTensors } from './ReferenceTensors';

export interface FeedForward {
    /**
     * x is the position's input after the layer's FFN norm; returns what the layer adds to the residual stream.
     * `override` sees each hidden unit's activation (its input and output) and may replace it (floatSteps.ts).
     */
    run(x: Float64Array, override?: ActivationOverride): Float64Array;
}

/** Returns the activation hidden unit `unit` uses: `y`, computed from `x`, or another value. */
export type ActivationOverride = (unit: number, x: number, y: number) => number;

/** Whose numerics the reference follows where llama.cpp's backends differ: the CPU's GELU is a float16 table lookup. */
export type ReferenceBackend = 'cpu' | 'gpu';

export async function loadFeedForward(t: ReferenceTensors, prefix: string, hp: ReferenceHyperparameters, backend: ReferenceBackend = 'cpu'): Promise<FeedForward> {
    const gelu = backend === 'cpu' ? geluAsLlamaCppCpu : geluFloat32;
    const activation = hp.facts.activation === 'gelu' ? gelu : silu;
    if (t.has(`${prefix}.ffn_gate_inp.weight`)) return loadMixtureOfExperts(t, prefix, hp, activation);
    return loadGatedFeedForward(t, prefix, activation);
}

/**
 * SwiGLU: down(silu(gate x) ⊙ up x) (GeGLU with GELU for Gemma). Without ffn_gate, ffn_up is the fused [gate; up] of twice the width (phi3), split
 * as ggml_swiglu splits it: silu of the first half times the second half.
 */
async function loadGatedFeedForward(t: ReferenceTensors, prefix: string, activation: (x: number) => number): Promise<FeedForward> {
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
        run(x, override) {
            const [g, u] = halves(x);
            const act = override ? (value: number, i: number) => override(i, value, activation(value)) : activation;
            return apply(down, g.map((value, i) => act(value, i) * u[i]!));
        },
    };
}

/**
 * Mixture of experts as llama.cpp's build_moe_ffn runs qwen3moe: the router's logits (`ffn_gate_inp`) go through a
 * softmax over all experts; the `used` most probable experts run (each a gated feed-forward from the 3-D
 * `ffn_gate_exps`, `ffn_up_exps`, `ffn_down_exps`), weighted by their probabilities divided by the sum of the chosen
 * ones (qwen3moe always renormalises; no extra scale).
 */
async function loadMixtureOfExperts(t: ReferenceTensors, prefix: string, hp: ReferenceHyperparameters, activation: (x: number) => number): Promise<FeedForward> {
    if (!hp.experts) throw new RangeError(`${prefix}.ffn_gate_inp is present but ${hp.architecture}.expert_count is not`);
    const { used } = hp.experts;
    const router = await t.linear(`${prefix}.ffn_gate_inp`);
    const [gates, ups, downs] = await Promise.all(['gate', 'up', 'down'].map(part => t.stacked(`${prefix}.ffn_${part}_exps`)));
    if (router.rows !== hp.experts.count || gates!.length !== hp.experts.count) {
        throw new RangeError(`${prefix}: ${router.rows} router rows and ${gates!.length} experts for expert_count ${hp.experts.count}`);
    }
    return {
        run(x) {
            const probabilities = softmax(Array.from(apply(router, x)));
            // Ties keep the lower expert first; llama.cpp's argsort order between exact ties is not specified.
            const chosen = probabilities.map((p, e) => ({ p, e })).sort((a, b) => b.p - a.p || a.e - b.e).slice(0, used);
            const total = chosen.reduce((sum, c) => sum + c.p, 0);
            const out = new Float64Array(x.length);
            for (const { p, e } of chosen) {
                const g = apply(gates![e]!, x);
                const u = apply(ups![e]!, x);
                const y = apply(downs![e]!, g.map((value, i) => activation(value) * u[i]!));
                for (let i = 0; i < out.length; i++) out[i]! += (p / total) * y[i]!;
            }
            return out;
        },
    };
}
