// Reranking order and its ties, against hand-made scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rerankCandidates } from '../../src/core/decoding/rerankCandidates';

test('candidates ordered by the target label\'s probability, then log-probability, then generation order; repeats scored once', async () => {
    const candidates = [
        { text: 'a', tokens: [1], logprob: -1 },
        { text: 'b', tokens: [2], logprob: -2 },
        { text: 'a', tokens: [1], logprob: -1 },
        { text: 'c', tokens: [3], logprob: -0.5 },
    ];
    const yes: Record<string, number> = { a: 0.6, b: 0.9, c: 0.6 };
    const scored: string[] = [];
    const result = await rerankCandidates(candidates, 'yes', async candidate => {
        scored.push(candidate.text);
        return [{ label: 'yes', logprob: Math.log(yes[candidate.text]!), probability: yes[candidate.text]! },
            { label: 'no', logprob: Math.log(1 - yes[candidate.text]!), probability: 1 - yes[candidate.text]! }];
    });
    assert.deepEqual(scored, ['a', 'b', 'c']);
    assert.deepEqual(result.ranked.map(c => c.index), [1, 3, 0, 2]);
    assert.equal(result.ranked[0]!.score, 0.9);
    await assert.rejects(rerankCandidates(candidates, 'maybe', async () => [{ label: 'yes', logprob: 0, probability: 1 }]), /no label "maybe"; its labels are "yes"/);
});
