// Generation with a watermark on the native loop (generationLoop.cc's apply_watermark) against the TypeScript green
// lists (core/watermark/greenList.ts): hard, every generated token is green by core's hash, so the two hashes agree;
// soft, the z-score rises with δ; the paths that cannot watermark refuse it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { SamplingOptionsError } from '../../src/shared/errors';
import { detectWatermark } from '../../src/core/watermark/detectWatermark';
import { greenThreshold, isGreen, stepSeed, watermarkKeyHash } from '../../src/core/watermark/greenList';
import { fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

const prompt = 'The river ran past the old stone mill';

describe('watermarked generation', () => {
    let client: RuntimeClient;
    let previous: number;

    before(async () => {
        ({ client } = newClient());
        await client.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 });
        previous = (await client.tokenize(prompt, { addBos: true })).at(-1)!;
    });

    after(async () => {
        await client.dispose();
    });

    test('hard: every token is green under core\'s hash (the native and TypeScript green lists agree)', async () => {
        for (const [key, gamma] of [['secret', 0.25], ['другой ключ', 0.1], ['k', 0.5]] as const) {
            const result = await client.complete({ prompt, sampling: { temperature: 1, seed: 3, maxTokens: 150, watermark: { key, gamma, hard: true } } });
            const keyHash = watermarkKeyHash(key);
            let before = previous;
            for (const token of result.tokens) {
                assert.ok(isGreen(stepSeed(keyHash, before), token, greenThreshold(gamma)), `${key}: token ${token} after ${before} is red`);
                before = token;
            }
            // Another key sees no watermark.
            assert.ok(Math.abs(detectWatermark([previous, ...result.tokens], { keyHash: watermarkKeyHash('not the key'), gamma }).z) < 4);
        }
    });

    test('soft: z grows with δ; δ = 0 is the plain run; speculative decoding keeps the watermarked tokens', async () => {
        const keyHash = watermarkKeyHash('secret');
        const z = async (delta: number, seed: number) => {
            const result = await client.complete({ prompt, sampling: { temperature: 1, seed, maxTokens: 200, watermark: { key: 'secret', delta } } });
            return { result, z: detectWatermark([previous, ...result.tokens], { keyHash, gamma: 0.25 }).z };
        };
        const plain = await client.complete({ prompt, sampling: { temperature: 1, seed: 7, maxTokens: 200 } });
        assert.deepEqual((await z(0, 7)).result.tokens, plain.tokens);
        const zs = await Promise.all([0.5, 2, 6].map(async delta => (await z(delta, 7)).z));
        assert.ok(zs[0]! < zs[1]! && zs[1]! < zs[2]!, `z by δ: ${zs.join(', ')}`);
        assert.ok(zs[1]! > 4, `δ = 2 over 200 tokens: z ${zs[1]}`);
        const sampling = { temperature: 1, seed: 9, maxTokens: 60, watermark: { key: 'secret', delta: 2 } };
        const watermarked = await client.complete({ prompt, sampling });
        const speculative = await client.complete({ prompt, sampling, speculative: { lookup: {} } });
        assert.deepEqual(speculative.tokens, watermarked.tokens);
    });

    test('paths that cannot watermark refuse it', async () => {
        const watermark = { key: 'secret' };
        const refused = (error: unknown) => error instanceof SamplingOptionsError && error.field === 'watermark';
        await assert.rejects(client.completeMany({ prompt, n: 3, sampling: { watermark } }), refused);
        await assert.rejects(client.tokenProbabilities({ prompt, generate: 4, sampling: { watermark } }), refused);
        await assert.rejects(client.complete({ prompt, sampling: { maxTokens: 4, grammar: 'root ::= "yes"', watermark } }), refused);
        await assert.rejects(client.complete({ prompt, sampling: { maxTokens: 4, watermark: { key: 'k', gamma: 1 } } }),
            (error: unknown) => error instanceof SamplingOptionsError && error.field === 'watermark.gamma');
    });
});
