// Beam search (src/core/decoding/beamSearch.ts) against exhaustive search on a toy model small enough to enumerate,
// and its rules: ordering, ties, end tokens, length penalty, the tree it records, and bad parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../src/core/decoding/beamSearch';
import { beamOutcomeFromNodes, type FlatBeamNode } from '../../src/core/decoding/beamTree';
import { DecodingSettingsError } from '../../src/shared/errors/DecodingSettingsError';

const V = 4;
const END = 3;

/** A fixed next-token distribution for every prefix: log-softmax of logits from a hash of the prefix. */
function distribution(prefix: readonly number[]): number[] {
    let h = 2166136261;
    for (const t of prefix) h = Math.imul(h ^ (t + 1), 16777619);
    const logits = Array.from({ length: V }, (_, i) => (((Math.imul(h ^ (i * 7919), 2654435761) >>> 0) % 1000) / 250));
    const max = Math.max(...logits);
    const log = Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0)) + max;
    return logits.map(l => l - log);
}

const expand = async (beams: readonly BeamHypothesis[]): Promise<BeamCandidate[][]> => beams.map(b => distribution(b.tokens)
    .map((logprob, token) => ({ token, logprob }))
    .sort((a, c) => c.logprob - a.logprob || a.token - c.token));

/** Every sequence of at most L tokens that ends at END or has length L, with its score. */
function exhaustive(L: number, alpha: number): { tokens: number[]; score: number; logprob: number }[] {
    const out: { tokens: number[]; score: number; logprob: number }[] = [];
    const walk = (tokens: number[], logprob: number) => {
        if (tokens.length > 0 && (tokens.at(-1) === END || tokens.length === L)) {
            out.push({ tokens, logprob, score: logprob / tokens.length ** alpha });
            return;
        }
        distribution(tokens).forEach((lp, token) => walk([...tokens, token], logprob + lp));
    };
    walk([], 0);
    return out.sort((a, b) => b.score - a.score);
}

test('with k ≥ |V|^L and L tokens, beam search is exhaustive search: every sequence, the same scores and order', async () => {
    for (const alpha of [0, 0.7, 1]) {
        const L = 3;
        const all = exhaustive(L, alpha);
        const result = await beamSearch({ beams: V ** L, maxTokens: L, lengthPenalty: alpha, nBest: all.length, endTokens: new Set([END]), expand });
        assert.equal(result.hypotheses.length, all.length);
        result.hypotheses.forEach((h, i) => {
            assert.deepEqual(h.tokens, all[i]!.tokens, `α ${alpha}, rank ${i}`);
            assert.ok(Math.abs(h.score - all[i]!.score) < 1e-12);
            assert.ok(Math.abs(h.logprob - h.tokenLogprobs.reduce((a, b) => a + b, 0)) < 1e-12);
            assert.equal(h.finished, h.tokens.at(-1) === END);
        });
        assert.ok(result.steps.every(s => s.pruned.length === 0), 'nothing pruned');
    }
});

test('a narrow beam keeps the k most likely extensions each step and records what it pruned', async () => {
    const result = await beamSearch({ beams: 2, maxTokens: 4, lengthPenalty: 1, endTokens: new Set([END]), expand });
    for (const step of result.steps) {
        assert.ok(step.kept.length <= 2);
        const worstKept = Math.min(...step.kept.map(n => n.logprob));
        assert.ok(step.pruned.every(n => n.logprob <= worstKept), `step ${step.step}: a pruned extension beat a kept one`);
        assert.ok(step.kept.every(n => n.token !== END) && step.finished.every(n => n.token === END));
    }
    assert.equal(result.hypotheses.length, 2);
    assert.ok(result.hypotheses[0]!.score >= result.hypotheses[1]!.score);
    // With k = 1 the greedy sequence (the argmax at each step, until an end token) is one of the hypotheses: an end
    // token on top finishes that hypothesis and the beam goes on with the best token that does not end.
    const single = await beamSearch({ beams: 1, maxTokens: 5, endTokens: new Set([END]), expand, nBest: 10 });
    const tokens: number[] = [];
    while (tokens.length < 5 && tokens.at(-1) !== END) {
        const d = distribution(tokens);
        tokens.push(d.indexOf(Math.max(...d)));
    }
    assert.ok(single.hypotheses.some(h => h.tokens.join() === tokens.join()), `greedy ${tokens} among ${single.hypotheses.map(h => h.tokens.join(' '))}`);
});

test('bad parameters are refused naming the parameter', async () => {
    const base = { maxTokens: 3, endTokens: new Set([END]), expand };
    await assert.rejects(beamSearch({ ...base, beams: 0 }), /beams must be a whole number ≥ 1, got 0/);
    await assert.rejects(beamSearch({ ...base, beams: 2, maxTokens: 0 }), /maxTokens must be a whole number ≥ 1/);
    await assert.rejects(beamSearch({ ...base, beams: 2, lengthPenalty: -1 }), /lengthPenalty must be a number ≥ 0 \(the length penalty α\)/);
    await assert.rejects(beamSearch({ ...base, beams: 2, nBest: 0 }), /nBest must be a whole number ≥ 1/);
});

