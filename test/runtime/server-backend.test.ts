// The openai-compatible backend against llama.cpp's own llama-server (built from node-llama-cpp's bundled source,
// started here on 127.0.0.1 with the tiny fixture and 4 slots), beside the embedded runtime on the same file:
// greedy tokens identical, log-probabilities within the F16 KV cache's tolerance, strategies and dataset evaluation
// with concurrent requests equal to one-at-a-time runs, cancellation, label scoring and its top-k bound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { startLlamaServer, type LlamaServer } from '../support/llamaServer';
import { greedy, newClient } from './helpers';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { OpenAiCompatibleBackend } from '../../src/runtime/backends/openai/OpenAiCompatibleBackend';
import { EmbeddedBackend } from '../../src/runtime/backends/EmbeddedBackend';
import type { InferenceBackend } from '../../src/runtime/backends/InferenceBackend';
import { executeStrategy } from '../../src/core/reasoning/executeStrategy';
import { evaluateDataset } from '../../src/core/reasoning/evaluateDataset';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import type { ChatMessage } from '../../src/shared/runtimeApi';
import { BackendCapabilityError } from '../../src/shared/errors/BackendCapabilityError';
import { ServerModelError } from '../../src/shared/errors/ServerModelError';

let server: LlamaServer;
let client: RuntimeClient;
let embedded: EmbeddedBackend;
let backend: OpenAiCompatibleBackend;

const messages: ChatMessage[] = [{ role: 'user', text: 'Tell me a story about cats' }];

before(async () => {
    const model = await fixtureModelPath();
    server = await startLlamaServer(model, { parallel: 4 });
    ({ client } = newClient());
    const info = await client.loadModel({ model, gpu: 'off', threads: 1 });
    embedded = new EmbeddedBackend(client, info);
    backend = await OpenAiCompatibleBackend.connect({ urls: [server.url] });
});

after(async () => {
    await backend?.close();
    await client?.dispose();
    await server?.stop();
});

test('connecting reads the model, the slot count and what llama-server can do', () => {
    assert.deepEqual(backend.describe().model, 'fixture');
    assert.equal(backend.capabilities.slots, 4);
    assert.equal(backend.concurrency, 4, 'concurrency defaults to the slots /props reports');
    assert.equal(backend.capabilities.tokenize, true);
    assert.equal(backend.capabilities.grammar, true);
    assert.equal(backend.capabilities.attention, false);
    assert.equal(backend.capabilities.probabilityView, 'raw');
    assert.match(backend.describe().server ?? '', /^llama\.cpp /);
});

test('greedy chat and raw completion: the same tokens and text as the embedded runtime', async () => {
    const sampling = { ...greedy, maxTokens: 24 };
    const local = await embedded.chat({ messages, sampling });
    const remote = await backend.chat({ messages, sampling });
    assert.equal(local.tokens.length, 24);
    assert.deepEqual(remote.tokens, local.tokens);
    assert.equal(remote.text, local.text);
    assert.equal(remote.stopReason, 'maxTokens');
    assert.equal(remote.timing.generatedTokens, 24);
    assert.equal(remote.timing.promptTokens, (await client.tokenizeChat(messages)).length);

    const rawLocal = await embedded.complete({ prompt: 'Once upon a time', sampling });
    const rawRemote = await backend.complete({ prompt: 'Once upon a time', sampling });
    assert.deepEqual(rawRemote.tokens, rawLocal.tokens);
    assert.equal(rawRemote.text, rawLocal.text);
});

test('streaming: the chunks add up to the result, tokens and text', async () => {
    const chunks: { text: string; tokens: number[] }[] = [];
    const result = await backend.chat({ messages, sampling: { ...greedy, maxTokens: 16 } }, { onToken: chunk => chunks.push(chunk) });
    assert.ok(chunks.length >= 2, 'streamed in several chunks');
    assert.equal(chunks.map(c => c.text).join(''), result.text);
    assert.deepEqual(chunks.flatMap(c => c.tokens), result.tokens);
});

