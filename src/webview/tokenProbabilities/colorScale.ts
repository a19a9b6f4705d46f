import type { ColorMetric } from '../../shared/protocols/tokenProbabilities';

/**
 * Where the scale saturates, in bits. Surprisal above ~8 bits (p < 0.4%) and entropy above ~6 bits (as uncertain as
 * 64 equally likely tokens) are all "very" for a reader; a fixed cap keeps colours comparable between prompts.
 */
export const surprisalCapBits = 8;
export const entropyCapBits = 6;

/** 0 = confident or expected (cool), 1 = unlikely or uncertain (hot), for a metric value. */
export function heat(metric: ColorMetric, value: number): number {
    const t = metric === 'probability' ? 1 - value
        : metric === 'surprisal' ? value / surprisalCapBits
            : value / entropyCapBits;
    return Number.isNaN(t) ? 1 : Math.min(1, Math.max(0, t));
}

/**
 * Background for a token: hue from green (0) through yellow to red (1), translucent so the theme's foreground stays
 * readable on light and dark themes alike.
 */
export function heatColor(t: number): string {
    const clamped = Math.min(1, Math.max(0, t));
    const hue = Math.round(120 * (1 - clamped));
    const alpha = (0.15 + 0.35 * clamped).toFixed(2);
    return `hsla(${hue}, 75%, 45%, ${alpha})`;
}

/** Legend stops (value → colour) for the header. */
export function legendStops(metric: ColorMetric): { label: string; color: string }[] {
    const values = metric === 'probability' ? [1, 0.5, 0.1, 0.01]
        : metric === 'surprisal' ? [0, 2, 4, surprisalCapBits]
            : [0, 2, 4, entropyCapBits];
    return values.map(v => ({
        label: metric === 'probability' ? `${v * 100}%` : `${v}${v === values[values.length - 1] ? '+' : ''} bits`,
        color: heatColor(heat(metric, v)),
    }));
}
