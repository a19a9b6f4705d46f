// Inspecting an earlier run (the playground's Show probabilities / Show attention): token probabilities score the
// run's own output tokens (`generated`) instead of sampling again, and attention evaluates them after the prompt,
// with the run's per-request adapters. On the fixture model, against its own generations and a reference forward pass.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { attentionAt } from '../../src/core/attention/attentionWeights';
import { fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath } from '../support/fixtures';
import { loadReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from './helpers';

/** A runtime client with the fixture model loaded for the enclosing describe block (1 thread), disposed after it. */
function withFixtureClient(): { readonly client: RuntimeClient; readonly model: string } {
    const held = {} as { client: RuntimeClient; model: string };
    before(async () => {
        held.model = await fixtureModelPath();
        ({ client: held.client } = newClient());
        await held.client.loadModel({ model: held.model, gpu: 'off', threads: 1 });
    });
    after(async () => {
        await held.client.dispose();
    });
    return held;
}

const messages: ChatMessage[] = [{ role: 'system', text: 'You are terse.' }, { role: 'user', text: 'Hello there' }];

describe('inspecting a finished run', () => {
    const fixture = withFixtureClient();

    test('a chat run\'s output tokens are scored as generated: the same ids, after the same rendered prompt', async () => {
        const run = await fixture.client.chat({ messages, sampling: { temperature: 0.9, seed: 7, maxTokens: 12 } });
        assert.ok(run.tokens.length > 0);
        const report = await fixture.client.tokenProbabilities({ prompt: messages, generated: run.tokens, sampling: { temperature: 0.9, seed: run.seed } });
        const generated = report.tokens.filter(t => t.source === 'generated');
        assert.deepEqual(generated.map(t => t.id), run.tokens);
        assert.equal(report.timing.promptTokens, run.timing.promptTokens, 'the chat template renders the prompt as the run did');
        assert.equal(report.seed, run.seed);
        for (const row of generated) {
            assert.ok(row.logprob !== null && row.logprob <= 0, `token ${row.index} has a log-probability`);
            assert.ok((row.sampledTop?.length ?? 0) > 0, 'the sampler\'s distribution is reported for forced tokens too');
        }
    });

    test('a grammar-constrained output is scored token for token', async () => {
        const run = await fixture.client.complete({ prompt: 'Answer:', sampling: { ...greedy, grammar: 'root ::= "yes" | "no"', maxTokens: 8 } });
        assert.ok(['yes', 'no'].includes(run.text), run.text);
        const free = await fixture.client.tokenProbabilities({ prompt: 'Answer:', generate: run.tokens.length, sampling: greedy });
        const scored = await fixture.client.tokenProbabilities({ prompt: 'Answer:', generated: run.tokens, sampling: greedy });
        assert.deepEqual(scored.tokens.filter(t => t.source === 'generated').map(t => t.id), run.tokens);
        // The forced tokens are scored in place: the prompt rows are the free pass's.
        assert.deepEqual(scored.tokens.filter(t => t.source === 'prompt'), free.tokens.filter(t => t.source === 'prompt'));
    });

    test('greedy: scoring the generated tokens equals generating them (ids and log-probabilities)', async () => {
        const free = await fixture.client.tokenProbabilities({ prompt: 'Once upon a time', generate: 10, sampling: greedy });
        const ids = free.tokens.filter(t => t.source === 'generated').map(t => t.id);
        const scored = await fixture.client.tokenProbabilities({ prompt: 'Once upon a time', generated: ids, sampling: greedy });
        assert.equal(scored.tokens.length, free.tokens.length);
        scored.tokens.forEach((row, i) => {
            assert.equal(row.id, free.tokens[i]!.id);
            assert.equal(row.source, free.tokens[i]!.source);
            assert.ok(Math.abs((row.logprob ?? 0) - (free.tokens[i]!.logprob ?? 0)) <= 1e-6);
        });
    });

    test('per-request adapters apply to scored tokens; bad generated ids are refused', async () => {
        const lora = [{ path: await fixtureLoraPath(), scale: 1 }];
        const prompt = LORA_TEST_PROMPT;
        const base = await fixture.client.tokenProbabilities({ prompt, generated: [LORA_BOOSTED_TOKEN.id], sampling: greedy, lora: [] });
        const adapted = await fixture.client.tokenProbabilities({ prompt, generated: [LORA_BOOSTED_TOKEN.id], sampling: greedy, lora });
        const last = (r: typeof base) => r.tokens[r.tokens.length - 1]!;
        assert.equal(last(adapted).id, LORA_BOOSTED_TOKEN.id);
        assert.equal(last(adapted).top[0]!.id, LORA_BOOSTED_TOKEN.id, 'scale 1 makes the boosted token the most likely');
        assert.ok(last(adapted).logprob! > last(base).logprob!);
        await assert.rejects(fixture.client.tokenProbabilities({ prompt, generated: [999_999] }), /generated contains 999999/);
    });
});

const addonPath = join(__dirname, '..', '..', 'build', 'native', 'llamaExtras.node');
const hasCompiler = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
const skip = !hasCompiler && !existsSync(addonPath) ? 'no C++ compiler, so no native addon' : false;

describe('attention of a finished run', { skip }, () => {
    const fixture = withFixtureClient();

    test('the output tokens follow the rendered prompt; per-request adapters are validated and applied', async () => {
        const run = await fixture.client.chat({ messages, sampling: { ...greedy, maxTokens: 6 } });
        const prompt = await fixture.client.attention({ prompt: messages, layers: [0] });
        const whole = await fixture.client.attention({ prompt: messages, generated: run.tokens, layers: [0] });
        assert.equal(prompt.tokens.length, run.timing.promptTokens);
        assert.deepEqual(whole.tokens.map(t => t.id), [...prompt.tokens.map(t => t.id), ...run.tokens]);
        // Causal attention: the prompt's rows do not change when tokens follow it.
        const P = prompt.tokens.length;
        for (let q = 0; q < P; q++) {
            for (let k = 0; k <= q; k++) assert.ok(Math.abs(attentionAt(whole, 0, 0, q, k) - attentionAt(prompt, 0, 0, q, k)) <= 1e-5);
        }

        const adapter = await fixtureLoraPath();
        const adapted = await fixture.client.attention({ prompt: LORA_TEST_PROMPT, lora: [{ path: adapter, scale: 1 }] });
        const reference = await loadReferenceModel(fixture.model, { lora: { path: adapter, scale: 1 } });
        const expected = reference.forward(adapted.tokens.map(t => t.id)).attention;
        const n = adapted.tokens.length;
        let worst = 0;
        for (let q = 0; q < n; q++) for (let k = 0; k <= q; k++) worst = Math.max(worst, Math.abs(attentionAt(adapted, 0, 0, q, k) - expected[0]![0]![q]![k]!));
        assert.ok(worst <= 1e-4, `layer 0 head 0 differs by ${worst}`);
        await assert.rejects(fixture.client.attention({ prompt: LORA_TEST_PROMPT, lora: [{ path: await otherFixtureLoraPath() }] }), /adapter|LoRA/i);
    });
});