test('label scoring: with the whole vocabulary listed, log-probabilities within the F16 KV tolerance of the embedded runtime', async () => {
    const vocabulary = backend.capabilities.topLogprobs;
    const exactBackend = await OpenAiCompatibleBackend.connect({ urls: [server.url], scoreTopK: vocabulary });
    try {
        const continuations = ['yes', 'no', 'maybe so', ' Air'];
        const remote = await exactBackend.scoreContinuations({ prompt: messages, continuations });
        const local = await embedded.scoreContinuations({ prompt: messages, continuations, exact: false });
        assert.deepEqual(remote.bounded, []);
        assert.equal(remote.promptTokens, local.promptTokens);
        for (const [i, score] of remote.scores.entries()) {
            assert.deepEqual(score.tokens, local.scores[i]!.tokens, `${score.text}: the same tokens`);
            for (const [j, logprob] of score.tokenLogprobs.entries()) {
                assert.ok(Math.abs(logprob - local.scores[i]!.tokenLogprobs[j]!) < 5e-3, `${score.text} token ${j}: server ${logprob} vs embedded ${local.scores[i]!.tokenLogprobs[j]}`);
            }
        }
    } finally {
        await exactBackend.close();
    }
});

test('label scoring: a label below the server\'s top-k is reported as bounded, its score an upper bound', async () => {
    const narrow = await OpenAiCompatibleBackend.connect({ urls: [server.url], scoreTopK: 3 });
    try {
        const labels = [' Air', ' Yellow', 'yes', 'no'];
        const local = await embedded.scoreContinuations({ prompt: messages, continuations: labels, exact: false });
        // Which labels the three most likely tokens after the prompt reach, by the embedded runtime's own list.
        const first = await client.tokenProbabilities({ prompt: messages, generate: 1, topK: 3, sampling: { ...greedy }, exact: false });
        const top3 = new Set(first.tokens.at(-1)!.top.map(t => t.id));
        const reached = local.scores.filter(s => s.tokens.length === 1 && top3.has(s.tokens[0]!)).map(s => s.text);
        assert.ok(reached.length >= 1 && reached.length < labels.length, `a mix of listed and unlisted labels (${reached.join(', ')})`);
        const remote = await narrow.scoreContinuations({ prompt: messages, continuations: labels });
        assert.deepEqual(remote.bounded.map(b => b.text), labels.filter(l => !reached.includes(l)));
        assert.ok(remote.bounded.every(b => b.listed === 3 && b.tokenIndex === 0));
        for (const [i, score] of remote.scores.entries()) {
            const exact = local.scores[i]!.logprob;
            if (reached.includes(score.text)) assert.ok(Math.abs(score.logprob - exact) < 5e-3, `${score.text}: listed, exact`);
            else assert.ok(score.logprob >= exact - 5e-3, `${score.text}: the bound ${score.logprob} is above the exact ${exact}`);
        }
    } finally {
        await narrow.close();
    }
});

test('probabilities: raw (the model\'s own) unless asked for what the server\'s sampler left', async () => {
    const raw = await backend.tokenProbabilities({ prompt: messages, generate: 4, topK: 5, sampling: { ...greedy } });
    assert.equal(raw.view, 'raw');
    assert.equal(raw.tokens.length, 4);
    const local = await client.tokenProbabilities({ prompt: messages, generate: 4, topK: 5, sampling: { ...greedy }, exact: false });
    const localGenerated = local.tokens.filter(t => t.source === 'generated');
    for (const [i, token] of raw.tokens.entries()) {
        assert.equal(token.id, localGenerated[i]!.id);
        assert.ok(Math.abs(token.logprob! - localGenerated[i]!.logprob!) < 5e-3, `token ${i}: ${token.logprob} vs ${localGenerated[i]!.logprob}`);
        assert.deepEqual(token.top.map(t => t.id), localGenerated[i]!.top.map(t => t.id));
    }
    const sampler = await OpenAiCompatibleBackend.connect({ urls: [server.url], afterSampler: true });
    try {
        // top-k 1 leaves one candidate: after the sampler it has probability 1, whatever the model thought of it.
        const after = await sampler.tokenProbabilities({ prompt: messages, generate: 3, topK: 5, sampling: { temperature: 1, topK: 1, seed: 1 } });
        assert.equal(after.view, 'server, after its sampler');
        for (const token of after.tokens) {
            assert.equal(token.logprob, 0);
            assert.equal(token.top.length, 1);
        }
        await assert.rejects(sampler.tokenProbabilities({ prompt: messages, generate: 0 }), BackendCapabilityError);
    } finally {
        await sampler.close();
    }
});

