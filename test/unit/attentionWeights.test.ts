import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionAt, attentionRow, checkAttentionShape, toNestedArrays } from '../../src/core/attention/attentionWeights';

test('attention weights: flat [slot][head][query][key] indexed and nested exactly', () => {
    const T = 3, heads = 2, layers = [4, 7];
    const attention = new Float32Array(layers.length * heads * T * T).map((_, i) => i / 100);
    const result = { tokens: [1, 2, 3], layers, heads, attention };
    checkAttentionShape(result);
    const nested = toNestedArrays(result);
    assert.equal(nested.length, 2);
    assert.equal(nested[1]!.length, heads);
    assert.equal(nested[1]![1]!.length, T);
    assert.deepEqual(nested[1]![1]![2], Array.from(attention.subarray(33, 36)));
    assert.equal(attentionAt(result, 1, 0, 2, 1), attention[((1 * heads + 0) * T + 2) * T + 1]);
    assert.equal(attentionRow(result, 0, 1, 0).length, T);
    assert.equal(attentionRow(result, 0, 1, 0)[0], attention[9]);
    assert.throws(() => checkAttentionShape({ ...result, heads: 3 }), /expected 2 layers × 3 heads/);
});
