import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SamplingOptionsError } from '../../src/shared/errors/SamplingOptionsError';
import { validateSampling } from '../../src/core/sampling/validateSampling';
import { samplingDefaults } from '../../src/shared/sampling';

test('defaults are filled in', () => {
    const resolved = validateSampling(undefined);
    assert.equal(resolved.temperature, samplingDefaults.temperature);
    assert.equal(resolved.topK, 40);
    assert.equal(resolved.topP, 0.95);
    assert.equal(resolved.minP, 0.05);
    assert.equal(resolved.repeatPenalty, 1.1);
    assert.equal(resolved.repeatLastTokens, 64);
    assert.equal(resolved.maxTokens, 256);
    assert.equal(resolved.seed, undefined);
    assert.deepEqual(resolved.stopSequences, []);
    assert.equal(resolved.logitBias.size, 0);
});

test('boundary values that are allowed', () => {
    const resolved = validateSampling({ temperature: 0, topK: 0, topP: 1, minP: 0, maxTokens: 0, seed: 0, repeatLastTokens: 0 });
    assert.equal(resolved.topP, 1);
    assert.equal(resolved.seed, 0);
    assert.equal(validateSampling({ seed: 2 ** 32 - 1 }).seed, 2 ** 32 - 1);
});

test('logit bias: ban and ±Infinity become logits; token ids are checked against the vocabulary', () => {
    const resolved = validateSampling({ logitBias: { 5: 'ban', 6: 2.5, 7: Infinity, 8: -Infinity } }, { vocabularySize: 10 });
    assert.deepEqual([...resolved.logitBias], [[5, -Infinity], [6, 2.5], [7, Infinity], [8, -Infinity]]);
    assert.throws(() => validateSampling({ logitBias: { 10: 1 } }, { vocabularySize: 10 }),
        (e: unknown) => e instanceof SamplingOptionsError && e.field === 'logitBias' && /\[0, 9\]/.test(e.allowed));
    assert.throws(() => validateSampling({ logitBias: { 1: Number.NaN } }), (e: unknown) => e instanceof SamplingOptionsError && e.field === 'logitBias[1]');
    assert.throws(() => validateSampling({ logitBias: { '-1': 1 } as never }), SamplingOptionsError);
});

test('each impossible value names the field, the value and the allowed range', () => {
    const cases: [object, string, unknown][] = [
        [{ temperature: -0.1 }, 'temperature', -0.1],
        [{ temperature: Infinity }, 'temperature', Infinity],
        [{ temperature: '1' }, 'temperature', '1'],
        [{ topK: -1 }, 'topK', -1],
        [{ topP: 0 }, 'topP', 0],
        [{ topP: 1.01 }, 'topP', 1.01],
        [{ minP: -0.5 }, 'minP', -0.5],
        [{ minP: 1 }, 'minP', 1],
        [{ repeatPenalty: 0 }, 'repeatPenalty', 0],
        [{ repeatLastTokens: 1.5 }, 'repeatLastTokens', 1.5],
        [{ seed: 1.5 }, 'seed', 1.5],
        [{ seed: 2 ** 32 }, 'seed', 2 ** 32],
        [{ maxTokens: -1 }, 'maxTokens', -1],
        [{ stopSequences: 'END' }, 'stopSequences', 'END'],
        [{ stopSequences: ['a', ''] }, 'stopSequences[1]', ''],
        [{ grammar: '  ' }, 'grammar', '  '],
        [{ jsonSchema: [] }, 'jsonSchema', []],
    ];
    for (const [options, field, value] of cases) {
        assert.throws(() => validateSampling(options as never), (error: unknown) => {
            assert.ok(error instanceof SamplingOptionsError, JSON.stringify(options));
            assert.equal(error.field, field);
            assert.deepEqual(error.value, value);
            assert.ok(error.message.startsWith(`Invalid sampling option ${field} = `), error.message);
            assert.ok(error.message.includes(`allowed ${error.allowed}`));
            return true;
        });
    }
});

test('grammar and jsonSchema together are rejected', () => {
    assert.throws(() => validateSampling({ grammar: 'root ::= "a"', jsonSchema: { type: 'string' } }),
        (e: unknown) => e instanceof SamplingOptionsError && /not both/.test(e.allowed));
});
