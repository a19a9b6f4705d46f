// llama.cpp's CPU backend computes GELU through a float16 table, so Gemma's log-probabilities are a step function of
// the GELU inputs, and llama.cpp's float32 inputs sometimes land on the other side of a step than the reference's
// float64 ones. This checks that the reference's explanation of such differences (test/support/reference/floatSteps.ts)
// explains llama.cpp's real ones, and explains neither a small real difference nor GELU computed without the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenProbabilitiesResult } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { zooLoraPath, zooModelPath } from '../support/fixtures';
import { compareProbabilities } from '../support/referenceComparisons';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from './helpers';

const tolerance = 1e-4;
/** Token ids (not text: the gemma tokenizer may change) on which llama.cpp's CPU GELU steps at least once. */
const prompt = [2, ...Array.from({ length: 63 }, (_, i) => (i * 37 + 11) % 1000 + 300)];

describe('float16 steps of llama.cpp\'s CPU GELU (gemma3 fixture)', () => {
    let client: RuntimeClient;
    let model: string;
    let reference: ReferenceModel;
    let result: TokenProbabilitiesResult;

    before(async () => {
        model = await zooModelPath('gemma3');
        reference = await loadReferenceModel(model);
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
        result = await client.tokenProbabilities({ prompt, topK: 10, sampling: greedy });
    });

    after(async () => {
        await client?.dispose();
    });

    test('llama.cpp differs from the reference beyond 1e-4 here, and a few float16 steps explain it to 1e-4', () => {
        const strict = compareProbabilities(result, reference, 10);
        const explained = compareProbabilities(result, reference, 10, tolerance);
        process.stderr.write(`gemma3 CPU: max |Δ| ${Math.max(strict.logprob, strict.top).toExponential(2)}, after ${explained.floatSteps ?? 0} float16 step(s) ${explained.logprob.toExponential(2)}\n`);
        assert.ok(Math.max(strict.logprob, strict.top) > tolerance, 'no float16 step on these ids any more (the fixture changed): choose ids on which llama.cpp steps');
        assert.ok(explained.floatSteps! >= 1 && explained.floatSteps! <= 3, `${explained.floatSteps} steps`);
        assert.ok(Math.max(explained.logprob, explained.entropy, explained.top) <= tolerance, JSON.stringify(explained));
    });

    test('a small real difference is not explained away', async () => {
        // The fixture LoRA at 3/1000 of its scale moves these log-probabilities by ~5e-4: a difference steps must not hide.
        const adapter = await zooLoraPath('gemma3');
        const nudged = await loadReferenceModel(model, { lora: { path: adapter, scale: 3e-3 } });
        const explained = compareProbabilities(result, nudged, 10, tolerance);
        assert.ok(Math.max(explained.logprob, explained.top) > 3 * tolerance, JSON.stringify(explained));
    });

    test('GELU without the table (as the GPU backends compute it) is not what the CPU computed', async () => {
        const exact = await loadReferenceModel(model, { backend: 'gpu' });
        assert.ok(compareProbabilities(result, exact, 10, tolerance).logprob > 5 * tolerance);
    });
});
