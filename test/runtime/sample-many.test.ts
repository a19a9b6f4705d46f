// Several sampled paths from one prompt (self-consistency), through RuntimeClient → runtime host → node-llama-cpp:
// the prompt is evaluated once and copied to every path's sequence, and the paths decode together.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { validateSampling } from '../../src/core/sampling/validateSampling';
import { buildEvaluateOptions } from '../../src/runtime/host/engine/buildEvaluateOptions';
import { runDecodeLoop } from '../../src/runtime/host/engine/decodeLoop';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import { fixtureModelPath } from '../support/fixtures';
import { batchRoundingTolerance } from '../support/batchRounding';
import { greedy, newClient } from './helpers';

const prompt = 'The cat sat on the mat and the dog';
const sampled = { temperature: 0.9, seed: 42, maxTokens: 12 };

describe('completeMany / chatMany through the runtime host', () => {
    let client: RuntimeClient;
    let promptTokens: number;

    before(async () => {
        ({ client } = newClient());
        await client.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
        promptTokens = (await client.tokenize(prompt, { addBos: true })).length;
    });

    after(async () => {
        await client.dispose();
    });

    test('the same seed gives the same paths; the paths differ from each other', async () => {
        const first = await client.completeMany({ prompt, n: 5, sampling: sampled });
        const again = await client.completeMany({ prompt, n: 5, sampling: sampled });
        assert.equal(first.paths.length, 5);
        assert.equal(first.seed, 42);
        // Same tokens; log-probs agree to F16 KV-cache precision (the second run reuses the first's prompt cells).
        assert.deepEqual(again.paths.map(p => [p.text, p.tokens, p.seed, p.stopReason]), first.paths.map(p => [p.text, p.tokens, p.seed, p.stopReason]));
        again.paths.forEach((p, i) => p.tokenLogprobs.forEach((l, j) => assert.ok(Math.abs(l - first.paths[i]!.tokenLogprobs[j]!) < 1e-3)));
        assert.equal(first.paths[0]!.seed, 42, 'path 0 samples with the request seed');
        assert.equal(new Set(first.paths.map(p => p.seed)).size, 5);
        assert.ok(new Set(first.paths.map(p => p.tokens.join(','))).size >= 4, 'different seeds, different paths');
        for (const path of first.paths) {
            assert.equal(path.tokens.length, 12);
            assert.equal(path.stopReason, 'maxTokens');
            assert.equal(path.tokenLogprobs.length, path.tokens.length);
            assert.ok(path.tokenLogprobs.every(l => l <= 0 && Number.isFinite(l)));
            const mean = path.tokenLogprobs.reduce((a, b) => a + b, 0) / path.tokenLogprobs.length;
            assert.ok(Math.abs(path.meanLogprob! - mean) < 1e-12);
            assert.equal(path.text.trim(), (await client.detokenize(path.tokens)).trim());
        }
        const other = await client.completeMany({ prompt, n: 5, sampling: { ...sampled, seed: 43 } });
        assert.notDeepEqual(other.paths.map(p => p.tokens), first.paths.map(p => p.tokens));
    });

    test('the prompt is evaluated once: shared prefix once, the last prompt token once per path', async () => {
        const text = 'A fresh prompt that no sequence holds yet, with a few more words';
        const tokens = (await client.tokenize(text, { addBos: true })).length;
        const n = 6;
        const result = await client.completeMany({ prompt: text, n, sampling: { ...sampled, maxTokens: 4 } });
        assert.equal(result.timing.promptTokens, tokens);
        assert.equal(result.timing.reusedPromptTokens, 0);
        assert.equal(result.timing.evaluatedPromptTokens, tokens - 1 + n, `not ${n} × ${tokens}`);
        assert.equal(result.timing.generatedTokens, n * 4);
        // The next request on the same prompt reuses the shared sequence's cells as well.
        const again = await client.completeMany({ prompt: text, n, sampling: { ...sampled, maxTokens: 4 } });
        assert.equal(again.timing.reusedPromptTokens, tokens - 1);
        assert.equal(again.timing.evaluatedPromptTokens, n);
    });

    test('greedy paths are all the single greedy generation', async () => {
        const single = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 10 } });
        const many = await client.completeMany({ prompt, n: 3, sampling: { ...greedy, maxTokens: 10 } });
        for (const path of many.paths) assert.deepEqual(path.tokens, single.tokens);
        assert.equal(many.timing.promptTokens, promptTokens);
    });

    test('chatMany renders the conversation once and stops each path at the end of its turn', async () => {
        const result = await client.chatMany({ messages: [{ role: 'user', text: 'Pick a word' }], n: 3, sampling: { ...sampled, maxTokens: 40 } });
        assert.equal(result.paths.length, 3);
        for (const path of result.paths) {
            assert.ok(['eos', 'maxTokens', 'stopSequence'].includes(path.stopReason));
            assert.ok(!path.text.includes('<|im_end|>'));
        }
        assert.equal(result.timing.evaluatedPromptTokens, result.timing.promptTokens - 1 - result.timing.reusedPromptTokens + 3);
    });

    test('a grammar constrains every path', async () => {
        const result = await client.completeMany({ prompt, n: 4, sampling: { ...sampled, maxTokens: 8, grammar: 'root ::= ("yes" | "no")' } });
        for (const path of result.paths) assert.match(path.text, /^(yes|no)$/);
    });

    test('aborting stops every path; the runtime serves the next request', async () => {
        const controller = new AbortController();
        // A forced plain token keeps every path going until the context is full, far past the abort.
        const plain = (await client.tokenize(' the')).at(-1)!;
        const running = client.completeMany({ prompt, n: 4, sampling: { ...sampled, maxTokens: 100_000, logitBias: { [plain]: Infinity } } }, { signal: controller.signal });
        setTimeout(() => controller.abort(), 150);
        const result = await running;
        for (const path of result.paths) assert.equal(path.stopReason, 'aborted');
        const room = client.loadedModel!.contextSize - promptTokens;
        assert.ok(result.paths.every(p => p.tokens.length < room), 'stopped long before the context was full');

        const pre = new AbortController();
        pre.abort();
        const none = await client.completeMany({ prompt, n: 2, sampling: sampled }, { signal: pre.signal });
        assert.deepEqual(none.paths.map(p => [p.stopReason, p.tokens.length]), [['aborted', 0], ['aborted', 0]]);

        const after = await client.completeMany({ prompt, n: 4, sampling: sampled });
        assert.ok(after.paths.every(p => p.stopReason === 'maxTokens'));
    });

    test('bad path counts are clear errors', async () => {
        await assert.rejects(client.completeMany({ prompt, n: 0, sampling: sampled }), /Invalid path count n = 0/);
        await assert.rejects(client.completeMany({ prompt, n: 2.5, sampling: sampled }), /Invalid path count/);
        await assert.rejects(client.completeMany({ prompt, n: 65, sampling: sampled }), /from 1 to 64/);
    });
});

