// Paired comparison of two conditions on the same rows: counts, Wilson intervals and McNemar's exact test, checked
// against values computed by hand and by a straightforward binomial sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePaired, exactMcNemar } from '../../src/core/statistics/pairedComparison';
import { meanInterval, wilsonInterval } from '../../src/core/statistics/intervals';

test('exact McNemar: the two-sided binomial tail at p = 1/2', () => {
    // b = 1, c = 9: 2 · P(X ≤ 1), X ~ Bin(10, 1/2) = 2 · 11 / 1024.
    assert.ok(Math.abs(exactMcNemar(1, 9) - 22 / 1024) < 1e-15);
    assert.equal(exactMcNemar(5, 5), 1);
    assert.equal(exactMcNemar(0, 0), 1);
    // Large counts stay finite and agree with a direct sum of binomial terms.
    const direct = (b: number, c: number) => {
        const n = b + c;
        let sum = 0;
        let term = 2 ** -n;
        for (let i = 0; i <= Math.min(b, c); i++) {
            sum += term;
            term = term * (n - i) / (i + 1);
        }
        return Math.min(1, 2 * sum);
    };
    assert.ok(Math.abs(exactMcNemar(40, 60) - direct(40, 60)) < 1e-12);
    assert.ok(exactMcNemar(400, 600) > 0 && exactMcNemar(400, 600) < 1e-9);
});

test('paired counts and each side\'s Wilson interval', () => {
    const base = [true, true, false, false, true, false];
    const other = [true, false, true, false, true, false];
    const paired = comparePaired(base, other);
    assert.deepEqual([paired.bothCorrect, paired.onlyBase, paired.onlyOther, paired.bothWrong], [2, 1, 1, 2]);
    assert.deepEqual({ ...paired.base, correct: undefined }, { ...wilsonInterval(3, 6), correct: undefined });
    assert.equal(paired.mcnemarP, 1);
    assert.throws(() => comparePaired([true], []), /same rows/);
});

test('Wilson interval and mean interval against hand-computed values', () => {
    // 8 of 10 at z = 1.96: the textbook [0.4902, 0.9433].
    const w = wilsonInterval(8, 10, 1.96);
    assert.ok(Math.abs(w.low - 0.4902) < 1e-4 && Math.abs(w.high - 0.9433) < 1e-4, `${w.low} ${w.high}`);
    assert.deepEqual([wilsonInterval(0, 5).low, wilsonInterval(5, 5).high], [0, 1]);
    const m = meanInterval([1, 2, 3, 4]);
    assert.equal(m.estimate, 2.5);
    assert.ok(Math.abs(m.standardError - Math.sqrt(5 / 3 / 4)) < 1e-15);
});

test('a Wilson interval always contains its estimate, at 0 and n successes too', () => {
    for (let n = 1; n <= 60; n++) {
        for (let k = 0; k <= n; k++) {
            const w = wilsonInterval(k, n);
            assert.ok(w.low <= w.estimate && w.estimate <= w.high, `${k}/${n}: [${w.low}, ${w.high}]`);
        }
    }
});
