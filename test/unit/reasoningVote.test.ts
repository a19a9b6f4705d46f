import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSeed } from '../../src/core/reasoning/deriveSeed';
import { AnswerSettingsError } from '../../src/core/reasoning/errors/AnswerSettingsError';
import { EmptyDatasetError } from '../../src/core/reasoning/errors/EmptyDatasetError';
import { foldAnswer } from '../../src/core/reasoning/foldAnswer';
import { majorityVote } from '../../src/core/reasoning/majorityVote';
import { scoreAnswers } from '../../src/core/reasoning/scoreAnswers';
import { Verbalizer } from '../../src/core/reasoning/Verbalizer';

describe('folding', () => {
    test('case, white space, punctuation and symbols of any script; numbers stay numbers', () => {
        assert.equal(foldAnswer('  Positive!! '), 'positive');
        assert.equal(foldAnswer('«Great»'), 'great');
        assert.equal(foldAnswer('ＰＯＳＩＴＩＶＥ'), 'positive');
        assert.equal(foldAnswer('正面。'), '正面');
        assert.equal(foldAnswer('¡Muy  bien!\n'), 'muy bien');
        assert.equal(foldAnswer('very-good'), 'very good');
        assert.equal(foldAnswer('1,234.50'), '1234.5');
        assert.equal(foldAnswer('-3.'), '-3');
        assert.equal(foldAnswer('$12'), '12');
        assert.equal(foldAnswer('...'), '');
    });
});

describe('Verbalizer', () => {
    const labels = { positive: ['good', 'great', '正面'], negative: ['bad', 'terrible', '负面'] };

    test('surface forms and the label name map to the label, folded', () => {
        const v = new Verbalizer(labels);
        assert.equal(v.map('GREAT!'), 'positive');
        assert.equal(v.map('Positive.'), 'positive');
        assert.equal(v.map(' 正面 '), 'positive');
        assert.equal(v.map('Terrible…'), 'negative');
        assert.deepEqual(v.labels, ['positive', 'negative']);
    });

    test('word matching finds a form inside a sentence, unless two labels are named', () => {
        const v = new Verbalizer(labels);
        assert.equal(v.map('The review is good.'), 'positive');
        assert.equal(v.map('情感是负面的'), 'negative');
        assert.equal(v.map('good or bad, hard to say'), undefined);
        assert.equal(v.map('goodness'), undefined, 'whole words only');
        assert.equal(new Verbalizer(labels, { match: 'exact' }).map('The review is good.'), undefined);
    });

    test('unmapped answers come back undefined (the caller counts them), not thrown away silently', () => {
        const v = new Verbalizer(labels);
        assert.equal(v.map('neutral'), undefined);
        assert.equal(v.map(undefined), undefined);
        assert.equal(v.map('!!!'), undefined);
    });

    test('bad label sets are clear errors', () => {
        assert.throws(() => new Verbalizer({}), AnswerSettingsError);
        assert.throws(() => new Verbalizer({ a: ['x'], b: ['X!'] }), (e: unknown) => e instanceof AnswerSettingsError && /also belongs to label "a"/.test(e.message));
        assert.throws(() => new Verbalizer({ a: ['?!'] }), AnswerSettingsError);
    });
});

