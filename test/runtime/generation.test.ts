// Generation through RuntimeClient → dist/runtime-host.js → node-llama-cpp, on the fixture model.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../src/shared/runtimeApi';
import type { RuntimeClient, RuntimeState } from '../../src/runtime/client/RuntimeClient';
import { ContextOverflowError, GrammarError, NoModelLoadedError, SamplingOptionsError } from '../../src/shared/errors';
import { fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

const prompt = 'The cat sat on the';

describe('RuntimeClient generation on the fixture model', () => {
    let client: RuntimeClient;
    let modelPath: string;
    let info: ModelInfo;
    const states: RuntimeState[] = [];
    /** A token that is neither BOS nor EOS, forced with a +Infinity bias where a test needs generation not to end. */
    let plainToken: number;

    before(async () => {
        modelPath = await fixtureModelPath();
        ({ client } = newClient());
        client.onDidChangeState(state => states.push(state));
        info = await client.loadModel({ model: modelPath, gpu: 'off' });
        plainToken = (await client.tokenize(' the')).at(-1)!;
    });

    after(async () => {
        await client.dispose();
    });

    test('loads the model and reports what it is', async () => {
        assert.equal(info.path, modelPath);
        assert.equal(info.architecture, 'llama');
        assert.equal(info.layers, 2);
        assert.equal(info.embeddingLength, 64);
        assert.equal(info.heads, 4);
        assert.equal(info.kvHeads, 2);
        assert.equal(info.backend, 'cpu');
        assert.equal(info.gpuLayers, 0);
        assert.ok(info.parameters > 10_000, `parameters ${info.parameters}`);
        assert.ok(info.vocabularySize > 259, `vocabulary ${info.vocabularySize}`);
        assert.ok(info.contextSize > 0 && info.contextSize <= 4096 + 256);
        assert.ok(info.threads >= 1);
        assert.match(info.quantization, /^[A-Z0-9_]+$/);
        assert.equal(info.chatWrapper, 'ChatMLChatWrapper');
        assert.ok(info.chatTemplate?.includes('<|im_start|>'));
        assert.equal(typeof info.bosToken, 'number');
        assert.deepEqual(info.lora, []);
        assert.deepEqual(client.loadedModel, info);
        assert.deepEqual(await client.modelInfo(), info);
        assert.deepEqual(states.slice(0, 4), ['starting', 'idle', 'loading', 'ready']);
        const metadata = await client.modelMetadata();
        assert.equal((metadata?.general as { architecture?: string } | undefined)?.architecture, 'llama');
    });

    test('tokenize, token pieces and detokenize agree', async () => {
        const tokens = await client.tokenize('Hello world, the cat');
        assert.ok(tokens.length > 0);
        assert.equal(await client.detokenize(tokens), 'Hello world, the cat');
        const pieces = await client.tokenPieces(tokens);
        assert.equal(pieces.length, tokens.length);
        assert.equal(pieces.join(''), ' Hello world, the cat'.slice(pieces[0]!.startsWith(' ') ? 0 : 1));
        const withBos = await client.tokenize('Hello', { addBos: true });
        assert.equal(withBos[0], info.bosToken);
    });

    test('the same seed gives the same text; other seeds give other texts', async () => {
        const sampling = { temperature: 1, topK: 0, topP: 1, minP: 0, maxTokens: 24 };
        const a = await client.complete({ prompt, sampling: { ...sampling, seed: 42 } });
        const b = await client.complete({ prompt, sampling: { ...sampling, seed: 42 } });
        assert.equal(b.text, a.text);
        assert.deepEqual(b.tokens, a.tokens);
        assert.equal(a.seed, 42);
        const others = new Set<string>();
        for (const seed of [1, 2, 3, 4]) others.add((await client.complete({ prompt, sampling: { ...sampling, seed } })).text);
        others.add(a.text);
        assert.ok(others.size >= 2, 'five seeds produced one single text');
        const unseeded = await client.complete({ prompt, sampling: { ...sampling, maxTokens: 2 } });
        assert.ok(Number.isInteger(unseeded.seed), 'a drawn seed is reported');
    });

    test('streamed chunks add up to the final text and tokens', async () => {
        const chunks: { text: string; tokens: number[] }[] = [];
        const result = await client.complete({ prompt, sampling: { seed: 7, maxTokens: 40 } }, { onToken: chunk => chunks.push(chunk) });
        assert.ok(chunks.length >= 1);
        assert.equal(chunks.map(c => c.text).join(''), result.text);
        assert.deepEqual(chunks.flatMap(c => c.tokens), result.tokens);
        assert.equal(result.timing.generatedTokens, result.tokens.length);
        assert.ok(result.timing.promptTokens > 1);
        assert.ok(result.timing.tokensPerSecond > 0);
        assert.ok(result.timing.ms >= result.timing.timeToFirstTokenMs);
    });

    test('a repeated prompt reuses its evaluated prefix and gives the same greedy text', async () => {
        const first = await client.complete({ prompt: 'A fresh prompt about dogs', sampling: { ...greedy, maxTokens: 12 } });
        const second = await client.complete({ prompt: 'A fresh prompt about dogs', sampling: { ...greedy, maxTokens: 12 } });
        assert.equal(second.text, first.text);
        assert.equal(second.timing.reusedPromptTokens, second.timing.promptTokens - 1);
    });

    test('cancellation stops generation within 100 ms and resolves with stopReason "aborted"', async () => {
        const controller = new AbortController();
        let abortedAt = 0;
        let chunks = 0;
        const running = client.complete(
            // A +Infinity bias forces one plain token forever, so nothing but the abort can end this early.
            { prompt, sampling: { maxTokens: 100_000, logitBias: { [plainToken]: Infinity } } },
            {
                signal: controller.signal,
                onToken: () => {
                    if (++chunks === 3) setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 20);
                },
            },
        );
        const result = await running;
        const latency = performance.now() - abortedAt;
        assert.equal(result.stopReason, 'aborted');
        assert.ok(abortedAt > 0, 'the abort was sent');
        assert.ok(latency < 100, `resolved ${latency.toFixed(1)} ms after abort()`);
        assert.ok(result.tokens.every(t => t === plainToken));
        // The runtime is usable right after.
        const next = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 3 } });
        assert.equal(next.tokens.length, 3);
    });

    test('an already aborted signal resolves at once with nothing generated', async () => {
        const result = await client.complete({ prompt, sampling: { maxTokens: 50 } }, { signal: AbortSignal.abort() });
        assert.equal(result.stopReason, 'aborted');
        assert.equal(result.text, '');
    });

    test('stop sequences end generation before the stop text, also across token boundaries', async () => {
        const free = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 40 } });
        const pieces = await client.tokenPieces(free.tokens);
        // A stop made of the end of one token's text and the start of the next one's.
        const k = pieces.findIndex((p, i) => i > 0 && p.length > 0 && (pieces[i + 1] ?? '').length > 0);
        assert.ok(k > 0, `no two consecutive non-empty pieces in ${JSON.stringify(pieces)}`);
        const stop = pieces[k]!.slice(-1) + pieces[k + 1]![0];
        const expected = free.text.slice(0, free.text.indexOf(stop));
        const stopped = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 40, stopSequences: ['§never§', stop] } });
        assert.equal(stopped.stopReason, 'stopSequence');
        assert.equal(stopped.text, expected);
        assert.ok(!stopped.text.includes(stop));
    });

    test('maxTokens limits the generated tokens', async () => {
        const five = await client.complete({ prompt, sampling: { maxTokens: 5, logitBias: { [plainToken]: Infinity } } });
        assert.equal(five.tokens.length, 5);
        assert.equal(five.stopReason, 'maxTokens');
        const none = await client.complete({ prompt, sampling: { maxTokens: 0 } });
        assert.equal(none.tokens.length, 0);
        assert.equal(none.stopReason, 'maxTokens');
    });

    test('a logit-bias ban changes the greedy token; +Infinity forces one', async () => {
        const base = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 1 } });
        const top = base.tokens[0]!;
        assert.notEqual(top, info.eosToken, 'the greedy token is EOS; pick another prompt');
        const banned = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 1, logitBias: { [top]: 'ban' } } });
        assert.notEqual(banned.tokens[0], top);
        const minusInf = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 1, logitBias: { [top]: -Infinity } } });
        assert.equal(minusInf.tokens[0], banned.tokens[0]);
        const forced = await client.complete({ prompt, sampling: { temperature: 0.8, seed: 3, maxTokens: 4, logitBias: { [plainToken]: Infinity } } });
        assert.deepEqual(forced.tokens, [plainToken, plainToken, plainToken, plainToken]);
    });

    test('a GBNF grammar constrains the output', async () => {
        for (const seed of [1, 2, 3]) {
            const result = await client.complete({
                prompt,
                sampling: { seed, temperature: 1, maxTokens: 32, grammar: 'root ::= ("yes" | "no") " " [0-9] [0-9]?' },
            });
            assert.match(result.text, /^(yes|no) [0-9][0-9]?$/);
            assert.equal(result.stopReason, 'eos');
        }
    });

    test('a JSON schema yields parseable JSON that fits it', async () => {
        const result = await client.complete({
            prompt,
            sampling: {
                seed: 5, temperature: 0.7, maxTokens: 200,
                jsonSchema: { type: 'object', properties: { answer: { enum: ['left', 'right'] }, count: { type: 'integer' } }, required: ['answer', 'count'] },
            },
        });
        const parsed = JSON.parse(result.text) as { answer: string; count: number };
        assert.ok(['left', 'right'].includes(parsed.answer));
        assert.ok(Number.isInteger(parsed.count));
    });

    test('a broken grammar is a GrammarError, not a crash', async () => {
        const pid = client.hostPid;
        await assert.rejects(client.complete({ prompt, sampling: { grammar: 'root ::= ( "a" ' } }), GrammarError);
        assert.equal(client.hostPid, pid);
    });

    test('chat renders messages through the model\'s chat template', async () => {
        const result = await client.chat({
            messages: [{ role: 'system', text: 'You are terse.' }, { role: 'user', text: 'Say something.' }],
            sampling: { seed: 11, maxTokens: 16 },
        });
        const userTokens = (await client.tokenize('You are terse.Say something.')).length;
        assert.ok(result.timing.promptTokens > userTokens + 4, 'the template added its markers');
        assert.ok(['eos', 'maxTokens'].includes(result.stopReason));
        assert.ok(!result.text.includes('<|im_end|>'));
        const again = await client.chat({
            messages: [{ role: 'system', text: 'You are terse.' }, { role: 'user', text: 'Say something.' }],
            sampling: { seed: 11, maxTokens: 16 },
        });
        assert.equal(again.text, result.text);
    });

    test('tokenizeChat gives the prompt chat evaluates, template markers included', async () => {
        const messages = [{ role: 'system' as const, text: 'Count me.' }, { role: 'user' as const, text: 'One two three.' }];
        const tokens = await client.tokenizeChat(messages);
        const result = await client.chat({ messages, sampling: { temperature: 0, maxTokens: 1 } });
        assert.equal(tokens.length, result.timing.promptTokens);
        const plain = (await client.tokenize('Count me.')).length + (await client.tokenize('One two three.')).length;
        assert.ok(tokens.length > plain, `the template adds its markers (${tokens.length} vs ${plain} for the texts alone)`);
        await assert.rejects(client.tokenizeChat([]), /message/i);
    });

    test('impossible sampling values are rejected with the field and the allowed range', async () => {
        const cases: [Record<string, unknown>, string][] = [
            [{ temperature: -1 }, 'temperature'],
            [{ temperature: Number.NaN }, 'temperature'],
            [{ topP: 0 }, 'topP'],
            [{ topP: 1.5 }, 'topP'],
            [{ minP: 1 }, 'minP'],
            [{ topK: 2.5 }, 'topK'],
            [{ repeatPenalty: 0 }, 'repeatPenalty'],
            [{ maxTokens: -1 }, 'maxTokens'],
            [{ seed: -3 }, 'seed'],
            [{ stopSequences: [''] }, 'stopSequences[0]'],
            [{ logitBias: { 99999999: 1 } }, 'logitBias'],
            [{ logitBias: { 5: 'never' } }, 'logitBias[5]'],
            [{ grammar: 'root ::= "a"', jsonSchema: { type: 'string' } }, 'grammar'],
        ];
        for (const [sampling, field] of cases) {
            await assert.rejects(client.complete({ prompt, sampling }), (error: unknown) => {
                assert.ok(error instanceof SamplingOptionsError, `${JSON.stringify(sampling)}: ${String(error)}`);
                assert.equal(error.name, 'SamplingOptionsError');
                assert.equal(error.field, field);
                assert.ok(error.allowed.length > 0);
                assert.match(error.message, new RegExp(`^Invalid sampling option ${field.replace(/[[\]]/g, '\\$&')} = .*: allowed `));
                return true;
            });
        }
    });

    test('a prompt longer than the context is a ContextOverflowError with both numbers', async () => {
        const tooLong = new Array<number>(info.contextSize + 10).fill(plainToken);
        await assert.rejects(client.complete({ prompt: tooLong, sampling: { maxTokens: 1 } }), (error: unknown) => {
            assert.ok(error instanceof ContextOverflowError);
            assert.equal(error.promptTokens, info.contextSize + 10);
            assert.equal(error.contextSize, info.contextSize);
            assert.match(error.message, new RegExp(`${info.contextSize + 10} tokens .* ${info.contextSize}`));
            return true;
        });
        // Room for the prompt but not for all requested tokens: generation stops when the context is full.
        const nearlyFull = new Array<number>(info.contextSize - 3).fill(plainToken);
        const result = await client.complete({ prompt: nearlyFull, sampling: { maxTokens: 50, logitBias: { [plainToken]: Infinity } } });
        assert.equal(result.stopReason, 'contextFull');
        assert.equal(result.tokens.length, 3);
    });

    test('requests before any model is loaded fail with NoModelLoadedError', async () => {
        const { client: fresh } = newClient();
        try {
            await assert.rejects(fresh.complete({ prompt: 'hi' }), NoModelLoadedError);
            assert.equal(fresh.state, 'idle');
            // A request sent while the model is still loading waits for it.
            const loading = fresh.loadModel({ model: modelPath, gpu: 'off' });
            const result = await fresh.complete({ prompt: 'hi', sampling: { maxTokens: 2 } });
            assert.equal(result.tokens.length, 2);
            await loading;
            await fresh.unloadModel();
            await assert.rejects(fresh.tokenize('hi'), NoModelLoadedError);
            assert.equal(fresh.loadedModel, undefined);
        } finally {
            await fresh.dispose();
        }
    });
});
