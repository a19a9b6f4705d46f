// Beam search on the runtime (runBeamSearch: k sequences of one context, the addon's decodeStep) against the same
// search (src/core/decoding/beamSearch) over the independent reference forward pass of the fixture.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { BeamSearchResult } from '../../src/shared/runtimeApi';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../src/core/decoding/beamSearch';
import { DecodingSettingsError } from '../../src/shared/errors/DecodingSettingsError';
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

    /**
     * Diverse beam search written out plainly from the paper (Hamming diversity) over the reference forward pass's whole
     * next-token distributions, independent of src/core/decoding/beamSearch: per step, group by group, each extension
     * ranked by cumulative log P − λ × (earlier groups' beams that continued with its token this step), k/G kept that do
     * not end, the ending ones set aside. Returns every hypothesis and each step's kept (group, parent path, token).
     */
    function referenceDiverse(prompt: number[], endTokens: ReadonlySet<number>, k: number, G: number, lambda: number, L: number, alpha: number) {
        const rows = new Map<string, Float64Array | number[]>();
        const row = (tokens: number[]) => {
            const key = tokens.join();
            if (!rows.has(key)) rows.set(key, Array.from(reference.forward([...prompt, ...tokens]).logprobs.at(-1)!));
            return rows.get(key)!;
        };
        type Beam = { tokens: number[]; lps: number[]; lp: number };
        let groups: Beam[][] = Array.from({ length: G }, () => [{ tokens: [], lps: [], lp: 0 }]);
        const done: Beam[] = [];
        const kept: string[][][] = [];
        for (let t = 1; t <= L && groups.some(g => g.length > 0); t++) {
            const counts = new Map<number, number>();
            const keptNow: string[][] = [];
            groups = groups.map(beams => {
                const ext = beams.flatMap((b, bi) => Array.from(row(b.tokens), (lp, token) => ({ b, bi, token, lp, rank: b.lp + lp - lambda * (counts.get(token) ?? 0) })));
                ext.sort((x, y) => y.rank - x.rank || x.bi - y.bi || x.token - y.token);
                const next: Beam[] = [];
                for (const e of ext) {
                    if (next.length === k / G) break;
                    const beam = { tokens: [...e.b.tokens, e.token], lps: [...e.b.lps, e.lp], lp: e.b.lp + e.lp };
                    if (endTokens.has(e.token)) done.push(beam);
                    else next.push(beam);
                }
                for (const b of next) counts.set(b.tokens.at(-1)!, (counts.get(b.tokens.at(-1)!) ?? 0) + 1);
                keptNow.push(next.map(b => b.tokens.join(' ')));
                return next;
            });
            kept.push(keptNow);
        }
        const all = [...done, ...groups.flat()].map(b => ({ ...b, score: b.lp / b.tokens.length ** alpha }));
        return { all, kept };
    }

    /** The token path of kept beam `index` of step index `s`, following the tree's parents back to the prompt. */
    const pathOf = (result: BeamSearchResult, s: number, index: number) => {
        const tokens: number[] = [];
        for (let i = s; i >= 0 && index >= 0; i--) {
            const node = result.steps[i]!.kept[index]!;
            tokens.unshift(node.token);
            index = node.parent;
        }
        return tokens;
    };

    for (const [beams, groups, lambda, alpha] of [[4, 2, 0.7, 1], [6, 3, 2, 0.6], [4, 4, 1, 0]] as const) {
        test(`diverse, k = ${beams}, G = ${groups}, λ = ${lambda}, α = ${alpha}: every hypothesis and each group's kept beams equal an independent diverse beam search over the reference, to 1e-4`, async () => {
            const prompt = await client.tokenize('Once upon a time', { addBos: true });
            const L = 5;
            const result = await client.beamSearch({ prompt, beams, maxTokens: L, lengthPenalty: alpha, nBest: 100, groups, diversityPenalty: lambda });
            const expected = referenceDiverse(prompt, new Set(result.endTokens), beams, groups, lambda, L, alpha);
            const key = (tokens: readonly number[]) => tokens.join(' ');
            assert.deepEqual(result.hypotheses.map(h => key(h.tokens)).sort(), expected.all.map(h => key(h.tokens)).sort());
            const byTokens = new Map(expected.all.map(h => [key(h.tokens), h] as const));
            for (const h of result.hypotheses) {
                const e = byTokens.get(key(h.tokens))!;
                assert.ok(Math.abs(h.logprob - e.lp) < 1e-4, `${key(h.tokens)}: ${h.logprob} vs ${e.lp}`);
                assert.ok(Math.abs(h.score - e.score) < 1e-4);
                h.tokenLogprobs.forEach((lp, j) => assert.ok(Math.abs(lp - e.lps[j]!) < 1e-4));
            }
            // Best first by score (the reference's order, up to near-equal scores).
            for (let i = 1; i < result.hypotheses.length; i++) assert.ok(result.hypotheses[i - 1]!.score >= result.hypotheses[i]!.score);
            result.steps.forEach((step, s) => {
                const mine = Array.from({ length: groups }, (_, g) => step.kept.map((n, i) => ({ n, i })).filter(({ n }) => n.group === g).map(({ i }) => key(pathOf(result, s, i))));
                assert.deepEqual(mine, expected.kept[s], `step ${step.step}`);
            });
            assert.ok(result.steps.some(s => [...s.kept, ...s.pruned].some(n => (n.penalty ?? 0) > 0)), 'the penalty changed some ranking');
        });
    }

    test('diverse beam search with one group, or with λ = 0 per group, is plain beam search on the runtime too', async () => {
        const prompt = await client.tokenize('The quick brown fox', { addBos: true });
        const plain = await client.beamSearch({ prompt, beams: 4, maxTokens: 5, nBest: 4 });
        const oneGroup = await client.beamSearch({ prompt, beams: 4, maxTokens: 5, nBest: 4, groups: 1, diversityPenalty: 5 });
        assert.deepEqual(oneGroup.hypotheses, plain.hypotheses);
        assert.deepEqual(oneGroup.steps, plain.steps);
        const narrow = await client.beamSearch({ prompt, beams: 2, maxTokens: 5, nBest: 2 });
        const twice = await client.beamSearch({ prompt, beams: 4, maxTokens: 5, nBest: 4, groups: 2, diversityPenalty: 0 });
        twice.steps.forEach((step, s) => {
            for (const g of [0, 1]) assert.deepEqual(step.kept.filter(n => n.group === g).map(n => n.token), narrow.steps[s]!.kept.map(n => n.token), `step ${step.step}, group ${g}`);
        });
        assert.deepEqual(twice.hypotheses.map(h => h.tokens.join()).sort(), narrow.hypotheses.flatMap(h => [h, h]).map(h => h.tokens.join()).sort());
        assert.ok(plain.steps[0]!.kept.every(n => n.parent === -1), 'step 1 hangs under the prompt');
    });

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
        // Typed across the RPC: the field named.
        const refused = (field: string) => (e: unknown) => e instanceof DecodingSettingsError && e.field === field;
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 0, maxTokens: 3 }), refused('beams'));
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 4, maxTokens: 3, groups: 3 }), refused('groups'));
        await assert.rejects(client.beamSearch({ prompt: 'Hi', beams: 4, maxTokens: 3, groups: 2, diversityPenalty: -1 }), refused('diversityPenalty'));
    });
});