function withoutLogprobs<T extends { meanLogprob: number | undefined }>(paths: T[]): Omit<T, 'meanLogprob'>[] {
    return paths.map(({ meanLogprob: _, ...rest }) => rest);
}

function promptRun(text: string): PromptRun {
    return { file: undefined, messages: [{ role: 'user', text }], sampling: { maxTokens: 12 }, lora: [], settings: {}, promptHash: 'test' };
}

async function withConcurrency<T>(concurrency: number, work: (b: InferenceBackend) => Promise<T>): Promise<T> {
    const b = await OpenAiCompatibleBackend.connect({ urls: [server.url], concurrency });
    try {
        return await work(b);
    } finally {
        await b.close();
    }
}

test('self-consistency: paths as parallel requests with derived seeds, the same outcome one at a time and four at a time', async () => {
    const options = { strategy: 'self-consistency' as const, flags: {}, samples: 4, seed: 1234, temperature: 0.9 };
    const parallel = await withConcurrency(4, b => executeStrategy(b, promptRun('Count to ten'), options));
    const sequential = await withConcurrency(1, b => executeStrategy(b, promptRun('Count to ten'), options));
    assert.equal(parallel.paths!.length, 4);
    // Same tokens, so the same texts and answers; a path's probability may differ in the 6th digit, because llama.cpp
    // sums a batch of four slots in another order than a batch of one.
    assert.deepEqual(withoutLogprobs(parallel.paths!), withoutLogprobs(sequential.paths!));
    for (const [i, path] of parallel.paths!.entries()) assert.ok(Math.abs(path.meanLogprob! - sequential.paths![i]!.meanLogprob!) < 1e-4);
    assert.deepEqual(parallel.votes, sequential.votes);
    assert.ok(new Set(parallel.paths!.map(p => p.text)).size > 1, 'sampled paths differ from each other');
    assert.ok(parallel.paths!.every(p => p.meanLogprob !== undefined && p.meanLogprob <= 0));
});

test('dataset evaluation with concurrent rows equals the one-row-at-a-time run, in row order', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ question: `What is ${i} plus ${i}?`, expected: String(2 * i) }));
    const evaluate = (b: InferenceBackend, concurrency: number) => {
        const order: number[] = [];
        return evaluateDataset(b, {
            strategy: 'self-consistency', flags: {}, samples: 4, seed: 7, rows, expectedField: 'expected', verbalizer: undefined, concurrency,
            prepareRow: async input => ({ run: promptRun(String(input.question)) }),
            onRow: row => { order.push(row.index); },
        }).then(evaluation => ({ evaluation, order }));
    };
    const parallel = await withConcurrency(4, b => evaluate(b, 4));
    const sequential = await withConcurrency(1, b => evaluate(b, 1));
    assert.deepEqual(parallel.order, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sequential.order, parallel.order);
    const strip = (e: typeof parallel.evaluation) => e.results.map(r => ({ answer: r.answer, outputs: r.outcome.outputs, paths: withoutLogprobs(r.outcome.paths!), tokens: r.outcome.tokens }));
    assert.deepEqual(strip(parallel.evaluation), strip(sequential.evaluation));
    assert.deepEqual(parallel.evaluation.metrics, sequential.evaluation.metrics);
});