describe('majority vote', () => {
    const votes = (...answers: (string | undefined)[]) => answers.map(answer => ({ answer }));

    test('distribution, winner, agreement (unmapped in the denominator)', () => {
        const result = majorityVote(votes('7', '8', '7', undefined, '7'));
        assert.equal(result.winner, '7');
        assert.deepEqual(result.votes, { 7: 3, 8: 1 });
        assert.equal(result.agreement, 3 / 5);
        assert.equal(result.weightShare, 3 / 4);
        assert.equal(result.unmapped, 1);
        assert.equal(result.total, 5);
        assert.equal(result.tie, false);
        assert.deepEqual(result.tied, ['7']);
    });

    test('a tie goes to the answer that appeared first, and is reported', () => {
        const result = majorityVote(votes('b', 'a', 'a', 'b', 'c'));
        assert.equal(result.winner, 'b');
        assert.equal(result.tie, true);
        assert.deepEqual(result.tied, ['b', 'a']);
        assert.deepEqual(result.tally.map(t => t.answer), ['b', 'a', 'c']);
        // Same votes in another order: another first occurrence, another winner.
        assert.equal(majorityVote(votes('a', 'b', 'b', 'a')).winner, 'a');
    });

    test('no mapped answer: no winner, agreement 0', () => {
        const result = majorityVote(votes(undefined, undefined));
        assert.equal(result.winner, undefined);
        assert.equal(result.agreement, 0);
        assert.equal(result.unmapped, 2);
        assert.equal(result.tie, false);
        assert.equal(majorityVote([]).winner, undefined);
    });

    test('probability weighting: exp(mean log-prob) per path can overturn the count', () => {
        const weighted = [
            { answer: 'x', meanLogprob: Math.log(0.9) },
            { answer: 'y', meanLogprob: Math.log(0.3) },
            { answer: 'y', meanLogprob: Math.log(0.3) },
        ];
        assert.equal(majorityVote(weighted).winner, 'y');
        const result = majorityVote(weighted, { weighting: 'probability' });
        assert.equal(result.winner, 'x');
        assert.ok(Math.abs(result.tally[0]!.weight - 0.9) < 1e-12);
        assert.ok(Math.abs(result.weightShare - 0.6) < 1e-12);
        assert.equal(result.agreement, 1 / 3);
        // Equal weights reached by different sums are still a tie.
        const tie = majorityVote([
            { answer: 'p', meanLogprob: Math.log(0.6) },
            { answer: 'q', meanLogprob: Math.log(0.1) }, { answer: 'q', meanLogprob: Math.log(0.2) }, { answer: 'q', meanLogprob: Math.log(0.3) },
        ], { weighting: 'probability' });
        assert.equal(tie.tie, true);
        assert.equal(tie.winner, 'p');
        assert.throws(() => majorityVote([{ answer: 'x', meanLogprob: Infinity }], { weighting: 'probability' }), RangeError);
    });
});

describe('dataset metrics', () => {
    test('accuracy, per-label counts, confusion matrix with an unmapped column', () => {
        const m = scoreAnswers([
            { expected: 'pos', answer: 'pos' },
            { expected: 'pos', answer: 'neg' },
            { expected: 'neg', answer: 'neg' },
            { expected: 'neg', answer: undefined },
            { expected: 'pos', answer: 'pos' },
        ], { labels: ['pos', 'neg', 'neutral'] });
        assert.equal(m.n, 5);
        assert.equal(m.correct, 3);
        assert.equal(m.accuracy, 0.6);
        assert.equal(m.unmapped, 1);
        assert.deepEqual(m.confusion.labels, ['pos', 'neg', 'neutral']);
        assert.deepEqual(m.confusion.matrix, [[2, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0]]);
        assert.deepEqual(m.perLabel.pos, { expected: 3, predicted: 2, correct: 2, precision: 1, recall: 2 / 3 });
        assert.deepEqual(m.perLabel.neutral, { expected: 0, predicted: 0, correct: 0, precision: 0, recall: 0 });
    });

    test('labels default to first appearance; an answer outside the label set gets its own column', () => {
        const m = scoreAnswers([{ expected: '4', answer: '5' }, { expected: '5', answer: '5' }]);
        assert.deepEqual(m.confusion.labels, ['4', '5']);
        assert.deepEqual(m.confusion.matrix, [[0, 1, 0], [0, 1, 0]]);
        assert.deepEqual(scoreAnswers([{ expected: 'a', answer: 'z' }], { labels: ['a'] }).confusion.labels, ['a', 'z']);
    });

    test('an empty dataset is a clear error', () => {
        assert.throws(() => scoreAnswers([]), EmptyDatasetError);
    });
});

describe('path seeds', () => {
    test('path 0 keeps the request seed; others are distinct, stable 32-bit seeds', () => {
        assert.equal(deriveSeed(1234, 0), 1234);
        const seeds = Array.from({ length: 64 }, (_, i) => deriveSeed(1234, i));
        assert.equal(new Set(seeds).size, 64);
        assert.deepEqual(seeds, Array.from({ length: 64 }, (_, i) => deriveSeed(1234, i)));
        assert.ok(seeds.every(s => Number.isInteger(s) && s >= 0 && s < 2 ** 32));
        assert.notEqual(deriveSeed(1, 1), deriveSeed(2, 1));
        assert.notEqual(deriveSeed(0, 1), deriveSeed(1, 0));
    });
});
