/** A watermark on generated text (Kirchenbauer et al. 2023); the hashing scheme is in src/core/watermark/greenList.ts. */
export interface WatermarkOptions {
    /** The secret that seeds the green lists; detection needs the same key. */
    key: string;
    /** Fraction of the vocabulary that is green at each step, in (0, 1). Defaults to 0.25. */
    gamma?: number;
    /** Added to green tokens' logits before sampling (the soft watermark). Defaults to 2. */
    delta?: number;
    /** The hard watermark: red tokens are forbidden (δ is then unused). Defaults to false. */
    hard?: boolean;
}

export const watermarkDefaults = { gamma: 0.25, delta: 2 } as const;