test('cancelling a streamed chat aborts the request in flight: a partial result, and the slot is free again', async () => {
    const controller = new AbortController();
    const full = await backend.chat({ messages, sampling: { ...greedy, maxTokens: 400 } });
    let chunks = 0;
    const result = await backend.chat({ messages, sampling: { ...greedy, maxTokens: 400 } }, {
        signal: controller.signal, onToken: () => { if (++chunks === 3) controller.abort(); },
    });
    assert.equal(result.stopReason, 'aborted');
    assert.ok(result.text.length > 0 && result.text.length < full.text.length && full.text.startsWith(result.text), 'a prefix of the whole reply');
    // The server notices the closed connection and stops the slot.
    const deadline = Date.now() + 10_000;
    for (;;) {
        const slots = await (await fetch(`${server.url}/slots`)).json() as { is_processing: boolean }[];
        if (slots.every(s => !s.is_processing)) break;
        assert.ok(Date.now() < deadline, 'the server stopped generating for the aborted request');
        await new Promise(resolve => setTimeout(resolve, 50));
    }
});

test('what the server cannot do is refused by name, never approximated', async () => {
    await assert.rejects(backend.chat({ messages, speculative: { lookup: {} } }), (error: unknown) => error instanceof BackendCapabilityError && error.feature === 'speculative');
    await assert.rejects(backend.chat({ messages, sampling: { watermark: { key: 'k' } } }), (error: unknown) => error instanceof BackendCapabilityError && error.feature === 'watermark');
    await assert.rejects(backend.chat({ messages, lora: [{ path: '/x/adapter.gguf' }] }),
        (error: unknown) => error instanceof BackendCapabilityError && error.feature === 'lora' && /LoRA adapters from files need the embedded runtime/.test(error.message));
});

test('a model name the server does not serve: a ServerModelError listing what it serves', async () => {
    await assert.rejects(OpenAiCompatibleBackend.connect({ urls: [server.url], model: 'llama-70b' }),
        (error: unknown) => error instanceof ServerModelError && error.model === 'llama-70b' && error.served.includes('fixture'));
});

test('LoRA by name: a request\'s adapter file is matched to the one llama-server loaded, by file name, and applied per request', async () => {
    const lora = await fixtureLoraPath();
    const withAdapter = await startLlamaServer(await fixtureModelPath(), { parallel: 2, extraArgs: ['--lora', lora, '--lora-init-without-apply'] });
    try {
        const remote = await OpenAiCompatibleBackend.connect({ urls: [withAdapter.url] });
        assert.equal(remote.capabilities.lora, 'server-list');
        const sampling = { ...greedy, maxTokens: 1 };
        const boosted = await remote.complete({ prompt: LORA_TEST_PROMPT, sampling, lora: [{ path: `/elsewhere/${lora.split('/').at(-1)}`, scale: 1 }] });
        assert.deepEqual(boosted.tokens, [LORA_BOOSTED_TOKEN.id], 'at scale 1 the adapter makes its token greedy');
        const local = await embedded.complete({ prompt: LORA_TEST_PROMPT, sampling, lora: [{ path: lora, scale: 1 }] });
        assert.deepEqual(local.tokens, boosted.tokens);
        const base = await remote.complete({ prompt: LORA_TEST_PROMPT, sampling, lora: [] });
        assert.deepEqual(base.tokens, (await embedded.complete({ prompt: LORA_TEST_PROMPT, sampling, lora: [] })).tokens, 'no adapters: the base model');
        assert.notDeepEqual(base.tokens, boosted.tokens);
        await assert.rejects(remote.complete({ prompt: LORA_TEST_PROMPT, sampling, lora: [{ path: '/x/other.gguf' }] }),
            (error: unknown) => error instanceof BackendCapabilityError && error.feature === 'lora' && error.message.includes('other.gguf is not among the server\'s adapters'));
        await remote.close();
    } finally {
        await withAdapter.stop();
    }
});
