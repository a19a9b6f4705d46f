const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even like ggml's `GGML_FP32_TO_FP16`. */
export function float32ToFloat16Bits(value: number): number {
    scratch[0] = value;
    return float32BitsToFloat16Bits(scratchBits[0]!);
}

/** Same as `float32ToFloat16Bits`, from the float32's bit pattern (lets callers convert whole arrays without copies). */
export function float32BitsToFloat16Bits(bits: number): number {
    const sign = (bits >>> 16) & 0x8000;
    const exponent = (bits >>> 23) & 0xff;
    let mantissa = bits & 0x7fffff;
    if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
    const halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) return sign | 0x7c00;
    if (halfExponent <= 0) {
        // Subnormal in half precision (or zero): shift the full mantissa down, rounding half to even.
        if (halfExponent < -10) return sign;
        mantissa |= 0x800000;
        const shift = 14 - halfExponent;
        let half = mantissa >>> shift;
        const rest = mantissa & ((1 << shift) - 1);
        const midpoint = 1 << (shift - 1);
        if (rest > midpoint || (rest === midpoint && (half & 1) !== 0)) half++;
        return sign | half;
    }
    // A carry out of the mantissa correctly bumps the exponent (and overflows to infinity at the top).
    let half = (halfExponent << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) half++;
    return sign | half;
}

let table: Float32Array | undefined;

/** Every binary16 bit pattern decoded once (256 KiB), so decoding a tensor is one lookup per value. */
export function float16Table(): Float32Array {
    if (table) return table;
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
        const sign = bits & 0x8000 ? -1 : 1;
        const exponent = (bits >>> 10) & 0x1f;
        const mantissa = bits & 0x3ff;
        if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
        else if (exponent === 0x1f) table[bits] = mantissa !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
        else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
    }
    return table;
}

export function float16BitsToFloat32(bits: number): number {
    return float16Table()[bits & 0xffff]!;
}
