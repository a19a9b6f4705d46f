// The addon's multi-sequence loop (multiSequenceLoop.cc) against node-llama-cpp's token loop for self-consistency's
// paths, on the fixture model: the same request and seeds must give the same tokens, texts, stop reasons and
// log-probabilities (within 1e-5) whichever loop ran. The reference host runs with PROMPTSCOPE_DECODE_LOOP=node-llama-cpp.
// Then, in process, the loop itself (one llama_decode per step, one sequence stopped alone, cancellation) and the
// step-level API later callers drive (sequenceStep.cc: a fork mid-generation continues like the prefix decoded afresh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import type { MultiCompletionResult, SamplingOptions } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { validateSampling } from '../../src/core/sampling/validateSampling';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import type { ManagedContext } from '../../src/runtime/host/engine/ManagedContext';
import { copySequenceState } from '../../src/runtime/host/engine/copySequenceState';
import {
    copyNativeSequence, decodeNativeStep, removeNativeSequence, startNativeManyGeneration, type NativeManyResult, type NativeSequenceSpec,
} from '../../src/runtime/host/engine/llamaExtrasAddon';
import { nativeSamplingOptions, nativeSequencePlace, recordEvaluated } from '../../src/runtime/host/engine/nativeDecodeLoop';
import { fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';
import { batchRoundingTolerance } from '../support/batchRounding';

const prompt = 'The river ran past the old stone mill and the';

function assertSamePaths(actual: MultiCompletionResult, expected: MultiCompletionResult, label: string, logprobTolerance = 1e-5): void {
    assert.equal(actual.paths.length, expected.paths.length, `${label}: path count`);
    actual.paths.forEach((path, i) => {
        const other = expected.paths[i]!;
        assert.deepEqual(path.tokens, other.tokens, `${label}, path ${i}: tokens`);
        assert.equal(path.text, other.text, `${label}, path ${i}: text`);
        assert.equal(path.stopReason, other.stopReason, `${label}, path ${i}: stop reason`);
        assert.equal(path.seed, other.seed, `${label}, path ${i}: seed`);
        assert.equal(path.tokenLogprobs.length, other.tokenLogprobs.length, `${label}, path ${i}: log-prob count`);
        path.tokenLogprobs.forEach((l, t) => assert.ok(Math.abs(l - other.tokenLogprobs[t]!) <= logprobTolerance,
            `${label}, path ${i}, token ${t}: log-prob ${l} vs ${other.tokenLogprobs[t]}`));
    });
    assert.equal(actual.timing.generatedTokens, expected.timing.generatedTokens, `${label}: generated tokens`);
    assert.equal(actual.timing.evaluatedPromptTokens, expected.timing.evaluatedPromptTokens, `${label}: evaluated prompt tokens`);
}

describe('native multi-sequence loop against node-llama-cpp\'s, through the runtime host', () => {
    let native: RuntimeClient;
    let reference: RuntimeClient;
    let plainToken: number;
    let eos: number | undefined;

    before(async () => {
        const model = await fixtureModelPath();
        native = newClient().client;
        reference = newClient({ env: { PROMPTSCOPE_DECODE_LOOP: 'node-llama-cpp' } }).client;
        const [info] = await Promise.all([native, reference].map(c => c.loadModel({ model, gpu: 'off', threads: 1 })));
        eos = info!.eosToken;
        plainToken = (await native.tokenize(' the')).at(-1)!;
    });

    after(async () => {
        await Promise.all([native?.dispose(), reference?.dispose()]);
    });

    test('every sampler setting gives node-llama-cpp\'s paths for 1, 3 and 8 paths', async () => {
        const settings: [string, SamplingOptions][] = [
            ['greedy', { ...greedy, seed: 1, maxTokens: 24 }],
            ['top-k, top-p, min-p, hot', { temperature: 1.3, topK: 12, topP: 0.85, minP: 0.02, seed: 3, maxTokens: 32 }],
            ['full distribution', { temperature: 1, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, seed: 42, maxTokens: 32 }],
            ['repeat penalty', { temperature: 0.8, repeatPenalty: 1.5, repeatLastTokens: 16, seed: 8, maxTokens: 32 }],
            ['logit bias: ban, boost, force', { seed: 11, maxTokens: 24, logitBias: { [plainToken]: 'ban', 100: 4, 101: -2 } }],
            ['forced token', { seed: 5, maxTokens: 6, logitBias: { [plainToken]: Infinity } }],
            ['stop sequences', { temperature: 1, seed: 9, maxTokens: 60, stopSequences: ['e', 'the'] }],
            ['one token', { temperature: 0.9, seed: 2, maxTokens: 1 }],
        ];
        for (const [label, sampling] of settings) {
            for (const n of [1, 3, 8]) {
                const expected = await reference.completeMany({ prompt, n, sampling });
                const actual = await native.completeMany({ prompt, n, sampling });
                assert.equal(actual.timing.loop, 'native', label);
                assert.equal(expected.timing.loop, 'node-llama-cpp', label);
                assertSamePaths(actual, expected, `${label}, n = ${n}`);
            }
        }
    });

    test('stop sequences stop each path alone; the stopped paths\' KV state is what the next request reuses', async () => {
        const sampling = { temperature: 1.2, seed: 21, maxTokens: 48, stopSequences: ['s'] };
        const expected = await reference.completeMany({ prompt, n: 8, sampling });
        const actual = await native.completeMany({ prompt, n: 8, sampling });
        assertSamePaths(actual, expected, 'stop sequence');
        const reasons = new Set(actual.paths.map(p => p.stopReason));
        assert.ok(reasons.has('stopSequence'), `stop reasons: ${[...reasons].join(', ')}`);
        // The next request on the same context reuses the shared prompt and gives node-llama-cpp's paths again.
        const again = await native.completeMany({ prompt, n: 8, sampling: { ...sampling, seed: 22 } });
        assert.equal(again.timing.reusedPromptTokens, again.timing.promptTokens - 1);
        assertSamePaths(again, await reference.completeMany({ prompt, n: 8, sampling: { ...sampling, seed: 22 } }), 'after stops');
    });

    test('chat paths stop at the template\'s end-of-turn token, as in node-llama-cpp\'s loop', async () => {
        const request = { messages: [{ role: 'user' as const, text: 'Pick a word' }], n: 3, sampling: { temperature: 1, seed: 4, maxTokens: 40 } };
        const expected = await reference.chatMany(request);
        const actual = await native.chatMany(request);
        assert.equal(actual.timing.loop, 'native');
        assertSamePaths(actual, expected, 'chat');
    });

    test('a grammar runs on node-llama-cpp\'s loop', async () => {
        const result = await native.completeMany({ prompt, n: 3, sampling: { temperature: 0.9, seed: 1, maxTokens: 8, grammar: 'root ::= ("yes" | "no")' } });
        assert.equal(result.timing.loop, 'node-llama-cpp');
        for (const path of result.paths) assert.match(path.text, /^(yes|no)$/);
    });

    test('an abort mid-run stops every path; the next request gives node-llama-cpp\'s paths', async () => {
        const controller = new AbortController();
        const running = native.completeMany({ prompt, n: 8, sampling: { ...greedy, maxTokens: 100_000, logitBias: { [plainToken]: Infinity } } }, { signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        const result = await running;
        for (const path of result.paths) assert.equal(path.stopReason, 'aborted');
        const sampling = { temperature: 0.9, seed: 12, maxTokens: 16, ...(eos !== undefined ? { logitBias: { [eos]: 'ban' as const } } : {}) };
        // The aborted paths' freed cells leave the KV cache laid out differently from the reference host's (how many
        // depends on when the abort landed, so it differs run to run), and attention sums over cells in cell order and
        // in batches of another shape: the same tokens, with log-probabilities equal up to float rounding that
        // accumulates over 16 steps (seen 6e-5 and, in CI, 2.4e-4 apart). A wrong KV state moves them by whole units.
        assertSamePaths(await native.completeMany({ prompt, n: 8, sampling }), await reference.completeMany({ prompt, n: 8, sampling }), 'after abort', 1e-3);
    });
});

describe('native multi-sequence loop and step API, in process', () => {
    const engine = new LlamaEngine();
    let tokens: Token[];
    let eos: number | undefined;

    before(async () => {
        eos = (await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 })).eosToken;
        tokens = engine.model.tokenizePrompt(prompt, true);
    });

    after(async () => {
        await engine.dispose();
    });

    /** A context of `n` sequences the addon can decode on, its sequences holding the prompt but its last token. */
    async function preparedPaths(n: number, label: string) {
        const context: ManagedContext = await engine.model.contexts.get({ lora: [], sequences: n, label, flashAttention: false });
        assert.ok(context.nativeContextId !== undefined, 'the addon records the context');
        const sequences = await Promise.all(Array.from({ length: n }, () => context.acquireSequence()));
        for (const sequence of sequences) await sequence.clearHistory();
        await sequences[0]!.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
        for (const other of sequences.slice(1)) await copySequenceState(sequences[0]!, other, tokens.length - 1);
        const sampling = validateSampling({ temperature: 0.9, ...(eos !== undefined ? { logitBias: { [eos]: 'ban' as const } } : {}) });
        const specs = (maxTokens: number): NativeSequenceSpec[] => sequences.map((sequence, i) => ({
            ...nativeSamplingOptions(sampling, 100 + i, tokens), ...nativeSequencePlace(sequence), promptTokens: [tokens.at(-1)!], maxTokens, stopTokens: [],
        }));
        const release = (result: NativeManyResult, spec: NativeSequenceSpec[]) => {
            sequences.forEach((sequence, i) => recordEvaluated(sequence, spec[i]!.startPosition, spec[i]!.promptTokens as Token[], result.sequences[i]!));
            for (const sequence of sequences) context.releaseSequence(sequence);
        };
        return { context, contextId: context.nativeContextId!, specs, release };
    }

    test('one llama_decode per step, each sequence sampled on; a sequence stopped from JavaScript stops alone', async () => {
        const { contextId, specs, release } = await preparedPaths(3, 'native-steps');
        const spec = specs(40);
        let seen = 0;
        const run = startNativeManyGeneration(contextId, spec, step => {
            for (let k = 0; k < step.paths.length; k++) if (step.paths[k] === 1 && ++seen === 3) run.stopSequence(1);
        });
        const result = await run.result;
        release(result, spec);
        assert.equal(result.reason, 'done');
        assert.equal(result.sequences[1]!.reason, 'stopped');
        assert.ok(result.sequences[1]!.tokens.length >= 3 && result.sequences[1]!.tokens.length < 40, `${result.sequences[1]!.tokens.length} tokens`);
        for (const i of [0, 2]) {
            assert.equal(result.sequences[i]!.reason, 'maxTokens');
            assert.equal(result.sequences[i]!.tokens.length, 40);
            // The prompt's last token and every sampled token but the last went into the KV cache.
            assert.equal(result.sequences[i]!.decoded, 40);
            assert.ok(result.sequences[i]!.logprobs.every(l => l <= 0 && Number.isFinite(l)));
        }
        assert.equal(result.steps, 40);
        assert.equal(result.decodeCalls, result.steps, 'one decode per step: the prompts\' last tokens were one batch too');
        // Different seeds, different paths.
        assert.notDeepEqual(Array.from(result.sequences[0]!.tokens), Array.from(result.sequences[2]!.tokens));
    });

    test('cancelling stops the whole run before its next step', async () => {
        const { contextId, specs, release } = await preparedPaths(3, 'native-cancel');
        const spec = specs(400);
        const run = startNativeManyGeneration(contextId, spec, () => run.cancel());
        const result = await run.result;
        release(result, spec);
        assert.equal(result.reason, 'cancelled');
        for (const sequence of result.sequences) {
            assert.equal(sequence.reason, 'cancelled');
            assert.ok(sequence.tokens.length < 400);
        }
    });

    test('a sequence forked mid-generation continues exactly as its prefix decoded from scratch', async () => {
        const context = await engine.model.contexts.get({ lora: [], sequences: 2, label: 'native-fork', flashAttention: false });
        const id = context.nativeContextId!;
        assert.ok(id !== undefined);
        removeNativeSequence(id, 0);
        removeNativeSequence(id, 1);
        const argmax = (step: { topIds: Int32Array }, row: number, k: number) => step.topIds[row * k]!;

        // Prompt then 6 greedy tokens on sequence 0, one step each.
        let step = await decodeNativeStep(id, tokens.map((token, position) => ({ sequenceId: 0, position, token, output: position === tokens.length - 1 })), 1);
        let next = argmax(step, 0, 1);
        const prefix = [...tokens];
        for (let i = 0; i < 6; i++) {
            prefix.push(next as Token);
            step = await decodeNativeStep(id, [{ sequenceId: 0, position: prefix.length - 1, token: next, output: true }], 1);
            next = argmax(step, 0, 1);
        }

        // Fork: sequence 1 shares sequence 0's cells; both go on in one batch per step.
        copyNativeSequence(id, 0, 1);
        const forked: number[][] = [[], []];
        const forkedLogprobs: number[][] = [[], []];
        let pending = [next, next];
        for (let i = 0; i < 8; i++) {
            const position = prefix.length + i;
            step = await decodeNativeStep(id, [0, 1].map(sequenceId => ({ sequenceId, position, token: pending[sequenceId]!, output: true })), 5);
            assert.equal(step.decodeCalls, 1, 'both sequences in one batch');
            assert.equal(step.k, 5);
            for (const s of [0, 1]) {
                forked[s]!.push(pending[s]!);
                forkedLogprobs[s]!.push(step.topLogprobs[s * 5]!);
            }
            pending = [argmax(step, 0, 5), argmax(step, 1, 5)];
        }
        assert.deepEqual(forked[1], forked[0], 'the fork and its source continue alike');

        // From scratch: sequence 1 emptied, the prefix evaluated anew, then the same steps alone.
        assert.equal(removeNativeSequence(id, 1), true);
        step = await decodeNativeStep(id, prefix.map((token, position) => ({ sequenceId: 1, position, token, output: position === prefix.length - 1 })), 5);
        let token = argmax(step, 0, 5);
        const fresh: number[] = [];
        const freshLogprobs: number[] = [];
        for (let i = 0; i < 8; i++) {
            fresh.push(token);
            step = await decodeNativeStep(id, [{ sequenceId: 1, position: prefix.length + i, token, output: true }], 5);
            freshLogprobs.push(step.topLogprobs[0]!);
            token = argmax(step, 0, 5);
        }
        assert.deepEqual(forked[1], fresh, 'the fork continues as the prefix decoded from scratch');
        forkedLogprobs[1]!.forEach((l, i) => assert.ok(Math.abs(l - freshLogprobs[i]!) < batchRoundingTolerance, `step ${i}: ${l} vs ${freshLogprobs[i]}`));
        removeNativeSequence(id, 0);
        removeNativeSequence(id, 1);
    });

    test('bad arguments are clear errors', async () => {
        const context = await engine.model.contexts.get({ lora: [], sequences: 2, label: 'native-fork', flashAttention: false });
        const id = context.nativeContextId!;
        assert.throws(() => startNativeManyGeneration(id, [], undefined), /sequences must be a non-empty array/);
        assert.throws(() => startNativeManyGeneration(id, [{ ...nativeSamplingOptions(validateSampling({}), 1, []), sequenceId: 0, startPosition: 0,
            promptTokens: [], maxTokens: 4, stopTokens: [] }], undefined), /promptTokens must be a non-empty array/);
        assert.throws(() => startNativeManyGeneration(999_999, [], undefined), /that context is not alive/);
        await assert.rejects(decodeNativeStep(id, [], 1), /non-empty and of one length/);
    });
});
