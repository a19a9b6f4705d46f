import type { ContrastScale } from '../../shared/protocols/attention';

export type Rgb = readonly [number, number, number];

/**
 * Stops of a viridis-like sequential map (dark purple → teal → yellow): perceptually ordered and readable on light
 * and dark themes alike, so no theme colour is needed to tell 0.1 from 0.5.
 */
const stops: readonly Rgb[] = [
    [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];

/**
 * Where a weight sits on the scale. Attention is peaky (a few keys take most of the mass, the rest share crumbs),
 * so the square-root scale spreads the small weights out where a linear one shows them all as "nothing".
 */
export function scaled(weight: number, contrast: ContrastScale): number {
    if (!Number.isFinite(weight) || weight <= 0) return 0;
    const w = Math.min(1, weight);
    return contrast === 'sqrt' ? Math.sqrt(w) : w;
}

/** Colour of a weight in [0, 1]. */
export function weightRgb(weight: number, contrast: ContrastScale = 'linear'): Rgb {
    const t = scaled(weight, contrast) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(t));
    const f = t - i;
    const a = stops[i]!;
    const b = stops[i + 1]!;
    return [0, 1, 2].map(c => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as unknown as Rgb;
}

export function rgbCss([r, g, b]: Rgb, alpha = 1): string {
    return alpha >= 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(3)})`;
}

/**
 * RGBA pixels of a query × key matrix, one pixel per cell, row-major (the layout of ImageData). Keys after the query
 * are masked by causality: they stay transparent so the page shows through, rather than painted as weight 0.
 */
export function matrixPixels(matrix: readonly (readonly number[])[], contrast: ContrastScale, out?: Uint8ClampedArray): Uint8ClampedArray {
    const n = matrix.length;
    const data = out ?? new Uint8ClampedArray(n * n * 4);
    if (data.length < n * n * 4) throw new RangeError(`pixel buffer holds ${data.length / 4} cells, not ${n * n}`);
    for (let q = 0; q < n; q++) {
        const row = matrix[q]!;
        for (let k = 0; k < n; k++) {
            const at = (q * n + k) * 4;
            if (k > q) {
                data[at] = data[at + 1] = data[at + 2] = data[at + 3] = 0;
                continue;
            }
            const [r, g, b] = weightRgb(row[k] ?? 0, contrast);
            data[at] = r;
            data[at + 1] = g;
            data[at + 2] = b;
            data[at + 3] = 255;
        }
    }
    return data;
}

/** Legend: a few weights and their colours. */
export function legendStops(contrast: ContrastScale): { label: string; color: string }[] {
    return [0, 0.05, 0.25, 0.5, 1].map(w => ({ label: `${w * 100}%`, color: rgbCss(weightRgb(w, contrast)) }));
}
