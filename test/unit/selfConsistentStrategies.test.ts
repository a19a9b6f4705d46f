// Self-consistency over self-ask and tree-of-thought on scripted models: N chains (N searches) sampled at the
// self-consistency temperature with seeds derived from the request seed, each chain's answer voted; every chain kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeStrategy, type StrategyModel, type StrategyRequest } from '../../src/core/reasoning/executeStrategy';
import { deriveSeed } from '../../src/core/reasoning/deriveSeed';
import { selfConsistencyDefaults } from '../../src/core/reasoning/selfConsistency';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import type { PromptscopeSettings } from '../../src/core/prompt/settings/PromptscopeSettings';

const runOf = (settings: PromptscopeSettings): PromptRun =>
    ({ messages: [{ role: 'user', text: 'What is (3 + 4) × 2?' }], sampling: { temperature: 0 }, settings, lora: [], file: undefined, promptHash: '' });

/** A self-ask model whose chain is chosen by the seed of the request: each seed gets its own script. */
function seededSelfAsk(scripts: Map<number, string[]>): { model: StrategyModel; requests: StrategyRequest[] } {
    const requests: StrategyRequest[] = [];
    return {
        requests,
        model: {
            async chat(request) {
                requests.push(request);
                const script = scripts.get(request.sampling!.seed!);
                assert.ok(script, `no script for seed ${request.sampling?.seed}`);
                return { text: script.shift()!, seed: request.sampling!.seed!, timing: { promptTokens: 1, generatedTokens: 2 } };
            },
            async chatMany() { throw new Error('self-ask samples no batch'); },
        },
    };
}

test('self-ask with samples 3: three chains at the self-consistency temperature with derived seeds, answers voted', async () => {
    const seed = 7;
    const scripts = new Map([
        [deriveSeed(seed, 0), ['Follow up: What is 3 + 4?', '7', 'So the final answer is: 14']],
        [deriveSeed(seed, 1), ['So the final answer is: 15']],
        [deriveSeed(seed, 2), ['Follow up: 3 + 4?', 'seven', 'Follow up: 7 × 2?', '14', 'So the final answer is: 14']],
    ]);
    const { model, requests } = seededSelfAsk(scripts);
    const outcome = await executeStrategy(model, runOf({ samples: 3 }), { strategy: 'self-ask', flags: {}, seed });
    assert.equal(outcome.answer, '14');
    assert.deepEqual(outcome.votes, { 14: 2, 15: 1 });
    assert.equal(outcome.agreement, 2 / 3);
    assert.equal(outcome.unmapped, 0);
    assert.equal(outcome.chains?.length, 3);
    assert.deepEqual(outcome.chains!.map(c => c.followUps.length), [1, 0, 2]);
    assert.deepEqual(outcome.chains!.map(c => c.answer), ['14', '15', '14']);
    assert.deepEqual(outcome.chains!.map(c => c.seed), [0, 1, 2].map(i => deriveSeed(seed, i)));
    assert.deepEqual(outcome.chains![2]!.followUps.map(f => f.answer), ['seven', '14']);
    // Every turn of every chain, the follow-ups' own included, at the self-consistency temperature.
    assert.equal(requests.length, 3 + 1 + 5);
    assert.ok(requests.every(r => r.sampling?.temperature === selfConsistencyDefaults.temperature));
    assert.equal(outcome.followUps, undefined, 'several chains are kept per chain, not as one list');
    assert.equal(outcome.tokens.generated, 2 * requests.length);
    for (const script of scripts.values()) assert.equal(script.length, 0, 'a chain did not run to its end');
});

