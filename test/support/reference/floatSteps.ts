// llama.cpp's CPU backend computes GELU through a float16 table (ggml-cpu/vec.h): its output is a step function of the
// input. The reference follows the table, but its inputs differ from llama.cpp's float32 ones in the last bits, so an
// input that close to a float16 rounding boundary can fall on the other side in llama.cpp, and one such step moves
// the gemma3 fixture's log-probabilities by up to ~1e-4 (~1e-3 with post-FFN norm weights of 1). Neither side is wrong. This file tells those steps
// from a wrong computation: it finds the activations near a step, measures what putting each on the other side does
// to the log-probabilities llama.cpp reported (running the layers again from the step's layer), and explains a
// difference beyond the tolerance only by a few such steps whose effects match it, token by token.
import type { ActivationOverride } from './feedForward';
import { geluAsLlamaCppCpuAlternative } from './math';

/**
 * How close to a float16 step a GELU input must be to count: above the float32 differences between llama.cpp's GELU
 * inputs and the reference's on the fixtures (~1e-6; 2e-5 found no further explanations).
 */
const STEP_DISTANCE = 5e-6;

/** Log-probabilities llama.cpp gave at one position (of the token after it): some token ids and their values. */
export interface ObservedLogprobs {
    position: number;
    ids: readonly number[];
    logprobs: readonly number[];
    /** The entropy of the position's distribution, when reported. */
    entropy?: number;
}

export interface FloatStepExplanation {
    /** The largest difference left once the chosen steps are accounted for. */
    worst: number;
    /** Steps taken to be on the other side in llama.cpp. */
    steps: number;
    /** Activations found near a step. */
    candidates: number;
}

export interface SteppedModel {
    /** Whether the model has a stepped activation on this backend (GELU on the CPU). */
    stepped: boolean;
    embed(tokens: readonly number[]): Float64Array[];
    run(hidden: Float64Array[], fromLayer: number, override?: (layer: number, position: number) => ActivationOverride | undefined): { states: Float64Array[][] };
    logprobs(x: Float64Array): Float64Array;
}

/**
 * Position by position, while llama.cpp's numbers differ from the reference's (plus the steps taken so far) by more
 * than `tolerance`, takes the not yet taken step at or before that position whose effect brings them closest, if it
 * halves the difference at least; returns what is left.
 */
export function explainByFloatSteps(tokens: readonly number[], observed: readonly ObservedLogprobs[], model: SteppedModel, tolerance: number): FloatStepExplanation {
    const candidates: { layer: number; position: number; unit: number; value: number; effects?: Map<number, Float64Array> }[] = [];
    const base = model.run(model.embed(tokens), 0, model.stepped ? (layer, position) => (unit, x, y) => {
        const value = geluAsLlamaCppCpuAlternative(x, STEP_DISTANCE);
        if (value !== undefined && value !== y) candidates.push({ layer, position, unit, value });
        return y;
    } : undefined);
    const final = base.states.at(-1)!;
    // Each observed position as one vector: its log-probabilities, then its entropy when observed.
    const values = (o: ObservedLogprobs, logprobs: Float64Array): Float64Array => {
        const picked = o.ids.map(id => logprobs[id]!);
        if (o.entropy !== undefined) picked.push(logprobs.reduce((h, lp) => h - Math.exp(lp) * lp, 0));
        return Float64Array.from(picked);
    };
    const reported = observed.map(o => (o.entropy === undefined ? o.logprobs : [...o.logprobs, o.entropy]));
    const expected = observed.map(o => values(o, model.logprobs(final[o.position]!)));
    // A candidate's effects, measured when first needed: effects.get(i)[j] is the change of observed[i]'s j-th log-probability.
    const effects = (c: number): Map<number, Float64Array> => {
        const step = candidates[c]!;
        if (step.effects) return step.effects;
        step.effects = new Map();
        const rerun = model.run(base.states[step.layer]!, step.layer, (layer, position) => (
            layer === step.layer && position === step.position ? (unit, _x, y) => (unit === step.unit ? step.value : y) : undefined)).states.at(-1)!;
        observed.forEach((o, i) => {
            if (o.position < step.position || rerun[o.position]!.every((v, d) => v === final[o.position]![d])) return;
            const changed = values(o, model.logprobs(rerun[o.position]!));
            step.effects!.set(i, changed.map((v, j) => v - expected[i]![j]!));
        });
        return step.effects;
    };
    const taken = new Set<number>();
    const residual = (i: number, extra?: number): number => {
        let worst = 0;
        reported[i]!.forEach((value, j) => {
            let predicted = expected[i]![j]!;
            for (const c of taken) predicted += effects(c).get(i)?.[j] ?? 0;
            if (extra !== undefined) predicted += effects(extra).get(i)?.[j] ?? 0;
            worst = Math.max(worst, Math.abs(value - predicted));
        });
        return worst;
    };
    let worst = 0;
    observed.forEach((o, i) => {
        let left = residual(i);
        while (left > tolerance) {
            let best: { c: number; left: number } | undefined;
            candidates.forEach((step, c) => {
                if (taken.has(c) || step.position > o.position || !effects(c).has(i)) return;
                const after = residual(i, c);
                if (after < (best?.left ?? left / 2)) best = { c, left: after };
            });
            if (!best) break;
            taken.add(best.c);
            left = best.left;
        }
        worst = Math.max(worst, left);
    });
    return { worst, steps: taken.size, candidates: candidates.length };
}
