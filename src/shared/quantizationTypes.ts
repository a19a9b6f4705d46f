/**
 * The quantization types Promptscope offers, by the names llama.cpp's `llama-quantize` uses, with their `llama_ftype`
 * values (llama.h) and what each is. Types that llama.cpp quantizes only with an importance matrix (IQ1_*, IQ2_*,
 * IQ3_XXS) are left out: Promptscope does not compute one, and llama.cpp refuses them without it.
 */
export const quantizationTypes = {
    F32: { ftype: 0, summary: '32-bit floats: no quantization (a copy)' },
    F16: { ftype: 1, summary: '16-bit floats, about 16 bits per weight' },
    BF16: { ftype: 32, summary: 'bfloat16, about 16 bits per weight' },
    Q8_0: { ftype: 7, summary: '8-bit, about 8.5 bits per weight: nearly lossless' },
    Q6_K: { ftype: 18, summary: '6-bit k-quant, about 6.6 bits per weight' },
    Q5_K_M: { ftype: 17, summary: '5-bit k-quant (some tensors 6-bit), about 5.7 bits per weight' },
    Q5_K_S: { ftype: 16, summary: '5-bit k-quant, about 5.5 bits per weight' },
    Q5_1: { ftype: 9, summary: '5-bit with offsets, about 6 bits per weight' },
    Q5_0: { ftype: 8, summary: '5-bit, about 5.5 bits per weight' },
    Q4_K_M: { ftype: 15, summary: '4-bit k-quant (some tensors 6-bit), about 4.9 bits per weight: the usual choice' },
    Q4_K_S: { ftype: 14, summary: '4-bit k-quant, about 4.6 bits per weight' },
    Q4_1: { ftype: 3, summary: '4-bit with offsets, about 5 bits per weight' },
    Q4_0: { ftype: 2, summary: '4-bit, about 4.5 bits per weight' },
    IQ4_NL: { ftype: 25, summary: '4-bit non-linear, about 4.5 bits per weight' },
    IQ4_XS: { ftype: 30, summary: '4-bit non-linear k-blocks, about 4.3 bits per weight' },
    Q3_K_L: { ftype: 13, summary: '3-bit k-quant (some tensors 5-bit), about 4.3 bits per weight' },
    Q3_K_M: { ftype: 12, summary: '3-bit k-quant (some tensors 4-bit), about 3.9 bits per weight' },
    Q3_K_S: { ftype: 11, summary: '3-bit k-quant, about 3.5 bits per weight' },
    Q2_K: { ftype: 10, summary: '2-bit k-quant, about 2.6 bits per weight: large quality loss' },
} as const satisfies Record<string, { ftype: number; summary: string }>;

export type QuantizationType = keyof typeof quantizationTypes;

export const quantizationTypeNames = Object.keys(quantizationTypes) as QuantizationType[];

/** `name` as a type of {@link quantizationTypes}, matched without regard to case (`q4_k_m` is Q4_K_M); undefined if none. */
export function quantizationTypeNamed(name: string): QuantizationType | undefined {
    const upper = name.toUpperCase();
    return quantizationTypeNames.find(type => type === upper);
}
