// Beam search (src/core/decoding/beamSearch.ts) against exhaustive search on a toy model small enough to enumerate,
// and its rules: ordering, ties, end tokens, length penalty, the tree it records, and bad parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../src/core/decoding/beamSearch';

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
    await assert.rejects(beamSearch({ ...base, beams: 2, lengthPenalty: -1 }), /length penalty α must be a number ≥ 0/);
    await assert.rejects(beamSearch({ ...base, beams: 2, nBest: 0 }), /nBest must be a whole number ≥ 1/);
});
