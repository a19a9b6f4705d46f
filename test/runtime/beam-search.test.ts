// Beam search on the runtime (runBeamSearch: k sequences of one context, the addon's decodeStep) against the same
// search (src/core/decoding/beamSearch) over the independent reference forward pass of the fixture.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { BeamSearchResult } from '../../src/shared/runtimeApi';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../src/core/decoding/beamSearch';
import { fixtureModelPath } from '../support/fixtures';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from './helpers';

describe('beam search vs the reference forward pass', () => {
    let client: RuntimeClient;
    let reference: ReferenceModel;
    let model: string;

    before(async () => {
        model = await fixtureModelPath();
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
        reference = await loadReferenceModel(model);
    });

    after(async () => {
        await client.dispose();
    });

    /** The same search over the reference: each beam's candidates are the top k + |end| of its reference distribution. */
    async function referenceSearch(prompt: number[], result: BeamSearchResult, beams: number, maxTokens: number, lengthPenalty: number) {
        const endTokens = new Set(result.endTokens);
        const expand = async (open: readonly BeamHypothesis[]): Promise<BeamCandidate[][]> => open.map(beam => {
            const row = reference.forward([...prompt, ...beam.tokens]).logprobs.at(-1)!;
            return Array.from(row, (logprob, token) => ({ token, logprob }))
                .sort((a, b) => b.logprob - a.logprob || a.token - b.token)
                .slice(0, beams + endTokens.size);
        });
        return beamSearch({ beams, maxTokens, lengthPenalty, nBest: beams, endTokens, expand });
    }

    for (const [beams, lengthPenalty] of [[4, 1], [3, 0], [8, 0.6]] as const) {
        test(`k = ${beams}, α = ${lengthPenalty}: the n best and every step's kept, ended and pruned nodes equal the reference's, log-probabilities to 1e-4`, async () => {
            const prompt = await client.tokenize('The quick brown fox', { addBos: true });
            const result = await client.beamSearch({ prompt, beams, maxTokens: 6, lengthPenalty });
            const expected = await referenceSearch(prompt, result, beams, 6, lengthPenalty);
            assert.equal(result.hypotheses.length, expected.hypotheses.length);
            result.hypotheses.forEach((h, i) => {
                const e = expected.hypotheses[i]!;
                assert.deepEqual(h.tokens, e.tokens, `hypothesis ${i}`);
                assert.ok(Math.abs(h.logprob - e.logprob) < 1e-4, `hypothesis ${i}: ${h.logprob} vs ${e.logprob}`);
                assert.ok(Math.abs(h.score - e.score) < 1e-4);
                h.tokenLogprobs.forEach((lp, j) => assert.ok(Math.abs(lp - e.tokenLogprobs[j]!) < 1e-4));
                assert.equal(h.finished, e.finished);
            });
            assert.deepEqual(result.steps.map(s => s.kept.map(n => [n.parent, n.token])), expected.steps.map(s => s.kept.map(n => [n.parent, n.token])));
            // The whole tree, as the Decoding Lab draws it: each step's ended and pruned extensions too, with their
            // cumulative log-probabilities and scores (in (parent, token) order: near-equal log-probabilities may sort
            // either way between the two computations).
            const byNode = <N extends { parent: number; token: number }>(nodes: readonly N[]) => [...nodes].sort((x, y) => x.parent - y.parent || x.token - y.token);
            result.steps.forEach((step, s) => {
                for (const kind of ['kept', 'finished', 'pruned'] as const) {
                    const mine = byNode(step[kind]);
                    const theirs = byNode(expected.steps[s]![kind]);
                    assert.deepEqual(mine.map(n => [n.parent, n.token]), theirs.map(n => [n.parent, n.token]), `step ${step.step} ${kind}`);
                    mine.forEach((n, i) => {
                        assert.ok(Math.abs(n.logprob - theirs[i]!.logprob) < 1e-4, `step ${step.step} ${kind} ${i}: ${n.logprob} vs ${theirs[i]!.logprob}`);
                        assert.ok(Math.abs(n.score - theirs[i]!.score) < 1e-4);
                    });
                }
            });
            assert.ok(result.steps.some(s => s.pruned.length > 0), 'the beam was narrower than the tree');
            assert.ok(result.hypotheses.every(h => typeof h.text === 'string'));
        });
    }

    test('k = 1 follows greedy decoding; the context serves other requests afterwards', async () => {
        const prompt = await client.tokenize('Hello world', { addBos: true });
        const beam = await client.beamSearch({ prompt, beams: 1, maxTokens: 8, nBest: 8 });
        const plain = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 8 } });
        assert.ok(beam.hypotheses.some(h => h.tokens.filter(t => !beam.endTokens.includes(t)).join() === plain.tokens.join()),
            `greedy ${plain.tokens} among ${beam.hypotheses.map(h => h.tokens.join(' ')).join(' | ')}`);
        // Run again on the same (reused) sequences: the same result.
        const again = await client.beamSearch({ prompt, beams: 1, maxTokens: 8, nBest: 8 });
        assert.deepEqual(again.hypotheses.map(h => h.tokens), beam.hypotheses.map(h => h.tokens));
        const wide = await client.beamSearch({ prompt, beams: 4, maxTokens: 4 });
        const wideAgain = await client.beamSearch({ prompt, beams: 4, maxTokens: 4 });
        assert.deepEqual(wideAgain.hypotheses.map(h => [h.tokens, h.logprob]), wide.hypotheses.map(h => [h.tokens, h.logprob]));
    });

    test('bad parameters are refused naming the parameter', async () => {
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 0, maxTokens: 3 }), /beams must be a whole number from 1 to 32, got 0/);
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 2, maxTokens: 0 }), /maxTokens must be a whole number ≥ 1/);
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 2, maxTokens: 3, lengthPenalty: -1 }), /length penalty α/);
    });
});
