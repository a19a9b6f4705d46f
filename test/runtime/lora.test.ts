// LoRA adapters on the default context: scale 0 is the base model, scale 1 changes the greedy token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LoraAdapterError } from '../../src/shared/errors';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT, SeededRandom } from '../../src/core/fixtures';
import { GgmlType, GgufFile, gguf, writeGguf } from '../../src/core/gguf';
import { fixtureFile, fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath, zooModelPath } from '../support/fixtures';
import { compareProbabilities } from '../support/referenceComparisons';
import { loadReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from './helpers';

/**
 * A LoRA on `token_embd.weight` of `model` in the layout llama.cpp reads for an embedding (convert_lora_to_gguf writes
 * PEFT's embed_tokens so): lora_a [r, n_vocab], lora_b [r, n_embd]; small random values.
 */
async function embeddingLora(path: string, model: string): Promise<void> {
    const file = await GgufFile.open(model);
    const [embedding, vocabulary] = file.tensor('token_embd.weight').shape as [number, number];
    const architecture = file.metadata.get('general.architecture')!;
    await file.close();
    const rank = 4;
    const random = new SeededRandom(3, 'embedding-lora');
    const a = new Float32Array(rank * vocabulary);
    const b = new Float32Array(rank * embedding);
    random.fillUniform(a, 1);
    random.fillUniform(b, 0.5);
    await writeGguf(path, {
        metadata: new Map([
            ['general.architecture', architecture],
            ['general.type', gguf.str('adapter')],
            ['adapter.type', gguf.str('lora')],
            ['adapter.lora.alpha', gguf.f32(rank)],
        ]),
        tensors: [
            { name: 'token_embd.weight.lora_a', shape: [rank, vocabulary], type: GgmlType.F32, data: a },
            { name: 'token_embd.weight.lora_b', shape: [rank, embedding], type: GgmlType.F32, data: b },
        ],
    });
}

describe('LoRA adapters', () => {
    let client: RuntimeClient;
    let model: string;
    let adapter: string;

    before(async () => {
        [model, adapter] = await Promise.all([fixtureModelPath(), fixtureLoraPath()]);
        ({ client } = newClient());
    });

    after(async () => {
        await client.dispose();
    });

    async function greedyTokens(): Promise<number[]> {
        return (await client.complete({ prompt: LORA_TEST_PROMPT, sampling: { ...greedy, maxTokens: 6 } })).tokens;
    }

    test('scale 0 gives the base model\'s output, scale 1 makes the boosted token greedy', async () => {
        await client.loadModel({ model, gpu: 'off' });
        const base = await greedyTokens();
        assert.notEqual(base[0], LORA_BOOSTED_TOKEN.id, 'the base model must not already prefer the boosted token');

        const zero = await client.loadModel({ model, gpu: 'off', lora: [{ path: adapter, scale: 0 }] });
        assert.deepEqual(zero.lora, [{ path: adapter, scale: 0 }]);
        assert.deepEqual(await greedyTokens(), base);

        const one = await client.loadModel({ model, gpu: 'off', lora: [{ path: adapter }] });
        assert.deepEqual(one.lora, [{ path: adapter, scale: 1 }]);
        const adapted = await greedyTokens();
        assert.equal(adapted[0], LORA_BOOSTED_TOKEN.id);
        assert.notDeepEqual(adapted, base);
    });

    test('an adapter made for a model with other dimensions is a LoraAdapterError naming the mismatch', async () => {
        const foreign = await otherFixtureLoraPath();
        const pid = client.hostPid;
        await assert.rejects(client.loadModel({ model, gpu: 'off', lora: [{ path: foreign }] }), (error: unknown) => {
            assert.ok(error instanceof LoraAdapterError, String(error));
            assert.equal(error.path, foreign);
            assert.match(error.message, /another model/);
            return true;
        });
        assert.equal(client.hostPid, pid, 'no abort');
    });

    test('an embedding LoRA (llama.cpp\'s layout) shifts the looked-up rows exactly as the reference computes', async () => {
        const embedding = await fixtureFile('tiny-embedding-lora.gguf', path => embeddingLora(path, model));
        const reference = await loadReferenceModel(model);
        const adapted = await loadReferenceModel(model, { lora: { path: embedding, scale: 1 } });
        await client.loadModel({ model, gpu: 'off', threads: 1, lora: [{ path: embedding, scale: 1 }] });
        try {
            const result = await client.tokenProbabilities({ prompt: LORA_TEST_PROMPT, topK: 5 });
            const worst = compareProbabilities(result, adapted, 5);
            assert.ok(worst.logprob <= 1e-4 && worst.top <= 1e-4, JSON.stringify(worst));
            assert.ok(compareProbabilities(result, reference, 5).logprob > 0.01, 'the adapter changes the distribution');
        } finally {
            await client.loadModel({ model, gpu: 'off' });
        }
    });

    test('an embedding LoRA on a model whose output is tied to the embedding is refused, not left to abort llama.cpp', async () => {
        const tied = await zooModelPath('qwen2');
        const embedding = await fixtureFile('zoo-qwen2-embedding-lora.gguf', path => embeddingLora(path, tied));
        const pid = client.hostPid;
        await assert.rejects(client.loadModel({ model: tied, gpu: 'off', lora: [{ path: embedding }] }), (error: unknown) => {
            assert.ok(error instanceof LoraAdapterError, String(error));
            assert.match(error.problem, /also uses as its output layer \(tied embeddings, no output\.weight\); llama\.cpp would abort/);
            return true;
        });
        assert.equal(client.hostPid, pid, 'no abort');
    });
});
