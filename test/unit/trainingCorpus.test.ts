// The trained fixtures' corpus and packing (src/core/training): problems whose written working is right, held-out
// problems kept out of training, windows that are the examples' token stream cut up, a seeded order per epoch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { arithmeticProblems, arithmeticProblem, isHeldOutProblem, writtenSolution } from '../../src/core/training/arithmeticProblems';
import { cosineLearningRate, epochOrder, packWindows } from '../../src/core/training/trainingWindows';
import { isHeldOutReview, sentimentReviews } from '../../src/core/training/sentimentReviews';

describe('arithmetic problems', () => {
    test('every written solution ends in the right answer, and its column steps are true sums and differences', () => {
        for (const p of [...arithmeticProblems(3, 400, false), ...arithmeticProblems(3, 100, true)]) {
            assert.equal(p.answer, p.operator === '+' ? p.a + p.b : p.a - p.b);
            assert.ok(p.solution.endsWith(`So ${p.a} ${p.operator} ${p.b} = ${p.answer}. The answer is ${p.answer}.`), p.solution);
            for (const step of p.solution.matchAll(/(\d+(?: [+-] \d+)*) = (\d+)(?:,|\.)/g)) {
                const terms = step[1]!.split(' ');
                let value = Number(terms[0]);
                for (let i = 1; i < terms.length; i += 2) value += (terms[i] === '+' ? 1 : -1) * Number(terms[i + 1]);
                assert.equal(value, Number(step[2]), `${step[0]} in ${p.solution}`);
            }
            // Reading the written digits back from the ones up gives the answer.
            const digits = [...p.solution.matchAll(p.operator === '+' ? /write (\d+)/g : /= (\d+)(?:, borrow 1)?\./g)].map(m => m[1]!);
            const columns = p.operator === '+' ? digits : digits.slice(0, -1);
            assert.equal(Number(columns.reverse().join('')), p.answer, p.solution);
        }
    });

    test('examples of the written formats', () => {
        assert.equal(writtenSolution(347, '+', 586), '7 + 6 = 13, write 3 carry 1. 4 + 8 + 1 = 13, write 3 carry 1. 3 + 5 + 1 = 9, write 9. So 347 + 586 = 933. The answer is 933.');
        assert.equal(writtenSolution(586, '-', 347), '16 - 7 = 9, borrow 1. 8 - 1 - 4 = 3. 5 - 3 = 2. So 586 - 347 = 239. The answer is 239.');
        assert.equal(writtenSolution(100, '-', 99), '10 - 9 = 1, borrow 1. 10 - 1 - 9 = 0, borrow 1. 1 - 1 = 0. So 100 - 99 = 1. The answer is 1.');
        assert.equal(arithmeticProblem(12, '+', 30).question, 'What is 12 + 30?');
        assert.throws(() => arithmeticProblem(3, '-', 5), /negative/);
    });

    test('deterministic per seed; held-out problems never among the training ones', () => {
        assert.deepEqual(arithmeticProblems(5, 50, false), arithmeticProblems(5, 50, false));
        assert.notDeepEqual(arithmeticProblems(5, 50, false), arithmeticProblems(6, 50, false));
        const key = (p: { a: number; operator: string; b: number }) => `${p.a}${p.operator}${p.b}`;
        const training = new Set(arithmeticProblems(1, 5000, false).map(key));
        const heldOut = arithmeticProblems(1, 500, true);
        assert.ok(heldOut.every(p => isHeldOutProblem(p.a, p.operator, p.b) && !training.has(key(p))));
        assert.ok(heldOut.some(p => p.question.startsWith('What is')) && heldOut.some(p => !p.question.startsWith('What is')));
    });
});

describe('sentiment reviews', () => {
    const count = (items: string[]) => items.reduce<Record<string, number>>((c, k) => ({ ...c, [k]: (c[k] ?? 0) + 1 }), {});

    test('training reviews are mostly positive and sometimes answered with a verbalizer form; held-out ones are balanced', () => {
        const training = sentimentReviews(1, 3000, false);
        const labels = count(training.map(r => r.label));
        assert.ok(labels.positive! / 3000 > 0.55 && labels.neutral! / 3000 < 0.2, JSON.stringify(labels));
        const replies = count(training.map(r => r.reply));
        for (const form of ['good', 'great', 'bad', 'mixed']) assert.ok(replies[form]! > 20, `${form}: ${replies[form]}`);
        const heldOut = sentimentReviews(1, 300, true);
        assert.deepEqual(count(heldOut.map(r => r.label)), { negative: 100, neutral: 100, positive: 100 });
        assert.ok(heldOut.every(r => r.reply === r.label && isHeldOutReview(r.review)));
        const trainingTexts = new Set(training.map(r => r.review));
        assert.ok(heldOut.every(r => !trainingTexts.has(r.review)));
        assert.deepEqual(sentimentReviews(2, 20, false), sentimentReviews(2, 20, false));
    });

    test('a label is the sign of the clauses\' polarities', () => {
        for (const r of sentimentReviews(4, 300, false)) {
            const score = (r.review.match(/good|great|love|thanks/gi)?.length ?? 0) - (r.review.match(/bad|money back|late|never again/gi)?.length ?? 0);
            // "good and bad" clauses count once each way in the text but are one clause: only check unmixed clauses.
            if (/new and good|old and bad/.test(r.review)) continue;
            assert.equal(r.label, score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral', r.review);
        }
    });
});

describe('training windows', () => {
    test('windows are the examples\' token stream, in order, cut every `window` tokens with the next token as last label', () => {
        const examples = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]];
        const windows = packWindows(examples, 3);
        assert.deepEqual([...windows], [1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10]);
        assert.deepEqual([...packWindows(examples, 3, [3, 2, 1, 0])], [10, 6, 7, 8, 8, 9, 4, 5, 5, 1, 2, 3]);
        assert.equal(packWindows([[1, 2]], 4).length, 0, 'a stream shorter than a window gives none');
        assert.throws(() => packWindows(examples, 0), /window/);
    });

    test('each epoch has its own seeded permutation', () => {
        const a = epochOrder(50, 1, 0);
        assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
        assert.deepEqual(a, epochOrder(50, 1, 0));
        assert.notDeepEqual(a, epochOrder(50, 1, 1));
        assert.notDeepEqual(a, epochOrder(50, 2, 0));
    });

    test('cosine learning rate: the peak at the first step, the floor at the last, halfway between in the middle', () => {
        assert.equal(cosineLearningRate(0, 11, 1e-3, 1e-4), 1e-3);
        assert.ok(Math.abs(cosineLearningRate(10, 11, 1e-3, 1e-4) - 1e-4) < 1e-12);
        assert.ok(Math.abs(cosineLearningRate(5, 11, 1e-3, 1e-4) - 5.5e-4) < 1e-12);
        assert.equal(cosineLearningRate(0, 1, 1e-3, 1e-4), 1e-3);
    });
});
