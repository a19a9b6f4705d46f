import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logitStatistics, topIndices } from '../../src/core/probabilities/logitStatistics';
import { sampleFromLogits, type LogitSamplerSettings } from '../../src/core/probabilities/sampleFromLogits';

const plain: LogitSamplerSettings = { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, logitBias: new Map() };

describe('logitStatistics', () => {
    test('log-softmax, entropy and top-K of a small distribution', () => {
        const logits = [Math.log(0.5), Math.log(0.25), Math.log(0.125), Math.log(0.125)].map(v => v + 3);
        const stats = logitStatistics(logits, 2);
        assert.ok(Math.abs(stats.logNormalizer - 3) < 1e-12);
        const entropy = -(0.5 * Math.log(0.5) + 0.25 * Math.log(0.25) + 2 * 0.125 * Math.log(0.125));
        assert.ok(Math.abs(stats.entropy - entropy) < 1e-12);
        assert.deepEqual(stats.top.map(t => t.id), [0, 1]);
        assert.ok(Math.abs(stats.top[1]!.logprob - Math.log(0.25)) < 1e-12);
    });

    test('huge logits do not overflow, banned tokens get probability 0, one-hot has entropy 0', () => {
        const stats = logitStatistics([1000, 1000, -Infinity], 3);
        assert.ok(Math.abs(stats.entropy - Math.log(2)) < 1e-12);
        assert.equal(stats.top[2]!.logprob, -Infinity);
        assert.equal(logitStatistics([0, -1e6], 1).entropy, 0);
        assert.throws(() => logitStatistics([], 1), /empty/);
    });

    test('topIndices: largest first, ties by lower index, k clamped', () => {
        assert.deepEqual(topIndices([1, 3, 3, 2, 5], 3), [4, 1, 2]);
        assert.deepEqual(topIndices([1, 2], 5), [1, 0]);
        assert.deepEqual(topIndices([1, 2], 0), []);
        assert.deepEqual(topIndices([5, 5, 5, 4, 5], 2), [0, 1]);
        assert.deepEqual(topIndices([-Infinity, 2, -Infinity, 7], 3), [3, 1, 0]);
    });
});

describe('sampleFromLogits', () => {
    const logits = [0, 1, 2, 3, 4, 5];
    test('greedy picks the argmax after bias and penalty', () => {
        assert.equal(sampleFromLogits(logits, { ...plain, temperature: 0 }, [], Math.random).token, 5);
        const biased = sampleFromLogits(logits, { ...plain, temperature: 0, logitBias: new Map([[5, -Infinity]]) }, [], Math.random);
        assert.deepEqual(biased, { token: 4, distribution: [{ id: 4, prob: 1 }] });
        assert.equal(sampleFromLogits(logits, { ...plain, temperature: 0, repeatPenalty: 2 }, [5], Math.random).token, 4);
        assert.equal(sampleFromLogits(logits, { ...plain, temperature: 0, logitBias: new Map([[0, Infinity]]) }, [], Math.random).token, 0);
        // Ties go to the lower id, as in topIndices.
        assert.equal(sampleFromLogits(new Float32Array([1, 5, 5, 2]), { ...plain, temperature: 0 }, [], Math.random).token, 1);
    });

    test('top-k keeps k renormalised entries; temperature rescales; the draw follows the cumulative distribution', () => {
        const { distribution } = sampleFromLogits(logits, { ...plain, topK: 3 }, [], () => 0);
        assert.deepEqual(distribution.map(d => d.id), [5, 4, 3]);
        assert.ok(Math.abs(distribution.reduce((s, d) => s + d.prob, 0) - 1) < 1e-12);
        const z = Math.exp(5) + Math.exp(4) + Math.exp(3);
        assert.ok(Math.abs(distribution[0]!.prob - Math.exp(5) / z) < 1e-12);
        assert.equal(sampleFromLogits(logits, { ...plain, topK: 3 }, [], () => 0.999999).token, 3);
        const hot = sampleFromLogits(logits, { ...plain, topK: 2, temperature: 2 }, [], () => 0).distribution;
        assert.ok(Math.abs(hot[0]!.prob - 1 / (1 + Math.exp(-0.5))) < 1e-12);
    });

    test('top-p and min-p cut the tail', () => {
        const topP = sampleFromLogits([10, 0, 0, 0], { ...plain, topP: 0.9 }, [], () => 0).distribution;
        assert.deepEqual(topP.map(d => d.id), [0]);
        const minP = sampleFromLogits([0, Math.log(0.5), Math.log(0.01)], { ...plain, minP: 0.1 }, [], () => 0).distribution;
        assert.deepEqual(minP.map(d => d.id), [0, 1]);
    });
});
