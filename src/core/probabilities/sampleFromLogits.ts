import { topIndices } from './logitStatistics';

/** The sampler settings this module applies, in llama.cpp's chain order. */
export interface LogitSamplerSettings {
    /** 0 is greedy. */
    temperature: number;
    /** 0 disables top-k. */
    topK: number;
    /** 1 disables top-p. */
    topP: number;
    /** 0 disables min-p. */
    minP: number;
    /** 1 disables the penalty. */
    repeatPenalty: number;
    /** Token id → additive bias; -Infinity bans the token. */
    logitBias: ReadonlyMap<number, number>;
}

export interface SampledToken {
    token: number;
    /** The distribution the token was drawn from, after every filter, most likely first (sums to 1). */
    distribution: { id: number; prob: number }[];
}

/**
 * Picks the next token from raw logits the way node-llama-cpp's sampler chain does (logit bias, repeat penalty,
 * top-k, top-p, min-p, temperature, then a draw), so that a run that needs the raw logits of every step can still
 * sample with the user's settings from one evaluation per token. `penalized` holds the recent tokens the repeat
 * penalty applies to; `random` returns uniform numbers in [0, 1). Which sampler serves which path (this, its C++ twin
 * logitSampler.cc, node-llama-cpp's chain): README.md, "Samplers".
 */
export function sampleFromLogits(
    logits: ArrayLike<number>,
    settings: LogitSamplerSettings,
    penalized: Iterable<number>,
    random: () => number,
): SampledToken {
    // Typed-array .set converts in one native copy; Float64Array.from walks an iterator (~0.3 ms for 32k logits).
    const adjusted = new Float64Array(logits.length);
    adjusted.set(logits);
    // A literal +Infinity (a forced token) would make the softmax Infinity − Infinity = NaN: a huge finite logit wins as surely.
    for (const [id, bias] of settings.logitBias) if (id >= 0 && id < adjusted.length) adjusted[id]! += bias === Infinity ? 1e9 : bias;
    if (settings.repeatPenalty !== 1) {
        // llama.cpp penalises each distinct recent token once, dividing positive logits and multiplying negative ones.
        for (const id of new Set(penalized)) {
            if (id < 0 || id >= adjusted.length) continue;
            adjusted[id] = adjusted[id]! > 0 ? adjusted[id]! / settings.repeatPenalty : adjusted[id]! * settings.repeatPenalty;
        }
    }
    if (settings.temperature <= 0) {
        // The first of the largest (lower id wins a tie), as topIndices(adjusted, 1) picks it, in a monomorphic loop.
        let best = 0;
        for (let i = 1; i < adjusted.length; i++) if (adjusted[i]! > adjusted[best]!) best = i;
        return { token: best, distribution: [{ id: best, prob: 1 }] };
    }

    let candidates = topIndices(adjusted, settings.topK > 0 ? settings.topK : adjusted.length)
        .filter(id => adjusted[id] !== -Infinity);
    if (candidates.length === 0) throw new RangeError('every token is banned: nothing can be sampled');
    const maxLogit = adjusted[candidates[0]!]!;
    if (settings.topP < 1) {
        const probs = softmax(candidates.map(id => adjusted[id]!));
        let cumulative = 0;
        let keep = candidates.length;
        for (let i = 0; i < probs.length; i++) {
            cumulative += probs[i]!;
            if (cumulative >= settings.topP) {
                keep = i + 1;
                break;
            }
        }
        candidates = candidates.slice(0, keep);
    }
    if (settings.minP > 0) {
        const threshold = maxLogit + Math.log(settings.minP);
        candidates = candidates.filter((id, i) => i === 0 || adjusted[id]! >= threshold);
    }
    const probs = softmax(candidates.map(id => adjusted[id]! / settings.temperature));
    const distribution = candidates.map((id, i) => ({ id, prob: probs[i]! }));
    const draw = random();
    let cumulative = 0;
    let token = candidates[candidates.length - 1]!;
    for (const entry of distribution) {
        cumulative += entry.prob;
        if (draw < cumulative) {
            token = entry.id;
            break;
        }
    }
    return { token, distribution };
}

function softmax(logits: number[]): number[] {
    // A loop, not Math.max(...logits): with top-k off the spread could exceed the argument limit.
    let max = -Infinity;
    for (const l of logits) if (l > max) max = l;
    const exps = logits.map(l => Math.exp(l - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map(e => e / sum);
}
