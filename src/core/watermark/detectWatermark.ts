import { greenThreshold, isGreen, stepSeed } from './greenList';

export interface WatermarkDetectionOptions {
    keyHash: number;
    gamma: number;
    /**
     * Score a (previous token, token) pair only the first time it occurs, as the paper suggests: repeated text would
     * otherwise count its green tokens again. Defaults to true.
     */
    ignoreRepeated?: boolean;
}

export interface DetectedToken {
    /** Scored tokens have a previous token and, with ignoreRepeated, a pair not seen before. */
    scored: boolean;
    green: boolean;
    /** The z-score over the scored tokens up to and including this one (NaN before the first). */
    runningZ: number;
}

export interface WatermarkDetection {
    tokens: DetectedToken[];
    /** Tokens scored (T) and green among them (G). */
    scored: number;
    green: number;
    /** z = (G − γT) / √(T γ (1 − γ)); NaN when nothing was scored. */
    z: number;
    /** One-sided p-value P(Z ≥ z) under the null of no watermark. */
    pValue: number;
}

/**
 * Detects the watermark in `tokens` (ids in order): each token after the first is green or red under the green list
 * its previous token seeds. Needs only the tokenizer and the key, never the model.
 */
export function detectWatermark(tokens: readonly number[], options: WatermarkDetectionOptions): WatermarkDetection {
    const { gamma } = options;
    const threshold = greenThreshold(gamma);
    const ignoreRepeated = options.ignoreRepeated ?? true;
    const seen = new Set<string>();
    const detected: DetectedToken[] = [];
    let scored = 0;
    let green = 0;
    tokens.forEach((token, i) => {
        const isPair = i > 0;
        const key = isPair ? `${tokens[i - 1]}:${token}` : '';
        const counts = isPair && !(ignoreRepeated && seen.has(key));
        if (isPair) seen.add(key);
        const isGreenToken = isPair && isGreen(stepSeed(options.keyHash, tokens[i - 1]!), token, threshold);
        if (counts) {
            scored++;
            if (isGreenToken) green++;
        }
        detected.push({ scored: counts, green: isGreenToken, runningZ: zScore(green, scored, gamma) });
    });
    const z = zScore(green, scored, gamma);
    return { tokens: detected, scored, green, z, pValue: Number.isNaN(z) ? NaN : upperTail(z) };
}

export function zScore(green: number, scored: number, gamma: number): number {
    return scored === 0 ? NaN : (green - gamma * scored) / Math.sqrt(scored * gamma * (1 - gamma));
}

/** P(Z ≥ z) for a standard normal Z: erfc(z/√2)/2. */
export function upperTail(z: number): number {
    return erfc(z / Math.SQRT2) / 2;
}

/**
 * The complementary error function, by the continued-fraction-free Chebyshev fit of Numerical Recipes' erfcc (relative
 * error below 1.2e-7 everywhere), which keeps its precision in the far tail where 1 − erf would round to 0.
 */
export function erfc(x: number): number {
    const z = Math.abs(x);
    const t = 1 / (1 + 0.5 * z);
    const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
}
