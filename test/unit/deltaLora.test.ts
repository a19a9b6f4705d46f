// The LoRA adapter of a fine-tuning (src/core/training/deltaLora.ts): truncated-SVD factors checked against matrices
// built from known singular values and vectors, not against another SVD.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lowRankFactors } from '../../src/core/training/deltaLora';

/** Orthonormal columns: the first `count` columns of a normalized Hadamard-like sign pattern with distinct rows. */
function orthonormal(size: number, count: number, offset: number): number[][] {
    // Columns of a Householder reflection H = I − 2vvᵀ/vᵀv are orthonormal.
    const v = Array.from({ length: size }, (_, i) => 1 + ((i * 7 + offset) % 5));
    const vv = v.reduce((s, x) => s + x * x, 0);
    return Array.from({ length: count }, (_, c) => v.map((x, r) => (r === c ? 1 : 0) - (2 * x * v[c]!) / vv));
}

/** Σ s_k u_k v_kᵀ as a row-major rows × cols matrix. */
function fromSingular(singular: number[], rows: number, cols: number): Float32Array {
    const u = orthonormal(rows, singular.length, 1);
    const v = orthonormal(cols, singular.length, 3);
    const out = new Float32Array(rows * cols);
    singular.forEach((s, k) => {
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c]! += s * u[k]![r]! * v[k]![c]!;
    });
    return out;
}

function product(b: Float32Array, a: Float32Array, rows: number, cols: number, rank: number): Float64Array {
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let k = 0; k < rank; k++) for (let c = 0; c < cols; c++) out[r * cols + c]! += b[r * rank + k]! * a[k * cols + c]!;
    return out;
}

const frobenius = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

describe('low-rank factors of a weight change', () => {
    test('rank r keeps the r largest singular directions: B·A equals them, and the error is the dropped singular values\' share', () => {
        const [rows, cols] = [7, 5];
        const delta = fromSingular([3, 2, 1], rows, cols);
        const two = lowRankFactors(delta, rows, cols, 2);
        const expected = fromSingular([3, 2], rows, cols);
        const got = product(two.b, two.a, rows, cols, 2);
        assert.ok(Math.max(...got.map((x, i) => Math.abs(x - expected[i]!))) < 1e-5);
        assert.ok(Math.abs(two.relativeError - 1 / Math.sqrt(14)) < 1e-6, `${two.relativeError}`);
        const residual = got.map((x, i) => delta[i]! - x);
        assert.ok(Math.abs(frobenius(residual) / frobenius(delta) - two.relativeError) < 1e-5, 'the error reported is the residual measured');
    });

    test('a rank at least the change\'s gives it back exactly, unused factors zero; a zero change has no error', () => {
        const [rows, cols] = [4, 6];
        const delta = fromSingular([5, 0.5], rows, cols);
        const eight = lowRankFactors(delta, rows, cols, 8);
        const got = product(eight.b, eight.a, rows, cols, 8);
        assert.ok(Math.max(...got.map((x, i) => Math.abs(x - delta[i]!))) < 1e-5);
        assert.ok(eight.relativeError < 1e-6);
        assert.equal(eight.a.length, 8 * cols);
        assert.ok(eight.a.subarray(4 * cols).every(x => x === 0), 'beyond min(rows, cols) the factors are zero');
        assert.equal(lowRankFactors(new Float32Array(rows * cols), rows, cols, 2).relativeError, 0);
    });

    test('bad shapes and ranks are refused', () => {
        assert.throws(() => lowRankFactors(new Float32Array(6), 2, 3, 0), /rank/);
        assert.throws(() => lowRankFactors(new Float32Array(5), 2, 3, 1), /values/);
    });
});
