// The addon's generation loop (generationLoop.cc) against node-llama-cpp's own token loop, on the fixture model: the
// same sampler settings must give the same tokens, text and stop reason, and node-llama-cpp's record of the sequence
// must match what the loop left in the KV cache (prefix reuse after it gives the tokens of a fresh evaluation).
// The reference host runs with PROMPTSCOPE_DECODE_LOOP=node-llama-cpp.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionResult, SamplingOptions } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

const prompt = 'The cat sat on the';

describe('native generation loop', () => {
    let native: RuntimeClient;
    let reference: RuntimeClient;
    let plainToken: number;

    before(async () => {
        const model = await fixtureModelPath();
        native = newClient().client;
        reference = newClient({ env: { PROMPTSCOPE_DECODE_LOOP: 'node-llama-cpp' } }).client;
        await Promise.all([native, reference].map(c => c.loadModel({ model, gpu: 'off', threads: 1 })));
        plainToken = (await native.tokenize(' the')).at(-1)!;
    });

    after(async () => {
        await Promise.all([native?.dispose(), reference?.dispose()]);
    });

    function assertSameGeneration(actual: CompletionResult, expected: CompletionResult, label: string): void {
        assert.deepEqual(actual.tokens, expected.tokens, `${label}: tokens`);
        assert.equal(actual.text, expected.text, `${label}: text`);
        assert.equal(actual.stopReason, expected.stopReason, `${label}: stop reason`);
    }

    test('plain sampling runs natively; a grammar, and the reference host, use node-llama-cpp\'s loop', async () => {
        const plain = await native.complete({ prompt, sampling: { ...greedy, maxTokens: 4 } });
        assert.equal(plain.timing.loop, 'native');
        const grammar = await native.complete({ prompt, sampling: { ...greedy, maxTokens: 4, grammar: 'root ::= "yes" | "no"' } });
        assert.equal(grammar.timing.loop, 'node-llama-cpp');
        assert.match(grammar.text, /^(yes|no)$/);
        const other = await reference.complete({ prompt, sampling: { ...greedy, maxTokens: 4 } });
        assert.equal(other.timing.loop, 'node-llama-cpp');
        assertSameGeneration(plain, other, 'greedy');
    });

    test('every sampler setting gives node-llama-cpp\'s tokens, streamed or not', async () => {
        const settings: [string, SamplingOptions][] = [
            ['greedy', { ...greedy, maxTokens: 40 }],
            ['greedy with repeat penalty', { temperature: 0, repeatPenalty: 1.5, repeatLastTokens: 16, maxTokens: 40 }],
            ['full distribution', { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, maxTokens: 40, seed: 42 }],
            ['defaults with a seed', { seed: 7, maxTokens: 40 }],
            ['top-k, top-p, min-p, hot', { temperature: 1.7, topK: 12, topP: 0.8, minP: 0.02, seed: 3, maxTokens: 40 }],
            ['logit bias: ban, boost, force', { seed: 11, maxTokens: 24, logitBias: { [plainToken]: 'ban', 100: 4, 101: -2 } }],
            ['forced token', { seed: 5, maxTokens: 12, logitBias: { [plainToken]: Infinity } }],
            ['stop sequence', { seed: 9, maxTokens: 60, stopSequences: ['e'] }],
        ];
        for (const [label, sampling] of settings) {
            for (const stream of [false, true]) {
                const options = stream ? { onToken: () => undefined } : {};
                const expected = await reference.complete({ prompt, sampling }, options);
                const actual = await native.complete({ prompt, sampling }, options);
                assert.equal(actual.timing.loop, 'native', label);
                assertSameGeneration(actual, expected, `${label}${stream ? ', streamed' : ''}`);
            }
        }
    });

    test('streamed tokens arrive in order and make up the result', async () => {
        const chunks: number[][] = [];
        let text = '';
        const result = await native.complete({ prompt, sampling: { seed: 1, maxTokens: 30 } }, {
            onToken: chunk => {
                chunks.push(chunk.tokens);
                text += chunk.text;
            },
        });
        assert.deepEqual(chunks.flat(), result.tokens);
        assert.equal(text, result.text);
        assert.ok(result.timing.tokensPerSecond > 0);
        assert.ok(result.timing.timeToFirstTokenMs > 0 && result.timing.timeToFirstTokenMs <= result.timing.ms);
    });

    test('after a native generation the sequence reuses exactly what the loop evaluated', async () => {
        const promptTokens = await native.tokenize(prompt, { addBos: true });
        const first = await native.complete({ prompt: promptTokens, sampling: { ...greedy, maxTokens: 10, logitBias: { [plainToken]: 5 } } });
        assert.equal(first.tokens.length, 10);
        // The loop evaluated the prompt and every generated token but the last: a continuation reuses all of them.
        const continued = [...promptTokens, ...first.tokens, plainToken];
        const again = await native.complete({ prompt: continued, sampling: { ...greedy, maxTokens: 20 } });
        assert.equal(again.timing.reusedPromptTokens, promptTokens.length + first.tokens.length - 1);
        const fresh = await reference.complete({ prompt: continued, sampling: { ...greedy, maxTokens: 20 } });
        assertSameGeneration(again, fresh, 'continuation');
        // A different prompt drops the old tokens first.
        const other = await native.complete({ prompt: 'Once upon a time', sampling: { ...greedy, maxTokens: 12 } });
        assertSameGeneration(other, await reference.complete({ prompt: 'Once upon a time', sampling: { ...greedy, maxTokens: 12 } }), 'new prompt');
    });

    test('a prompt longer than one batch is evaluated in batches, like node-llama-cpp', async () => {
        const long = Array.from({ length: 90 }, (_, i) => `line ${i}: the cat sat on the mat.`).join('\n');
        const sampling = { ...greedy, maxTokens: 16 };
        const expected = await reference.complete({ prompt: long, sampling });
        const actual = await native.complete({ prompt: long, sampling });
        assert.ok(actual.timing.promptTokens > 512, `${actual.timing.promptTokens} prompt tokens`);
        assertSameGeneration(actual, expected, 'long prompt');
    });

    test('an abort stops the loop; the sequence stays consistent for the next request', async () => {
        const controller = new AbortController();
        let chunks = 0;
        const result = await native.complete({ prompt, sampling: { ...greedy, maxTokens: 3000, logitBias: { [plainToken]: Infinity } } }, {
            signal: controller.signal,
            onToken: () => {
                if (++chunks === 3) controller.abort();
            },
        });
        assert.equal(result.stopReason, 'aborted');
        assert.ok(result.tokens.length < 3000);
        const sampling = { ...greedy, maxTokens: 16 };
        assertSameGeneration(await native.complete({ prompt, sampling }), await reference.complete({ prompt, sampling }), 'after abort');
    });

    test('generation stops when the context is full, as in node-llama-cpp\'s loop', async () => {
        const info = await native.modelInfo();
        const promptTokens = await native.tokenize(prompt, { addBos: true });
        const filler = Array.from({ length: info!.contextSize - promptTokens.length - 8 }, () => plainToken);
        const sampling = { ...greedy, maxTokens: 50, logitBias: { [plainToken]: Infinity } };
        const expected = await reference.complete({ prompt: [...promptTokens, ...filler], sampling });
        const actual = await native.complete({ prompt: [...promptTokens, ...filler], sampling });
        assert.equal(actual.stopReason, 'contextFull');
        assert.equal(actual.tokens.length, 8);
        assertSameGeneration(actual, expected, 'context full');
    });
});
