// Float64 building blocks of the reference forward pass.
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/core/gguf';

/** RMSNorm: x / √(mean(x²) + ε), times the weight. */
export function rmsNorm(x: Float64Array, weight: Float64Array, eps: number): Float64Array {
    let sum = 0;
    for (const v of x) sum += v * v;
    const scale = 1 / Math.sqrt(sum / x.length + eps);
    return x.map((v, i) => v * scale * weight[i]!);
}

/** `rmsNorm` applied to each `width`-long slice of x in place (per-head Q/K norms). */
export function rmsNormEach(x: Float64Array, width: number, weight: Float64Array, eps: number): void {
    for (let start = 0; start < x.length; start += width) x.set(rmsNorm(x.subarray(start, start + width), weight, eps), start);
}

export function add(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, i) => v + b[i]!);
}

export function silu(x: number): number {
    return x / (1 + Math.exp(-x));
}

/** GELU, tanh approximation (ggml_gelu_f32). */
export function gelu(x: number): number {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * x * (1 + 0.044715 * x * x)));
}

/**
 * GELU as llama.cpp's CPU backend computes it (ggml-cpu/vec.h, GGML_GELU_FP16): the input rounded to float16 looks up a
 * table of float16 results, 0 below −10 and the identity above 10. Exact GELU instead moves the gemma3 fixture's
 * log-probabilities by ~3e-3, so the reference does as the backend does. CUDA computes GELU in float32, without the
 * table (`geluFloat32`).
 */
export function geluAsLlamaCppCpu(x: number): number {
    if (x <= -10) return 0;
    if (x >= 10) return x;
    return roundToFloat16(gelu(roundToFloat16(x)));
}

/** GELU as the GPU backends compute it: the formula, no table. */
export const geluFloat32 = gelu;

/**
 * The CPU GELU is a step function: an input within float32 rounding of a float16 rounding boundary (or of ±10) may
 * fall on the other side in llama.cpp, whose inputs differ from the reference's in the last float32 bits. Returns the
 * value llama.cpp would get then, or undefined when `x` is further than `distance` from any boundary. (Table values
 * near a boundary count too: ggml computes them in float32, within 1e-6 relative of the reference's GELU.)
 */
export function geluAsLlamaCppCpuAlternative(x: number, distance: number): number | undefined {
    for (const edge of [-10, 10]) {
        if (Math.abs(x - edge) <= distance) return geluAsLlamaCppCpu(x <= edge ? edge + 2 * distance : edge - 2 * distance);
    }
    if (Math.abs(x) >= 10) return undefined;
    const input = otherFloat16Rounding(x, distance);
    if (input !== undefined) return roundToFloat16(gelu(input));
    const y = gelu(roundToFloat16(x));
    return otherFloat16Rounding(y, 1e-6 * Math.abs(y));
}

export function roundToFloat16(x: number): number {
    return float16BitsToFloat32(float32ToFloat16Bits(x));
}

/** The float16 value `v` rounds to when it lies within `distance` of the midpoint between two float16 values and lands on the other side; else undefined. */
function otherFloat16Rounding(v: number, distance: number): number | undefined {
    const bits = float32ToFloat16Bits(v);
    const nearest = float16BitsToFloat32(bits);
    if (nearest === v || !Number.isFinite(nearest)) return undefined;
    // Float16 bits grow with the magnitude on either sign: one step away from zero when |v| is above its rounding.
    const neighbour = float16BitsToFloat32(Math.abs(v) > Math.abs(nearest) ? bits + 1 : bits - 1);
    const midpoint = (nearest + neighbour) / 2;
    return Math.abs(v - midpoint) <= distance ? neighbour : undefined;
}

export function softmax(x: readonly number[]): number[] {
    const max = Math.max(...x);
    const e = x.map(v => Math.exp(v - max));
    const sum = e.reduce((s, v) => s + v, 0);
    return e.map(v => v / sum);
}

export function logSoftmax(x: Float64Array): Float64Array {
    let max = -Infinity;
    for (const v of x) if (v > max) max = v;
    let sum = 0;
    for (const v of x) sum += Math.exp(v - max);
    const log = max + Math.log(sum);
    return x.map(v => v - log);
}