/**
 * Diverse beam search written out plainly from the paper (Vijayakumar et al. 2016, Hamming diversity) over the whole
 * toy distribution: per step, group g ranks its beams' extensions by log P − λ × (beams of groups < g that continued
 * with that token at this step), keeps k/G that do not end, sets the ending ones aside. Independent of beamSearch.
 */
function plainDiverse(k: number, G: number, lambda: number, L: number, alpha: number) {
    type Beam = { tokens: number[]; lps: number[]; lp: number };
    let groups: Beam[][] = Array.from({ length: G }, () => [{ tokens: [], lps: [], lp: 0 }]);
    const done: Beam[] = [];
    const keptPerStep: number[][][] = [];
    for (let t = 1; t <= L && groups.some(g => g.length > 0); t++) {
        const counts = new Array<number>(V).fill(0);
        const keptNow: number[][] = [];
        groups = groups.map(beams => {
            const ext = beams.flatMap((b, bi) => distribution(b.tokens).map((lp, token) => ({ b, bi, token, lp, rank: b.lp + lp - lambda * counts[token]! })));
            ext.sort((x, y) => y.rank - x.rank || x.bi - y.bi || x.token - y.token);
            const kept: Beam[] = [];
            for (const e of ext) {
                if (kept.length === k / G) break;
                const beam = { tokens: [...e.b.tokens, e.token], lps: [...e.b.lps, e.lp], lp: e.b.lp + e.lp };
                if (e.token === END) done.push(beam);
                else kept.push(beam);
            }
            for (const b of kept) counts[b.tokens.at(-1)!]! += 1;
            keptNow.push(kept.map(b => b.tokens.at(-1)!));
            return kept;
        });
        keptPerStep.push(keptNow);
    }
    const all = [...done, ...groups.flat()].map(b => ({ ...b, score: b.lp / b.tokens.length ** alpha }));
    return { all, keptPerStep };
}

test('diverse beam search equals the paper\'s algorithm written plainly: hypotheses, scores, each group\'s kept tokens', async () => {
    for (const [k, G, lambda, alpha] of [[4, 2, 0.5, 1], [6, 3, 2, 0], [4, 4, 1.5, 0.7], [6, 2, 0.8, 1]] as const) {
        const L = 4;
        const expected = plainDiverse(k, G, lambda, L, alpha);
        const result = await beamSearch({ beams: k, maxTokens: L, lengthPenalty: alpha, nBest: 100, groups: G, diversityPenalty: lambda, endTokens: new Set([END]), expand });
        const mine = result.hypotheses.map(h => `${h.tokens.join(' ')}:${h.logprob.toFixed(12)}`).sort();
        const theirs = expected.all.map(h => `${h.tokens.join(' ')}:${h.lp.toFixed(12)}`).sort();
        assert.deepEqual(mine, theirs, `k ${k}, G ${G}, λ ${lambda}`);
        for (const h of result.hypotheses) assert.ok(Math.abs(h.score - h.logprob / h.tokens.length ** alpha) < 1e-12);
        result.steps.forEach((step, s) => {
            const byGroup = Array.from({ length: G }, (_, g) => step.kept.filter(n => n.group === g).map(n => n.token));
            assert.deepEqual(byGroup, expected.keptPerStep[s], `k ${k}, G ${G}, step ${step.step}`);
            // The penalty a node carries is λ × the earlier groups' kept beams with its token.
            for (const node of [...step.kept, ...step.finished, ...step.pruned]) {
                const earlier = step.kept.filter(n => n.group! < node.group! && n.token === node.token).length;
                assert.equal(node.penalty ?? 0, lambda * earlier);
            }
        });
    }
});

test('diverse beam search: one group is plain beam search; λ = 0 makes every group plain beam search of k/G beams', async () => {
    const base = { maxTokens: 5, lengthPenalty: 0.8, endTokens: new Set([END]), expand };
    const plain = await beamSearch({ ...base, beams: 4, nBest: 50 });
    const oneGroup = await beamSearch({ ...base, beams: 4, nBest: 50, groups: 1, diversityPenalty: 3 });
    assert.deepEqual(oneGroup, plain);
    const narrow = await beamSearch({ ...base, beams: 2, nBest: 50 });
    const same = await beamSearch({ ...base, beams: 6, nBest: 50, groups: 3, diversityPenalty: 0 });
    same.steps.forEach((step, s) => {
        for (let g = 0; g < 3; g++) {
            assert.deepEqual(step.kept.filter(n => n.group === g).map(n => [n.token, n.logprob]), narrow.steps[s]!.kept.map(n => [n.token, n.logprob]), `step ${step.step}, group ${g}`);
        }
    });
    // Each hypothesis of the narrow search, three times (once per group).
    assert.deepEqual(same.hypotheses.map(h => h.tokens.join()).sort(), narrow.hypotheses.flatMap(h => [h, h, h]).map(h => h.tokens.join()).sort());
    // A penalty makes the groups' first tokens differ where the plain search would repeat them (3 tokens do not end).
    const diverse = await beamSearch({ ...base, beams: 3, nBest: 50, groups: 3, diversityPenalty: 100 });
    const firsts = diverse.steps[0]!.kept.map(n => n.token);
    assert.equal(new Set(firsts).size, firsts.length, `first tokens ${firsts}`);
});

