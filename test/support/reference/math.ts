// Float64 building blocks of the reference forward pass.

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
