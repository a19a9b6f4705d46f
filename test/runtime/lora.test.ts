// LoRA adapters on the default context: scale 0 is the base model, scale 1 changes the greedy token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LoraAdapterError } from '../../src/shared/errors';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

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
});