describe('batched paths against sequential generation (in-process engine)', () => {
    const engine = new LlamaEngine();

    before(async () => {
        await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
    });

    after(async () => {
        await engine.dispose();
    });

    test('each path has the tokens and log-probs of a lone generation with its seed', async () => {
        const many = await engine.completeMany({ prompt, n: 4, sampling: sampled });
        const tokens = engine.model.tokenizePrompt(prompt, undefined);
        const sampling = validateSampling(sampled);
        for (const path of many.paths) {
            const history = tokens.slice();
            const logprobs: number[] = [];
            // The paths' context runs without flash attention (LoadedModel.generateMany): compare like with like, since
            // llama.cpp's CPU flash attention rounds through F16 and moves log-probs by ~1e-3 on its own.
            const context = await engine.model.contexts.get({ flashAttention: false });
            const sequence = await context.acquireSequence();
            try {
                const { result, settled } = await runDecodeLoop({
                    sequence, promptTokens: tokens, history, seed: path.seed, maxTokens: sampled.maxTokens, stopSequences: [],
                    evaluateOptions: await buildEvaluateOptions(engine.model.model, engine.model.grammars, sampling, path.seed, history),
                    reusePrefix: false, metadata: { confidence: true },
                    onTokenMetadata: (_t: Token, m) => logprobs.push(Math.log(m.confidence!)), startedAt: performance.now(),
                });
                await settled;
                assert.deepEqual(path.tokens, result.tokens, `path with seed ${path.seed}`);
                path.tokenLogprobs.forEach((l, i) => assert.ok(Math.abs(l - logprobs[i]!) < batchRoundingTolerance, `token ${i}: ${l} vs ${logprobs[i]}`));
            } finally {
                context.releaseSequence(sequence);
            }
        }
    });
});
