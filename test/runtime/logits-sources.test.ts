// The two places token probabilities come from give the same pass: the native addon (statistics in C++, its own
// context on a CPU copy of the model) and node-llama-cpp's context (full logits as a Map, statistics in JavaScript).
// Each is also checked against the reference forward pass in token-probabilities.test.ts (run it with
// PROMPTSCOPE_LOGITS_SOURCE=node-llama-cpp for the other one); here they are checked against each other, including
// sampled generation, LoRA and the choice between them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SamplingOptions, TokenProbabilitiesRequest, TokenProbabilitiesResult } from '../../src/shared/runtimeApi';
import { addonUnavailableReason } from '../../src/runtime/host/engine/llamaExtrasAddon';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import { LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';

const prompt = 'The quick brown fox jumps over the lazy dog. Hello world, this is a small test of the model';

async function withSource(source: 'native' | 'node-llama-cpp', run: () => Promise<TokenProbabilitiesResult>): Promise<TokenProbabilitiesResult> {
    const previous = process.env.PROMPTSCOPE_LOGITS_SOURCE;
    process.env.PROMPTSCOPE_LOGITS_SOURCE = source;
    try {
        const result = await run();
        assert.equal(result.logitsSource, source);
        return result;
    } finally {
        if (previous === undefined) delete process.env.PROMPTSCOPE_LOGITS_SOURCE;
        else process.env.PROMPTSCOPE_LOGITS_SOURCE = previous;
    }
}

/** Same tokens, same top-K ids (near-ties aside), numbers within `tolerance`. */
function assertSamePass(a: TokenProbabilitiesResult, b: TokenProbabilitiesResult, tolerance: number): void {
    assert.deepEqual(a.tokens.map(t => t.id), b.tokens.map(t => t.id), 'both sources sample the same tokens');
    assert.equal(a.stopReason, b.stopReason);
    let worst = 0;
    a.tokens.forEach((row, i) => {
        const other = b.tokens[i]!;
        assert.equal(row.source, other.source);
        assert.equal(row.text, other.text);
        if (row.logprob === null) {
            assert.equal(other.logprob, null);
            return;
        }
        worst = Math.max(worst, Math.abs(row.logprob - other.logprob!), Math.abs(row.entropy! - other.entropy!));
        assert.equal(row.top.length, other.top.length);
        row.top.forEach((alt, rank) => {
            const match = other.top.find(o => o.id === alt.id);
            if (match) worst = Math.max(worst, Math.abs(alt.logprob - match.logprob));
            else assert.ok(Math.abs(alt.logprob - other.top[rank]!.logprob) <= tolerance, `rank ${rank} of position ${i}: ${alt.id} is missing`);
        });
        assert.deepEqual(row.sampledTop?.map(s => s.id), other.sampledTop?.map(s => s.id));
    });
    assert.ok(worst <= tolerance, `largest difference ${worst} > ${tolerance}`);
}

describe('native and node-llama-cpp logits sources', () => {
    let engine: LlamaEngine;
    let adapter: string;
    /** Why the addon cannot run, asked only once node-llama-cpp has loaded its own llama.cpp libraries (see llamaExtrasAddon). */
    let unavailable: string | undefined;

    before(async () => {
        const model = await fixtureModelPath();
        adapter = await fixtureLoraPath();
        engine = new LlamaEngine();
        await engine.loadModel({ model, gpu: 'off', threads: 1 });
        unavailable = addonUnavailableReason();
    });

    after(async () => {
        await engine.dispose();
    });

    const both = async (request: TokenProbabilitiesRequest) => [
        await withSource('native', () => engine.tokenProbabilities(request)),
        await withSource('node-llama-cpp', () => engine.tokenProbabilities(request)),
    ] as const;

    test('on the CPU with the addon built, native is the default', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const result = await engine.tokenProbabilities({ prompt: 'Hello', topK: 2 });
        assert.equal(result.logitsSource, 'native');
    });

    test('exact, sampled at temperature 0.8 with top-k, top-p and min-p: same tokens and numbers within 1e-5', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const sampling: SamplingOptions = { temperature: 0.8, topK: 20, topP: 0.9, minP: 0.02, repeatPenalty: 1.1, seed: 7 };
        const [native, node] = await both({ prompt, generate: 12, topK: 5, sampling, exact: true });
        assert.equal(native.tokens.filter(t => t.source === 'generated').length, 12);
        assertSamePass(native, node, 1e-5);
    });

    test('F16 KV cache (exact: false), greedy: same tokens and numbers within 1e-3', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const [native, node] = await both({ prompt, generate: 8, topK: 5, sampling: { temperature: 0, repeatPenalty: 1 }, exact: false });
        assert.equal(native.exact, false);
        assertSamePass(native, node, 1e-3);
    });

    // rowStatistics.cc keeps a sorted buffer for up to 64 entries and partially sorts the row beyond: both must agree
    // with the JavaScript statistics, and greedy with a penalty must leave the addon's argmax shortcut.
    test('top-K beyond 64 entries, greedy with and without a repeat penalty: same as node-llama-cpp', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        for (const sampling of [{ temperature: 0, repeatPenalty: 1 }, { temperature: 0, repeatPenalty: 1.8, repeatLastTokens: 8 }]) {
            const [native, node] = await both({ prompt, generate: 10, topK: 100, sampling, exact: true });
            assert.equal(native.tokens.at(-1)!.top.length, 100);
            assertSamePass(native, node, 1e-5);
        }
    });

    // Label scoring takes the same two sources: the addon keeps the prompt's positions and evaluates each continuation
    // after them (logitsPass.cc's `from`), node-llama-cpp erases the continuation from its sequence.
    test('label scoring: the same log-probabilities from both sources, exact and F16 KV, with multi-token continuations', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const continuations = [' positive', ' mixed feelings overall', ' negative', ' a long and winding answer'];
        for (const exact of [true, false]) {
            const request = { prompt: 'The review says the film was a delight. Sentiment:', continuations, addBos: true, exact };
            const scores = async (source: 'native' | 'node-llama-cpp') => {
                const previous = process.env.PROMPTSCOPE_LOGITS_SOURCE;
                process.env.PROMPTSCOPE_LOGITS_SOURCE = source;
                try {
                    return await engine.scoreContinuations(request);
                } finally {
                    if (previous === undefined) delete process.env.PROMPTSCOPE_LOGITS_SOURCE;
                    else process.env.PROMPTSCOPE_LOGITS_SOURCE = previous;
                }
            };
            const native = await scores('native');
            const node = await scores('node-llama-cpp');
            assert.equal(native.logitsSource, 'native');
            assert.equal(node.logitsSource, 'node-llama-cpp');
            assert.equal(native.timing.evaluatedTokens, node.timing.evaluatedTokens);
            assert.ok(native.scores.some(s => s.tokens.length > 2));
            native.scores.forEach((score, i) => {
                assert.deepEqual(score.tokens, node.scores[i]!.tokens);
                score.tokenLogprobs.forEach((logprob, j) => assert.ok(Math.abs(logprob - node.scores[i]!.tokenLogprobs[j]!) <= (exact ? 1e-5 : 1e-3),
                    `${score.text} token ${j} (exact: ${exact}): ${logprob} vs ${node.scores[i]!.tokenLogprobs[j]}`));
            });
        }
    });

    test('with a LoRA adapter on the request: same numbers as node-llama-cpp, different from the base model', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const request: TokenProbabilitiesRequest = { prompt: LORA_TEST_PROMPT, generate: 3, topK: 5, sampling: { temperature: 0, repeatPenalty: 1 }, lora: [{ path: adapter, scale: 1 }] };
        const [native, node] = await both(request);
        assertSamePass(native, node, 1e-5);
        const base = await withSource('native', () => engine.tokenProbabilities({ ...request, lora: undefined }));
        const moved = native.tokens.some((row, i) => row.logprob !== null && Math.abs(row.logprob - base.tokens[i]!.logprob!) > 1e-3);
        assert.ok(moved, 'the adapter changes the log-probabilities');
    });

    // The native source samples in the addon (logitSampler.cc), node-llama-cpp's in JavaScript (sampleFromLogits.ts):
    // every part of the chain has to agree for both to pick the same tokens and report the same filtered distribution.
    test('the addon\'s sampler is sampleFromLogits: full vocabulary, penalties, bias, forced tokens', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const ban = (await engine.tokenize(' the', { addBos: false })).at(-1)!;
        const boost = (await engine.tokenize(' dog', { addBos: false })).at(-1)!;
        const hot: SamplingOptions = {
            temperature: 1.4, topK: 0, topP: 1, minP: 0, repeatPenalty: 1.6, repeatLastTokens: 6, seed: 21,
            logitBias: { [ban]: 'ban', [boost]: 2.5 },
        };
        const [native, node] = await both({ prompt, generate: 16, topK: 8, sampling: hot, exact: true });
        assertSamePass(native, node, 1e-5);
        assert.ok(native.tokens.every(row => row.id !== ban || row.source === 'prompt'), 'a banned token is never sampled');
        // Each filter alone, cutting hard enough to show in the first 8 entries of the distribution drawn from.
        const filters: SamplingOptions[] = [
            { temperature: 0.7, topK: 5, topP: 1, minP: 0 },
            { temperature: 0.7, topK: 0, topP: 0.3, minP: 0 },
            { temperature: 0.7, topK: 0, topP: 1, minP: 0.5 },
        ];
        for (const filter of filters) {
            const [nativeFiltered, nodeFiltered] = await both({ prompt, generate: 16, topK: 8, sampling: { ...filter, repeatPenalty: 1, seed: 4 }, exact: true });
            assertSamePass(nativeFiltered, nodeFiltered, 1e-5);
            const rows = nativeFiltered.tokens.filter(row => row.sampledTop);
            assert.ok(rows.some(row => row.sampledTop!.length < 8), `${JSON.stringify(filter)} cuts the distribution somewhere`);
            rows.forEach((row, r) => {
                const other = nodeFiltered.tokens.filter(o => o.sampledTop)[r]!.sampledTop!;
                row.sampledTop!.forEach((entry, i) => assert.ok(Math.abs(entry.prob - other[i]!.prob) < 1e-5));
            });
        }
        // Forced tokens (an earlier run's output) are scored, not sampled, and keep their distributions.
        const generated = native.tokens.filter(row => row.source === 'generated').map(row => row.id).reverse();
        const [forcedNative, forcedNode] = await both({ prompt, generated, topK: 8, sampling: hot, exact: true });
        assert.deepEqual(forcedNative.tokens.filter(row => row.source === 'generated').map(row => row.id), generated);
        assertSamePass(forcedNative, forcedNode, 1e-5);
    });

    test('a pass that ends at the end-of-text token after generating some: same pass from both sources', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const eos = engine.modelInfo!.eosToken!;
        // A raised end-of-text token: likely at each step, but rarely at the first; the seeds that end early are kept.
        const ended: TokenProbabilitiesResult[] = [];
        for (let seed = 1; seed <= 40 && ended.length < 3; seed++) {
            const sampling: SamplingOptions = { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, seed, logitBias: { [eos]: 6 } };
            const [native, node] = await both({ prompt, generate: 24, topK: 4, sampling, exact: true });
            assertSamePass(native, node, 1e-5);
            const generated = native.tokens.filter(row => row.source === 'generated').length;
            if (native.stopReason === 'eos' && generated > 0 && generated < 24) ended.push(native);
        }
        assert.ok(ended.length > 0, 'some seed ends at the end-of-text token after at least one generated token');
    });

    // Plain generation draws with node-llama-cpp's chain (in generationLoop.cc or node-llama-cpp's own loop), a
    // probabilities pass with sampleFromLogits.ts or logitSampler.cc (README, "Samplers"). Their seeded random streams
    // differ; greedy, with a bias and a repeat penalty, they must pick the same tokens.
    test('greedy with a ban and a repeat penalty: both sources generate the tokens plain generation does', async () => {
        const tokens = await engine.tokenize(prompt, { addBos: true });
        const unconstrained = await engine.complete({ prompt: tokens, sampling: { temperature: 0, repeatPenalty: 1, maxTokens: 12 } });
        // Banning the first token it picked sends generation elsewhere, where the penalty (on the fixture) changes a token.
        const sampling: SamplingOptions = { temperature: 0, repeatPenalty: 1.5, repeatLastTokens: 8, logitBias: { [unconstrained.tokens[0]!]: 'ban' } };
        const plain = await engine.complete({ prompt: tokens, sampling: { ...sampling, maxTokens: 12 } });
        const unpenalized = await engine.complete({ prompt: tokens, sampling: { ...sampling, repeatPenalty: 1, maxTokens: 12 } });
        assert.notDeepEqual(plain.tokens, unconstrained.tokens, 'the ban changes the tokens');
        assert.notDeepEqual(plain.tokens, unpenalized.tokens, 'the repeat penalty changes the tokens');
        for (const source of unavailable ? ['node-llama-cpp'] as const : ['native', 'node-llama-cpp'] as const) {
            const pass = await withSource(source, () => engine.tokenProbabilities({ prompt: tokens, generate: 12, topK: 1, sampling, exact: false }));
            const generated = pass.tokens.filter(row => row.source === 'generated').map(row => row.id);
            assert.deepEqual(generated, plain.tokens.slice(0, generated.length), `${source}: the tokens of plain generation`);
            assert.ok(generated.length === plain.tokens.length || pass.stopReason === 'eos', `${source}: as many tokens, or an end of generation`);
        }
    });

    test('sampling in slices of any length gives the same pass as in one call', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const request: TokenProbabilitiesRequest = {
            prompt, generate: 20, topK: 5, exact: true, sampling: { temperature: 1, topK: 30, topP: 0.95, repeatPenalty: 1.2, seed: 13 },
        };
        const whole = await withSource('native', () => engine.tokenProbabilities(request));
        process.env.PROMPTSCOPE_PROBABILITIES_SLICE_MS = '0';
        try {
            const sliced = await withSource('native', () => engine.tokenProbabilities(request));
            assertSamePass(sliced, whole, 0);
        } finally {
            delete process.env.PROMPTSCOPE_PROBABILITIES_SLICE_MS;
        }
    });

    test('an abort ends a native pass at the next slice with what it has', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const info = engine.modelInfo;
        const controller = new AbortController();
        process.env.PROMPTSCOPE_PROBABILITIES_SLICE_MS = '0';
        try {
            const pending = withSource('native', () => engine.tokenProbabilities(
                { prompt, generate: info!.contextSize - 64, topK: 2, sampling: { temperature: 0, repeatPenalty: 1, logitBias: { [info!.eosToken!]: 'ban' } } },
                { signal: controller.signal }));
            setTimeout(() => controller.abort(), 30);
            const result = await pending;
            assert.equal(result.stopReason, 'aborted');
            assert.ok(result.tokens.length < prompt.length + info!.contextSize - 64);
        } finally {
            delete process.env.PROMPTSCOPE_PROBABILITIES_SLICE_MS;
        }
    });

    test('concurrent passes take turns on the one native context and each gets its own numbers', async t => {
        if (unavailable) return t.skip(`the native addon is not available: ${unavailable}`);
        const a: TokenProbabilitiesRequest = { prompt, generate: 6, topK: 3, sampling: { temperature: 0, repeatPenalty: 1 } };
        const b: TokenProbabilitiesRequest = { prompt: 'Completely different words go here', generate: 6, topK: 3, sampling: { temperature: 0, repeatPenalty: 1 } };
        const [alone] = await both(a);
        const [together] = await withSource('native', async () => {
            const results = await Promise.all([engine.tokenProbabilities(a), engine.tokenProbabilities(b)]);
            return results[0];
        }).then(r => [r]);
        assertSamePass(together, alone, 0);
    });
});
