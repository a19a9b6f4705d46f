// Attention weights from the native addon (src/runtime/native/attentionCapture.cc) checked against an independent forward
// pass of the fixture model (test/support/referenceModel): rows sum to 1, the causal upper triangle is 0, and every
// weight of every layer and head matches within 1e-4, in one micro-batch and stitched from several.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNestedArrays } from '../../src/core/attention/attentionWeights';
import { AttentionLimitError } from '../../src/shared/errors/AttentionLimitError';
import { maxAttentionTokens } from '../../src/shared/limits';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { compareAttention } from '../support/referenceComparisons';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { newClient } from './helpers';

const tolerance = 1e-4;
const prompt = 'The quick brown fox jumps over the lazy dog. Hello world, this is a small test of the model';
const addonPath = join(__dirname, '..', '..', 'build', 'native', 'llamaExtras.node');
const hasCompiler = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
// Only a machine without a C++ compiler may skip; with one (CI), a missing addon is a failure.
const skip = !hasCompiler && !existsSync(addonPath)
    ? 'no C++ compiler on this machine, so the native addon cannot be built (install g++, make, python3)' : false;

describe('attention vs a reference forward pass', { skip }, () => {
    let client: RuntimeClient;
    let model: string;
    let reference: ReferenceModel;

    before(async () => {
        assert.ok(existsSync(addonPath), `${addonPath} is missing: the native addon did not build (run node scripts/build-native.mjs --strict to see why)`);
        model = await fixtureModelPath();
        reference = await loadReferenceModel(model);
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client?.dispose();
    });

    test('every layer and head matches the reference within 1e-4; rows sum to 1; upper triangle 0', async () => {
        const result = await client.attention({ prompt });
        assert.equal(result.tokens[0]!.id, 1, 'BOS first');
        assert.ok(result.tokens.length > 16);
        assert.deepEqual(result.layers, [0, 1]);
        assert.equal(result.modelLayers, 2);
        assert.equal(result.heads, 4);
        assert.equal(result.kvHeads, 2);
        assert.deepEqual(result.tokens.map(t => t.id), await client.tokenize(prompt, { addBos: true }));
        assert.equal(result.tokens.map(t => t.text).join(''), (await client.tokenPieces(result.tokens.map(t => t.id))).join(''));
        const worst = compareAttention(result, reference);
        process.stderr.write(`attention max |Δ| vs reference: ${worst.toExponential(2)} (${result.tokens.length} tokens, ${result.timing.ms} ms)\n`);
        assert.ok(worst <= tolerance, `differs by ${worst}`);
    });

    test('token labels: characters split over byte tokens are shown once, joined they are the decoded text', async () => {
        const text = '正面 👍🏽 cafe\u0301';
        const result = await client.attention({ prompt: text, layers: [0] });
        assert.equal(result.tokens.map(t => t.text).join(''), await client.detokenize(result.tokens.map(t => t.id), { specialTokens: true }));
        assert.equal(result.tokens.map(t => t.text).join(''), `<s> ${text}`);
        assert.deepEqual(result.tokens.slice(2, 5).map(t => [t.raw, t.text, t.pieces?.[0]?.from]), [['<0xE6>', '', 1], ['<0xAD>', '', 2], ['<0xA3>', '正', 3]]);
        assert.ok(!result.tokens.some(t => t.text.includes('\uFFFD')));
    });

    test('micro-batches are stitched: 5-token micro-batches give the same maps', async () => {
        const whole = await client.attention({ prompt });
        const stitched = await client.attention({ prompt, ubatch: 5 });
        assert.ok(compareAttention(stitched, reference) <= tolerance);
        const a = whole.attention;
        const b = stitched.attention;
        assert.equal(a.length, b.length);
        let worst = 0;
        a.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[i]!)); });
        assert.ok(worst <= 1e-5, `differs by ${worst}`);
    });

    test('token ids and a layer filter', async () => {
        const ids = await client.tokenize('Hello world', { addBos: true });
        const result = await client.attention({ prompt: ids, layers: [1] });
        assert.deepEqual(result.tokens.map(t => t.id), ids);
        assert.deepEqual(result.layers, [1]);
        assert.equal(toNestedArrays(result).length, 1);
        assert.ok(compareAttention(result, reference) <= tolerance);
    });

    test('LoRA adapters of the loaded model apply to the attention context', async () => {
        const adapter = await fixtureLoraPath();
        const adapted = await loadReferenceModel(model, { lora: { path: adapter, scale: 1 } });
        await client.loadModel({ model, gpu: 'off', threads: 1, lora: [{ path: adapter, scale: 1 }] });
        try {
            const result = await client.attention({ prompt: LORA_TEST_PROMPT });
            assert.ok(compareAttention(result, adapted) <= tolerance);
        } finally {
            await client.loadModel({ model, gpu: 'off', threads: 1 });
        }
    });

    test('bad requests fail clearly', async () => {
        // Revived from the host by class, with its fields: the panel recognises it by class, never by its words.
        await assert.rejects(client.attention({ prompt: Array.from({ length: 513 }, () => 5) }), (error: unknown) => {
            assert.ok(error instanceof AttentionLimitError, String(error));
            assert.deepEqual([error.limit, error.tokens], [maxAttentionTokens, 513]);
            assert.match(error.message, /limited to 512 tokens; this prompt has 513/);
            return true;
        });
        await assert.rejects(client.attention({ prompt, layers: [2] }), /Layer 2 does not exist/);
        await assert.rejects(client.attention({ prompt: '', addBos: false }), /empty/);
        await assert.rejects(client.attention({ prompt: [1, 999999] }), /not a token id/);
    });
});