test('the tree: step 1 hangs under the prompt (parent −1); later parents index the step before\'s kept beams', async () => {
    const result = await beamSearch({ beams: 4, maxTokens: 4, groups: 2, diversityPenalty: 1, endTokens: new Set([END]), expand });
    const nodes = (s: typeof result.steps[number]) => [...s.kept, ...s.finished, ...s.pruned];
    assert.ok(nodes(result.steps[0]!).every(n => n.parent === -1));
    for (const [s, step] of result.steps.entries()) {
        if (s === 0) continue;
        const before = result.steps[s - 1]!.kept;
        for (const n of nodes(step)) {
            assert.ok(n.parent >= 0 && n.parent < before.length);
            assert.equal(before[n.parent]!.group, n.group, 'a beam stays in its group');
            assert.ok(Math.abs(n.logprob - before[n.parent]!.logprob - distribution(pathOf(result.steps, s - 1, n.parent))[n.token]!) < 1e-12);
        }
    }
});

/** The tokens of the kept beam `index` of step index `s` (0-based), following parents back to the prompt. */
function pathOf(steps: readonly { kept: { parent: number; token: number }[] }[], s: number, index: number): number[] {
    const tokens: number[] = [];
    for (let i = s; i >= 0; i--) {
        const node = steps[i]!.kept[index]!;
        tokens.unshift(node.token);
        index = node.parent;
    }
    return tokens;
}

test('diverse beam search refuses groups that do not divide the beams and a negative or non-finite λ', async () => {
    const base = { beams: 4, maxTokens: 3, endTokens: new Set([END]), expand };
    await assert.rejects(beamSearch({ ...base, groups: 3 }), (e: unknown) => e instanceof DecodingSettingsError && e.field === 'groups' && /divides the beams \(4\), got 3/.test(e.message));
    await assert.rejects(beamSearch({ ...base, groups: 0 }), (e: unknown) => e instanceof DecodingSettingsError && e.field === 'groups');
    await assert.rejects(beamSearch({ ...base, groups: 2, diversityPenalty: -0.1 }), (e: unknown) => e instanceof DecodingSettingsError && e.field === 'diversityPenalty');
    await assert.rejects(beamSearch({ ...base, groups: 2, diversityPenalty: Infinity }), (e: unknown) => e instanceof DecodingSettingsError && e.field === 'diversityPenalty');
});

test('the outcome rebuilt from the nodes in the order a search made them (the addon\'s report) is the search\'s own', async () => {
    for (const [beams, groups, lambda, alpha] of [[3, 1, 0, 1], [4, 2, 0.9, 0.6], [6, 3, 0, 0]] as const) {
        const outcome = await beamSearch({ beams, maxTokens: 4, lengthPenalty: alpha, nBest: 7, groups, diversityPenalty: lambda, endTokens: new Set([END]), expand });
        // The kinds interleaved differently than the search made them: the rebuild keeps each kind's order.
        const nodes: FlatBeamNode[] = outcome.steps.flatMap((step, s) => (['pruned', 'finished', 'kept'] as const).flatMap(kind => step[kind].map(n => ({
            step: step.step, kind, parent: n.parent, token: n.token, group: n.group ?? 0, logprob: n.logprob, penalty: n.penalty ?? 0,
            tokenLogprob: distribution(s === 0 ? [] : pathOf(outcome.steps, s - 1, n.parent))[n.token]!,
        }))));
        assert.deepEqual(beamOutcomeFromNodes(nodes, { lengthPenalty: alpha, nBest: 7, groups }), outcome);
    }
    assert.throws(() => beamOutcomeFromNodes([{ step: 1, kind: 'kept', parent: -1, token: 0, group: 0, logprob: -1, penalty: 0, tokenLogprob: -1 },
        { step: 2, kind: 'kept', parent: 3, token: 0, group: 0, logprob: -2, penalty: 0, tokenLogprob: -1 }], { lengthPenalty: 1, nBest: 1, groups: 1 }), /parent \(3\)/);
});
