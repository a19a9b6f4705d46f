import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionAt, attentionRow, checkAttentionShape, toNestedArrays, triangleSize } from '../../src/core/attention/attentionWeights';

test('attention weights: packed lower triangles per [slot][head], indexed and nested exactly', () => {
    const T = 3, heads = 2, layers = [4, 7];
    assert.equal(triangleSize(T), 6);
    // Each stored value encodes where it belongs: slot·1000 + head·100 + query·10 + key.
    const values: number[] = [];
    for (let slot = 0; slot < layers.length; slot++) {
        for (let head = 0; head < heads; head++) {
            for (let query = 0; query < T; query++) {
                for (let key = 0; key <= query; key++) values.push(slot * 1000 + head * 100 + query * 10 + key);
            }
        }
    }
    const attention = Float32Array.from(values);
    const result = { tokens: [1, 2, 3], layers, heads, attention };
    checkAttentionShape(result);
    for (let slot = 0; slot < layers.length; slot++) {
        for (let head = 0; head < heads; head++) {
            for (let query = 0; query < T; query++) {
                assert.deepEqual(Array.from(attentionRow(result, slot, head, query)),
                    Array.from({ length: query + 1 }, (_, key) => slot * 1000 + head * 100 + query * 10 + key));
                for (let key = 0; key < T; key++) {
                    assert.equal(attentionAt(result, slot, head, query, key), key > query ? 0 : slot * 1000 + head * 100 + query * 10 + key);
                }
            }
        }
    }
    const nested = toNestedArrays(result);
    assert.equal(nested.length, 2);
    assert.equal(nested[1]!.length, heads);
    assert.deepEqual(nested[1]![1], [[1100, 0, 0], [1110, 1111, 0], [1120, 1121, 1122]]);
    assert.throws(() => checkAttentionShape({ ...result, heads: 3 }), /expected 2 layers × 3 heads/);
    assert.throws(() => checkAttentionShape({ ...result, attention: new Float32Array(layers.length * heads * T * T) }), /3·4\/2 = 24/);
});
