/**
 * How far a token's log-prob may move between two decodes of the same tokens in different batch shapes (one sequence
 * alone against several sharing a batch, a prefix decoded at once against one token at a time). ggml picks its matrix
 * kernels by batch size, so the sums round in a different order: on an AVX-512 Xeon (Sapphire Rapids, 2026-12-06) the
 * 2-layer F32 fixture's log-probs moved by up to 1.7e-3 (1e-3 had held on the AVX2 machines before). A decode that
 * mixes up sequences, positions or seeds is off by tenths.
 */
export const batchRoundingTolerance = 5e-3;