test('self-ask with one sample keeps the prompt\'s own sampling and its follow-ups list; an unmapped chain votes nothing', async () => {
    const { model, requests } = seededSelfAsk(new Map([[5, ['So the final answer is: 14']]]));
    const one = await executeStrategy(model, runOf({}), { strategy: 'self-ask', flags: {}, seed: 5 });
    assert.equal(one.answer, '14');
    assert.deepEqual(one.followUps, []);
    assert.equal(one.chains, undefined);
    assert.equal(requests[0]!.sampling!.temperature, 0);

    const scripts = new Map([
        [deriveSeed(9, 0), ['So the final answer is: no idea']],
        [deriveSeed(9, 1), ['So the final answer is: 3']],
    ]);
    const two = await executeStrategy(seededSelfAsk(scripts).model, runOf({}), { strategy: 'self-ask', flags: {}, seed: 9, samples: 2, weighting: 'probability' });
    assert.equal(two.answer, '3');
    assert.equal(two.unmapped, 1);
    assert.equal(two.agreement, 0.5);
    // Chat turns carry no token probabilities: the chains vote by count, and say so.
    assert.equal(two.weighting, 'count');
});

test('tree-of-thought with samples 2: two whole searches with derived seeds, their answers voted, every tree kept', async () => {
    const seed = 3;
    const thoughtSeeds: number[] = [];
    const answerSeeds: number[] = [];
    const model: StrategyModel = {
        async chat(request) {
            answerSeeds.push(request.sampling!.seed!);
            return { text: request.sampling!.seed === deriveSeed(seed, 0) ? ' 14.' : ' 15.', seed: 0, timing: { promptTokens: 1, generatedTokens: 1 } };
        },
        async chatMany(request) {
            thoughtSeeds.push(request.sampling!.seed!);
            assert.equal(request.sampling!.temperature, selfConsistencyDefaults.temperature);
            return { paths: Array.from({ length: request.n }, (_, i) => ({ text: `step ${i}`, meanLogprob: -1, seed: i })), seed: 0, timing: { promptTokens: 1, generatedTokens: 1 } };
        },
        async scoreContinuations(request) { return { scores: request.continuations.map((text, i) => ({ text, logprob: -i })) }; },
    };
    const outcome = await executeStrategy(model, runOf({ samples: 2, tot: { thoughts: 2, beamWidth: 1, maxDepth: 2 } }), { strategy: 'tree-of-thought', flags: {}, seed });
    assert.equal(outcome.searches?.length, 2);
    assert.deepEqual(outcome.searches!.map(s => s.tree.steps.length), [2, 2]);
    assert.deepEqual(outcome.searches!.map(s => s.answer), ['14', '15']);
    assert.deepEqual(outcome.searches!.map(s => s.answerTurn), [' 14.', ' 15.']);
    assert.deepEqual(outcome.votes, { 14: 1, 15: 1 });
    assert.equal(outcome.tie, true);
    assert.equal(outcome.answer, '14', 'a tie goes to the first search');
    // Each search samples all its thoughts and its answer turn with its own seed.
    assert.deepEqual(thoughtSeeds, [deriveSeed(seed, 0), deriveSeed(seed, 0), deriveSeed(seed, 1), deriveSeed(seed, 1)]);
    assert.deepEqual(answerSeeds, [deriveSeed(seed, 0), deriveSeed(seed, 1)]);
    assert.equal(outcome.tree, undefined);

    // Weighted by the evaluator's value of each search's best state.
    const weighted = await executeStrategy(model, runOf({ samples: 2, tot: { thoughts: 2, beamWidth: 1, maxDepth: 2 } }), { strategy: 'tree-of-thought', flags: {}, seed, weighting: 'probability' });
    assert.equal(weighted.weighting, 'probability');
    assert.ok(Math.abs(weighted.weights!['14']! - weighted.searches![0]!.tree.bestValue) < 1e-12);
});

test('samples out of range are refused before any generation', async () => {
    const model: StrategyModel = { async chat() { throw new Error('must not run'); }, async chatMany() { throw new Error('must not run'); } };
    await assert.rejects(executeStrategy(model, runOf({}), { strategy: 'self-ask', flags: {}, samples: 0 }), /setting samples: must be an integer from 1/);
});
