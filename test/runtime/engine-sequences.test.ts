// The in-process engine (what the host wraps and benchmarks call directly), and the pieces later features build
// on: contexts by configuration, several sequences decoded together, KV state copied between sequences.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { validateSampling } from '../../src/core/sampling/validateSampling';
import { buildEvaluateOptions } from '../../src/runtime/host/engine/buildEvaluateOptions';
import { copySequenceState } from '../../src/runtime/host/engine/copySequenceState';
import { runDecodeLoop } from '../../src/runtime/host/engine/decodeLoop';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import { fixtureModelPath } from '../support/fixtures';
import { greedy } from './helpers';

describe('LlamaEngine in-process: contexts and sequences', () => {
    const engine = new LlamaEngine();
    let prompt: Token[];

    before(async () => {
        await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
        prompt = engine.model.tokenizePrompt('The cat sat on the mat and the dog', undefined);
    });

    after(async () => {
        await engine.dispose();
    });

    async function greedyOn(sequence: Parameters<typeof runDecodeLoop>[0]['sequence'], maxTokens: number) {
        const sampling = validateSampling({ ...greedy, maxTokens });
        const history = prompt.slice();
        const evaluateOptions = await buildEvaluateOptions(engine.model.model, engine.model.grammars, sampling, 1, history);
        const { result, settled } = await runDecodeLoop({
            sequence, promptTokens: prompt, evaluateOptions, history, seed: 1, maxTokens, stopSequences: [],
            reusePrefix: true, startedAt: performance.now(),
        });
        await settled;
        return result;
    }

    test('the engine generates in-process, streaming each token to a synchronous sink', async () => {
        const seen: number[] = [];
        const result = await engine.complete({ prompt, sampling: { ...greedy, maxTokens: 10 } }, { onToken: token => { if (token !== undefined) seen.push(token); } });
        assert.deepEqual(seen, result.tokens);
        assert.equal(result.tokens.length, 10);
    });

    test('contexts are shared per configuration', async () => {
        const a = await engine.model.contexts.get({ sequences: 2 });
        const b = await engine.model.contexts.get({ sequences: 2, flashAttention: 'auto', kvCacheType: 'F16', lora: [] });
        assert.equal(a, b);
        const exact = await engine.model.contexts.get({ kvCacheType: 'F32' });
        assert.notEqual(exact, a);
        assert.equal(exact.config.kvCacheType, 'F32');
    });

    test('KV state copied to another sequence continues exactly like the original, without evaluating the prompt again', async () => {
        const reference = await engine.complete({ prompt, sampling: { ...greedy, maxTokens: 12 } });

        const context = await engine.model.contexts.get({ sequences: 2 });
        const source = await context.acquireSequence();
        const target = await context.acquireSequence();
        try {
            await source.clearHistory();
            await target.clearHistory();
            await source.evaluateWithoutGeneratingNewTokens(prompt);
            await copySequenceState(source, target, prompt.length);
            assert.equal(target.nextTokenIndex, prompt.length);
            assert.deepEqual(target.contextTokens, prompt);

            // Both sequences decode at the same time (one batch per step) and agree with the default context.
            const [fromSource, fromTarget] = await Promise.all([greedyOn(source, 12), greedyOn(target, 12)]);
            assert.deepEqual(fromTarget.tokens, reference.tokens);
            assert.deepEqual(fromSource.tokens, reference.tokens);
            assert.equal(fromTarget.timing.reusedPromptTokens, prompt.length - 1, 'the copied prefix was reused');

            // A prefix of the source only.
            await copySequenceState(source, target, 3);
            assert.deepEqual(target.contextTokens, prompt.slice(0, 3));
            await assert.rejects(copySequenceState(target, source, 99), RangeError);
        } finally {
            context.releaseSequence(source);
            context.releaseSequence(target);
        }
    });

    test('a sequence is leased exclusively: a third request waits for a released one', async () => {
        const context = await engine.model.contexts.get({ sequences: 2 });
        const one = await context.acquireSequence();
        const two = await context.acquireSequence();
        let third: unknown;
        const waiting = context.acquireSequence().then(s => { third = s; return s; });
        await new Promise(resolve => setTimeout(resolve, 20));
        assert.equal(third, undefined);
        context.releaseSequence(one);
        assert.equal(await waiting, one);
        context.releaseSequence(two);
        context.releaseSequence(one);
    });
});
