// The watermark's green lists and detection against a second, straightforward implementation written here (BigInt
// arithmetic, no shared helpers), and the normal tail against known values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmix32, greenThreshold, isGreen, stepSeed, watermarkKeyHash } from '../../src/core/watermark/greenList';
import { detectWatermark, upperTail } from '../../src/core/watermark/detectWatermark';
import { validateWatermark } from '../../src/core/sampling/validateSampling';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import { SamplingOptionsError } from '../../src/shared/errors';

const M32 = (1n << 32n) - 1n;
function referenceFmix(value: bigint): bigint {
    let h = value & M32;
    h ^= h >> 16n;
    h = (h * 0x85ebca6bn) & M32;
    h ^= h >> 13n;
    h = (h * 0xc2b2ae35n) & M32;
    h ^= h >> 16n;
    return h;
}
function referenceKey(key: string): bigint {
    let h = 0x811c9dc5n;
    for (const byte of Buffer.from(key, 'utf8')) h = ((h ^ BigInt(byte)) * 0x01000193n) & M32;
    return h;
}
function referenceGreen(key: string, previous: number, token: number, gamma: number): boolean {
    const seed = referenceFmix(referenceKey(key) ^ referenceFmix(BigInt(previous) ^ 0x9e3779b9n));
    const hash = referenceFmix(seed ^ referenceFmix((BigInt(token) + 0x85ebca6bn) & M32));
    return hash < BigInt(Math.floor(gamma * 2 ** 32));
}

test('green lists equal the straightforward BigInt implementation of the documented hash', () => {
    for (const key of ['secret', 'ключ', '🔑 key', 'a']) {
        assert.equal(watermarkKeyHash(key), Number(referenceKey(key)), key);
        const keyHash = watermarkKeyHash(key);
        for (const gamma of [0.25, 0.5, 0.1]) {
            const threshold = greenThreshold(gamma);
            for (let previous = 0; previous < 40; previous += 7) {
                const seed = stepSeed(keyHash, previous);
                for (let token = 0; token < 3000; token += 13) {
                    assert.equal(isGreen(seed, token, threshold), referenceGreen(key, previous, token, gamma), `${key} ${gamma} ${previous} ${token}`);
                }
            }
        }
    }
    assert.equal(fmix32(0), 0);
});

test('a γ share of the vocabulary is green after each token, within binomial bounds', () => {
    const keyHash = watermarkKeyHash('secret');
    const vocab = 32000;
    for (const gamma of [0.25, 0.5]) {
        for (const previous of [0, 1, 500, 31999]) {
            const seed = stepSeed(keyHash, previous);
            let green = 0;
            for (let t = 0; t < vocab; t++) if (isGreen(seed, t, greenThreshold(gamma))) green++;
            const sd = Math.sqrt(vocab * gamma * (1 - gamma));
            assert.ok(Math.abs(green - gamma * vocab) < 5 * sd, `γ ${gamma} after ${previous}: ${green} green`);
        }
    }
});

test('detection: z and p from the counts, repeated pairs scored once, running z per token', () => {
    const keyHash = watermarkKeyHash('k');
    const gamma = 0.25;
    const tokens = [5, 9, 5, 9, 5, 9, 100, 7, 3];
    const all = detectWatermark(tokens, { keyHash, gamma, ignoreRepeated: false });
    const once = detectWatermark(tokens, { keyHash, gamma });
    // By hand: every pair after the first token, green by the reference hash.
    const pairs = tokens.slice(1).map((t, i) => [tokens[i]!, t] as const);
    const green = pairs.filter(([p, t]) => referenceGreen('k', p, t, gamma)).length;
    assert.equal(all.scored, 8);
    assert.equal(all.green, green);
    assert.ok(Math.abs(all.z - (green - gamma * 8) / Math.sqrt(8 * gamma * (1 - gamma))) < 1e-12);
    const distinct = new Set(pairs.map(p => p.join(':')));
    assert.equal(once.scored, distinct.size);
    assert.equal(once.tokens[0]!.scored, false);
    assert.ok(Number.isNaN(once.tokens[0]!.runningZ));
    assert.equal(once.tokens.at(-1)!.runningZ, once.z);
});

test('one-sided normal tail against known values', () => {
    for (const [z, p] of [[0, 0.5], [1.6448536269514722, 0.05], [2.3263478740408408, 0.01], [4, 3.167124183311992e-5], [8, 6.220960574271785e-16], [-2, 0.9772498680518208]]) {
        assert.ok(Math.abs(upperTail(z) - p) <= 2e-7 * p, `P(Z ≥ ${z}) = ${upperTail(z)}, expected ${p}`);
    }
});

test('bad settings are specific errors; .prompt front matter reads them too', () => {
    for (const [w, field] of [[{ key: '' }, 'watermark.key'], [{ key: 'k', gamma: 0 }, 'watermark.gamma'], [{ key: 'k', gamma: 1 }, 'watermark.gamma'],
        [{ key: 'k', delta: -1 }, 'watermark.delta'], [{ key: 'k', hard: 'yes' }, 'watermark.hard']] as const) {
        assert.throws(() => validateWatermark(w as never), (error: unknown) => error instanceof SamplingOptionsError && error.field === field);
    }
    const read = readPromptscopeSettings({ 'promptscope.watermark': { key: 'k', gamma: 1.5 } });
    assert.match(read.issues[0]!.message, /`promptscope.watermark` gamma must be a number in \(0, 1\)/);
    assert.deepEqual(readPromptscopeSettings({ 'promptscope.watermark': { key: 'k', delta: 3 } }).settings.watermark, { key: 'k', delta: 3 });
});
