import type { ReferenceHyperparameters } from './hyperparameters';

/**
 * Rotates the first `ropeDims` dimensions of each `headDim`-long head of x in place by position · base^(−2i/ropeDims)
 * for pair i. NORM pairs dimensions (2i, 2i+1); NEOX pairs (i, i + ropeDims/2).
 */
export function rotate(x: Float64Array, position: number, hp: ReferenceHyperparameters): void {
    const half = hp.ropeDims / 2;
    for (let start = 0; start < x.length; start += hp.headDim) {
        for (let i = 0; i < half; i++) {
            const theta = position * Math.pow(hp.ropeBase, (-2 * i) / hp.ropeDims);
            const cos = Math.cos(theta);
            const sin = Math.sin(theta);
            const [a, b] = hp.facts.rope === 'norm' ? [start + 2 * i, start + 2 * i + 1] : [start + i, start + i + half];
            const x0 = x[a]!;
            const x1 = x[b]!;
            x[a] = x0 * cos - x1 * sin;
            x[b] = x0 * sin + x1 * cos;
        }
    }
}
