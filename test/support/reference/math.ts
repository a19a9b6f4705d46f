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
 * log-probabilities by ~3e-3, so the reference does as the backend does. It stays a step function: an input within
 * float32 rounding of a float16 rounding boundary may fall on the other side in llama.cpp (see the zoo test's GELU note).
 * CUDA computes GELU in float32, without the table.
 */
export function geluAsLlamaCppCpu(x: number): number {
    if (x <= -10) return 0;
    if (x >= 10) return x;
    return float16BitsToFloat32(float32ToFloat16Bits(gelu(float16BitsToFloat32(float32ToFloat16Bits(x)))));
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
