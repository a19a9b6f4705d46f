// Token probabilities checked against an independent forward pass of the fixture model (test/support/referenceModel):
// raw log-probabilities, entropies and top-K lists at every prompt and generated position, with and without LoRA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { compareProbabilities } from '../support/referenceComparisons';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from './helpers';

const tolerance = 1e-4;
const prompt = 'The quick brown fox jumps over the lazy dog. Hello world, this is a small test of the model';

describe('token probabilities vs a reference forward pass', () => {
    let client: RuntimeClient;
    let model: string;
    let adapter: string;
    let reference: ReferenceModel;

    before(async () => {
        [model, adapter] = await Promise.all([fixtureModelPath(), fixtureLoraPath()]);
        reference = await loadReferenceModel(model);
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
    });

    test('prompt and greedy generated positions match the reference within 1e-4 (exact: F32 KV cache)', async () => {
        const result = await client.tokenProbabilities({ prompt, generate: 8, topK: 10, sampling: greedy });
        assert.equal(result.exact, true);
        const generated = result.tokens.filter(t => t.source === 'generated');
        assert.equal(generated.length, 8);
        assert.equal(result.tokens[0]!.id, 1, 'BOS first');
        const worst = compareProbabilities(result, reference, 10);
        process.stderr.write(`max |Δ| vs reference: logprob ${worst.logprob.toExponential(2)}, entropy ${worst.entropy.toExponential(2)}, top-10 ${worst.top.toExponential(2)}\n`);
        assert.ok(worst.logprob <= tolerance, `logprob differs by ${worst.logprob}`);
        assert.ok(worst.entropy <= tolerance, `entropy differs by ${worst.entropy}`);
        assert.ok(worst.top <= tolerance, `top-K differs by ${worst.top}`);

        // Greedy generation picks the reference's argmax at every step.
        const { logprobs } = reference.forward(result.tokens.map(t => t.id));
        for (const row of generated) {
            const expected = logprobs[row.index - 1]!;
            let best = 0;
            for (let t = 1; t < expected.length; t++) if (expected[t]! > expected[best]!) best = t;
            assert.equal(row.id, best, `generated token ${row.index}`);
            assert.deepEqual(row.sampledTop?.map(a => [a.id, a.prob]), [[best, 1]]);
        }
        const promptRows = result.tokens.filter(t => t.source === 'prompt').slice(1);
        const perplexity = Math.exp(-promptRows.reduce((s, t) => s + t.logprob!, 0) / promptRows.length);
        assert.ok(Math.abs(result.promptPerplexity! - perplexity) < 1e-9 * perplexity);
    });

    test('token ids and chat messages are scored the same way', async () => {
        const ids = await client.tokenize(LORA_TEST_PROMPT, { addBos: true });
        const byIds = await client.tokenProbabilities({ prompt: ids, topK: 3 });
        assert.deepEqual(byIds.tokens.map(t => t.id), ids);
        assert.ok(compareProbabilities(byIds, reference, 3).logprob <= tolerance);

        const chat = await client.tokenProbabilities({ prompt: [{ role: 'user', text: 'Hello' }], topK: 3 });
        assert.ok(chat.tokens.some(t => t.text === '<|im_start|>'), chat.tokens.map(t => t.text).join('|'));
        assert.ok(compareProbabilities(chat, reference, 3).logprob <= tolerance);
    });

    test('with topK 5 sampling, the post-sampler distribution has at most 5 entries summing to 1', async () => {
        const result = await client.tokenProbabilities({
            prompt, generate: 6, topK: 10, sampling: { temperature: 1, topK: 5, topP: 1, minP: 0, repeatPenalty: 1, seed: 7 },
        });
        const generated = result.tokens.filter(t => t.source === 'generated');
        assert.equal(generated.length, 6);
        for (const row of generated) {
            assert.ok(row.sampledTop && row.sampledTop.length >= 1 && row.sampledTop.length <= 5);
            const sum = row.sampledTop.reduce((s, a) => s + a.prob, 0);
            assert.ok(Math.abs(sum - 1) < 1e-9, `sums to ${sum}`);
            assert.ok(row.sampledTop.some(a => a.id === row.id), 'the sampled token is among the survivors');
            // The survivors are the raw top 5, and at temperature 1 their renormalised raw probabilities.
            const raw = row.top.slice(0, row.sampledTop.length);
            assert.deepEqual(row.sampledTop.map(a => a.id), raw.map(a => a.id));
            const z = raw.reduce((s, a) => s + Math.exp(a.logprob), 0);
            row.sampledTop.forEach((a, i) => assert.ok(Math.abs(a.prob - Math.exp(raw[i]!.logprob) / z) < 1e-9));
        }
        assert.ok(compareProbabilities(result, reference, 10).logprob <= tolerance);
        // Same seed, same tokens.
        const again = await client.tokenProbabilities({
            prompt, generate: 6, topK: 10, sampling: { temperature: 1, topK: 5, topP: 1, minP: 0, repeatPenalty: 1, seed: 7 },
        });
        assert.deepEqual(again.tokens.map(t => t.id), result.tokens.map(t => t.id));
    });

    test('exact: false (F16 KV cache) is close but reported as not exact', async () => {
        const result = await client.tokenProbabilities({ prompt, exact: false, topK: 3 });
        assert.equal(result.exact, false);
        assert.ok(compareProbabilities(result, reference, 3).logprob < 0.05);
    });

    test('LoRA at scale 1 changes the probabilities exactly as the reference with the adapter applied', async () => {
        const adapted = await loadReferenceModel(model, { lora: { path: adapter, scale: 1 } });
        await client.loadModel({ model, gpu: 'off', threads: 1, lora: [{ path: adapter, scale: 1 }] });
        try {
            const result = await client.tokenProbabilities({ prompt: LORA_TEST_PROMPT, generate: 3, topK: 10, sampling: greedy });
            const worst = compareProbabilities(result, adapted, 10);
            process.stderr.write(`LoRA max |Δ| vs reference: logprob ${worst.logprob.toExponential(2)}, top-10 ${worst.top.toExponential(2)}\n`);
            assert.ok(worst.logprob <= tolerance && worst.top <= tolerance && worst.entropy <= tolerance, JSON.stringify(worst));
            assert.equal(result.tokens.find(t => t.source === 'generated')?.id, LORA_BOOSTED_TOKEN.id);
            // And the base reference does not explain it.
            assert.ok(compareProbabilities(result, reference, 10).logprob > 0.1);
        } finally {
            await client.loadModel({ model, gpu: 'off', threads: 1 });
        }
    });

    test('bad requests fail clearly', async () => {
        await assert.rejects(client.tokenProbabilities({ prompt, topK: 0 }), /topK/);
        await assert.rejects(client.tokenProbabilities({ prompt, generate: -1 }), /generate/);
        await assert.rejects(client.tokenProbabilities({ prompt: '', addBos: false }), /empty/);
    });
});
