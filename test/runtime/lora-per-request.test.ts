// Per-request LoRA adapters (CompletionRequest/ChatRequest/TokenProbabilitiesRequest.lora) on a model loaded without any:
// scale 0 is the base model, scale 1 makes the boosted token greedy, a mismatched adapter is a LoraAdapterError (no abort).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LoraAdapterError } from '../../src/shared/errors';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

describe('per-request LoRA adapters', () => {
    let client: RuntimeClient;
    let adapter: string;

    before(async () => {
        const [model, lora] = await Promise.all([fixtureModelPath(), fixtureLoraPath()]);
        adapter = lora;
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
    });

    const run = (lora?: { path: string; scale?: number }[]) =>
        client.complete({ prompt: LORA_TEST_PROMPT, sampling: { ...greedy, maxTokens: 6 }, ...(lora ? { lora } : {}) });

    test('scale 0 equals the base model, scale 1 changes the greedy token; the default context stays the base', async () => {
        const base = await run();
        assert.notEqual(base.tokens[0], LORA_BOOSTED_TOKEN.id, 'the base model must not already prefer the boosted token');
        assert.deepEqual((await run([])).tokens, base.tokens, 'an empty list is the base model');
        assert.deepEqual((await run([{ path: adapter, scale: 0 }])).tokens, base.tokens);
        const adapted = await run([{ path: adapter, scale: 1 }]);
        assert.equal(adapted.tokens[0], LORA_BOOSTED_TOKEN.id);
        assert.deepEqual((await run()).tokens, base.tokens, 'a request without lora still runs on the model\'s own (none)');
        assert.deepEqual(client.loadedModel?.lora, []);
    });

    test('chat requests take adapters too', async () => {
        const messages = [{ role: 'user' as const, text: LORA_TEST_PROMPT }];
        const sampling = { ...greedy, maxTokens: 4 };
        const base = await client.chat({ messages, sampling });
        const zero = await client.chat({ messages, sampling, lora: [{ path: adapter, scale: 0 }] });
        assert.deepEqual(zero.tokens, base.tokens);
    });

    test('token probabilities under scale 0 equal the base distribution; scale 1 moves the boosted token up', async () => {
        // The generated row's `top` is the next-token distribution after the prompt.
        const request = { prompt: LORA_TEST_PROMPT, topK: 5, generate: 1, sampling: greedy };
        const base = await client.tokenProbabilities(request);
        const zero = await client.tokenProbabilities({ ...request, lora: [{ path: adapter, scale: 0 }] });
        const one = await client.tokenProbabilities({ ...request, lora: [{ path: adapter, scale: 1 }] });
        const last = (r: typeof base) => r.tokens.at(-1)!.top;
        const logprobOf = (r: typeof base, id: number) => last(r).find(t => t.id === id)?.logprob ?? -Infinity;
        assert.deepEqual(last(zero).map(t => t.id), last(base).map(t => t.id));
        for (const [i, t] of last(zero).entries()) assert.ok(Math.abs(t.logprob - last(base)[i]!.logprob) < 1e-5);
        assert.ok(logprobOf(one, LORA_BOOSTED_TOKEN.id) > logprobOf(base, LORA_BOOSTED_TOKEN.id));
    });

    test('self-consistency paths (chatMany, completeMany) run on the request\'s adapters, not the model\'s', async () => {
        const messages = [{ role: 'user' as const, text: LORA_TEST_PROMPT }];
        const sampling = { ...greedy, maxTokens: 3 };
        const base = await client.chatMany({ messages, sampling, n: 2 });
        const adapted = await client.chatMany({ messages, sampling, n: 2, lora: [{ path: adapter, scale: 1 }] });
        const lone = await client.chat({ messages, sampling, lora: [{ path: adapter, scale: 1 }] });
        for (const path of adapted.paths) assert.deepEqual(path.tokens, lone.tokens, 'each greedy path equals the lone adapted chat');
        assert.notDeepEqual(adapted.paths[0]!.tokens, base.paths[0]!.tokens, 'the adapter changes the greedy path');
        const many = await client.completeMany({ prompt: LORA_TEST_PROMPT, sampling, n: 2, lora: [{ path: adapter, scale: 1 }] });
        assert.equal(many.paths[0]!.tokens[0], LORA_BOOSTED_TOKEN.id);
    });

    test('label scores (scoreContinuations) under an adapter equal the adapted distribution', async () => {
        const request = { prompt: LORA_TEST_PROMPT, continuations: [LORA_BOOSTED_TOKEN.text] };
        const base = await client.scoreContinuations(request);
        const zero = await client.scoreContinuations({ ...request, lora: [{ path: adapter, scale: 0 }] });
        const one = await client.scoreContinuations({ ...request, lora: [{ path: adapter, scale: 1 }] });
        assert.ok(Math.abs(zero.scores[0]!.logprob - base.scores[0]!.logprob) < 1e-5);
        assert.ok(one.scores[0]!.logprob > base.scores[0]!.logprob + 0.1, `${one.scores[0]!.logprob} vs ${base.scores[0]!.logprob}`);
    });

    test('validateLora accepts the fixture adapter and rejects one for other dimensions; a request with it fails cleanly', async () => {
        assert.equal(await client.validateLora(adapter), adapter);
        const foreign = await otherFixtureLoraPath();
        const pid = client.hostPid;
        await assert.rejects(client.validateLora(foreign), (error: unknown) => {
            assert.ok(error instanceof LoraAdapterError, String(error));
            assert.match(error.message, /another model/);
            return true;
        });
        await assert.rejects(run([{ path: foreign }]), LoraAdapterError);
        await assert.rejects(run([{ path: adapter, scale: Number.NaN }]), /Invalid LoRA scale/);
        assert.equal(client.hostPid, pid, 'no abort');
        assert.ok((await run()).tokens.length > 0, 'the model still runs');
    });
});
