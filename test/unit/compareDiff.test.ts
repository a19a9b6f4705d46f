import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSequences, diffWords, firstDifference, splitWords } from '../../src/core/text/wordDiff';
import { klDivergence, truncatedKl } from '../../src/core/probabilities/klDivergence';

const joined = (parts: { kind: string; text: string }[], keep: string) => parts.filter(p => p.kind === 'same' || p.kind === keep).map(p => p.text).join('');

test('splitWords keeps every character: words, punctuation and whitespace runs', () => {
    assert.deepEqual(splitWords('Hi,  there!\nok'), ['Hi', ',', '  ', 'there', '!', '\n', 'ok']);
    assert.equal(splitWords('déjà vu 42').join(''), 'déjà vu 42');
    assert.deepEqual(splitWords(''), []);
});

test('diffSequences: equal, insert, delete, replace (removal first), merged runs', () => {
    assert.deepEqual(diffSequences([1, 2, 3], [1, 2, 3]), [{ kind: 'same', items: [1, 2, 3] }]);
    assert.deepEqual(diffSequences([], [1]), [{ kind: 'added', items: [1] }]);
    assert.deepEqual(diffSequences([1], []), [{ kind: 'removed', items: [1] }]);
    assert.deepEqual(diffSequences([1, 2, 3, 4], [1, 5, 6, 4]), [
        { kind: 'same', items: [1] }, { kind: 'removed', items: [2, 3] }, { kind: 'added', items: [5, 6] }, { kind: 'same', items: [4] },
    ]);
    assert.deepEqual(diffSequences(['a', 'b', 'c'], ['b', 'c', 'd']), [
        { kind: 'removed', items: ['a'] }, { kind: 'same', items: ['b', 'c'] }, { kind: 'added', items: ['d'] },
    ]);
    // LCS length: ABCBDAB vs BDCABA has an LCS of 4.
    const ops = diffSequences([...'ABCBDAB'], [...'BDCABA']);
    assert.equal(ops.filter(o => o.kind === 'same').reduce((n, o) => n + o.items.length, 0), 4);
});

test('diffWords: both texts are recovered, and only the changed word is marked', () => {
    const a = 'The cat sat on the mat.';
    const b = 'The dog sat on the mat!';
    const parts = diffWords(a, b);
    assert.equal(joined(parts, 'removed'), a);
    assert.equal(joined(parts, 'added'), b);
    assert.deepEqual(parts.filter(p => p.kind !== 'same'), [
        { kind: 'removed', text: 'cat' }, { kind: 'added', text: 'dog' }, { kind: 'removed', text: '.' }, { kind: 'added', text: '!' },
    ]);
    assert.deepEqual(diffWords('same', 'same'), [{ kind: 'same', text: 'same' }]);
});

test('firstDifference', () => {
    assert.equal(firstDifference([1, 2, 3], [1, 2, 3]), undefined);
    assert.equal(firstDifference([1, 2, 3], [1, 9, 3]), 1);
    assert.equal(firstDifference([1, 2], [1, 2, 3]), 2);
});

test('klDivergence against hand-computed values', () => {
    // KL([0.5, 0.5] ‖ [0.9, 0.1]) = 0.5 ln(0.5/0.9) + 0.5 ln(0.5/0.1) = 0.5 ln(5/9) + 0.5 ln 5 = 0.5108256…
    assert.ok(Math.abs(klDivergence([0.5, 0.5], [0.9, 0.1]) - 0.5108256237659907) < 1e-12);
    // KL([0.9, 0.1] ‖ [0.5, 0.5]) = 0.9 ln 1.8 + 0.1 ln 0.2 = 0.3680642…
    assert.ok(Math.abs(klDivergence([0.9, 0.1], [0.5, 0.5]) - 0.3680642071684971) < 1e-12);
    assert.equal(klDivergence([0.2, 0.8], [0.2, 0.8]), 0);
    assert.equal(klDivergence([0, 1], [0.5, 0.5]), Math.log(2));
    assert.equal(klDivergence([0.5, 0.5], [1, 0]), Infinity);
    assert.throws(() => klDivergence([1], [0.5, 0.5]), RangeError);
});

test('truncatedKl: exact when the lists are complete, a lower bound with a rest cell otherwise', () => {
    const ln = Math.log;
    // Complete lists (in different orders): the true KL.
    const full = truncatedKl([{ id: 1, logprob: ln(0.5) }, { id: 2, logprob: ln(0.5) }], [{ id: 2, logprob: ln(0.1) }, { id: 1, logprob: ln(0.9) }]);
    assert.ok(Math.abs(full.kl - 0.5108256237659907) < 1e-12);
    assert.equal(full.shared, 2);
    assert.ok(full.unknownMass[0] < 1e-12 && full.unknownMass[1] < 1e-12);

    // P = {a: .6, b: .3, c: .1}, Q = {a: .5, b: .2, c: .3}, top-2 lists: P knows a, b; Q knows a, c.
    // Shared: a. Cells: a (.6 vs .5) and rest (.4 vs .5): .6 ln(1.2) + .4 ln(.8) = 0.0201366…
    const cut = truncatedKl([{ id: 0, logprob: ln(0.6) }, { id: 1, logprob: ln(0.3) }], [{ id: 0, logprob: ln(0.5) }, { id: 2, logprob: ln(0.3) }]);
    const expected = 0.6 * ln(1.2) + 0.4 * ln(0.8);
    assert.ok(Math.abs(cut.kl - expected) < 1e-12, String(cut.kl));
    assert.equal(cut.shared, 1);
    assert.ok(Math.abs(cut.unknownMass[0] - 0.4) < 1e-12 && Math.abs(cut.unknownMass[1] - 0.5) < 1e-12);
    // The true KL is larger: .6 ln(.6/.5) + .3 ln(.3/.2) + .1 ln(.1/.3) = 0.1931…
    const truth = klDivergence([0.6, 0.3, 0.1], [0.5, 0.2, 0.3]);
    assert.ok(cut.kl <= truth);

    // Identical truncated lists: 0.
    const same = [{ id: 4, logprob: ln(0.7) }, { id: 5, logprob: ln(0.2) }];
    assert.equal(truncatedKl(same, same).kl, 0);
    // Nothing shared: everything is in the rest cell on both sides, so the bound is 0.
    assert.equal(truncatedKl([{ id: 1, logprob: ln(0.9) }], [{ id: 2, logprob: ln(0.9) }]).kl, 0);
});
