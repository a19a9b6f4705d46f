// Attention on the gemma3 fixture's sliding-window layers (window 8, every other layer) against the reference, on a
// prompt longer than the window, than one micro-batch and than 256 cells: the capture context keeps a full-size SWA
// cache (src/runtime/native/attentionCapture.cc), so cell k is position k on sliding layers too, stitched or not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNestedArrays } from '../../src/core/attention/attentionWeights';
import { GEMMA3_SLIDING_WINDOW } from '../../src/core/fixtures/architectures/gemma3Architecture';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { zooModelPath } from '../support/fixtures';
import { compareAttention } from '../support/referenceComparisons';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { newClient } from './helpers';

const tolerance = 1e-4;
const addonPath = join(__dirname, '..', '..', 'build', 'native', 'llamaExtras.node');
const hasCompiler = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
const skip = !hasCompiler && !existsSync(addonPath)
    ? 'no C++ compiler on this machine, so the native addon cannot be built (install g++, make, python3)' : false;
/** 300 token ids after BOS (ids, not text: independent of the tokenizer). */
const prompt = [2, ...Array.from({ length: 300 }, (_, i) => (i * 53 + 7) % 1500 + 300)];

describe('sliding-window attention (gemma3 fixture)', { skip }, () => {
    let client: RuntimeClient;
    let reference: ReferenceModel;

    before(async () => {
        const model = await zooModelPath('gemma3');
        reference = await loadReferenceModel(model);
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client?.dispose();
    });

    for (const ubatch of [undefined, 5, 100]) {
        test(`301 tokens${ubatch ? ` in micro-batches of ${ubatch}` : ''}: every layer matches the reference within 1e-4`, async () => {
            const result = await client.attention({ prompt, ...(ubatch ? { ubatch } : {}) });
            const worst = compareAttention(result, reference);
            process.stderr.write(`gemma3 sliding-window attention${ubatch ? `, ubatch ${ubatch}` : ''}: max |Δ| ${worst.toExponential(2)}\n`);
            assert.ok(worst <= tolerance, `differs by ${worst}`);
            const [sliding, global] = toNestedArrays(result);
            // Layer 0 slides: a query sees itself and the 7 keys before it, nothing earlier. Layer 1 sees every key.
            const query = 200;
            const earlier = (row: number[]): number => row.slice(0, query - GEMMA3_SLIDING_WINDOW + 1).reduce((s, v) => s + v, 0);
            for (const head of sliding!) assert.equal(earlier(head[query]!), 0);
            assert.ok(global!.some(head => earlier(head[query]!) > 0.01), 'the global layer attends beyond the window');
        });
    }
});
