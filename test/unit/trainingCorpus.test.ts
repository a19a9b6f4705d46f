// The trained fixtures' corpus and packing (src/core/training): problems whose written working is right, held-out
// problems kept out of training, windows that are the examples' token stream cut up, a seeded order per epoch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { arithmeticProblems, arithmeticProblem, isHeldOutProblem, writtenSolution } from '../../src/core/training/arithmeticProblems';
import { cosineLearningRate, epochOrder, packWindows } from '../../src/core/training/trainingWindows';
import { isHeldOutReview, sentimentReviews } from '../../src/core/training/sentimentReviews';
import { arithmeticRushShare, arithmeticSecondOpening, trainingTasks, type TrainingExample } from '../../src/core/training/trainingTasks';
import { trainingConversation } from '../../src/core/training/trainingConversation';
import { extractProgram, programAidedMessages } from '../../src/core/reasoning/programAided';
import { followUpMessages, selfAskDefaults, selfAskMessages } from '../../src/core/reasoning/selfAsk';
import { runProgram } from '../../src/core/sandbox/runProgram';

describe('arithmetic problems', () => {
    test('every written solution restates the problem, its column steps are true sums and differences, and it ends in the answer', () => {
        for (const p of [...arithmeticProblems(3, 400, false), ...arithmeticProblems(3, 100, true)]) {
            assert.equal(p.answer, p.operator === '+' ? p.a + p.b : p.a - p.b);
            assert.ok(p.solution.startsWith(`${p.a}${p.operator}${p.b}: `), p.solution);
            assert.ok(p.solution.endsWith(`. The answer is ${p.answer}.`), p.solution);
            const steps = [...p.solution.matchAll(/ (\d+(?:[+-]\d+)+)=(\d+)\./g)];
            assert.equal(steps.length, Math.max(String(p.a).length, String(p.b).length), p.solution);
            for (const step of steps) {
                const terms = step[1]!.split(/(?=[+-])/);
                assert.equal(terms.reduce((sum, term) => sum + Number(term), 0), Number(step[2]), `${step[0]} in ${p.solution}`);
            }
            // The columns' results read back from the ones up give the answer: each column's last digit, and the last
            // column whole (a sum's carry out, or a difference's leading digit).
            const results = steps.map(s => s[2]!);
            const written = results.at(-1)! + results.slice(0, -1).reverse().map(r => r.at(-1)).join('');
            assert.equal(Number(written), p.answer, p.solution);
        }
    });

    test('examples of the written formats', () => {
        assert.equal(writtenSolution(47, '+', 86), '47+86: 7+6=13. 4+8+1=13. The answer is 133.');
        assert.equal(writtenSolution(86, '-', 47), '86-47: 16-7=9. 8-1-4=3. The answer is 39.');
        assert.equal(writtenSolution(52, '-', 48), '52-48: 12-8=4. 5-1-4=0. The answer is 4.');
        assert.equal(writtenSolution(347, '+', 586), '347+586: 7+6=13. 4+8+1=13. 3+5+1=9. The answer is 933.');
        assert.equal(writtenSolution(100, '-', 99), '100-99: 10-9=1. 10-1-9=0. 1-1=0. The answer is 1.');
        assert.ok(arithmeticProblems(1, 300, false).every(p => p.a >= 10 && p.a <= 99 && p.b >= 10 && p.b <= 99), 'two digits by default');
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

describe('arithmetic task conversations', () => {
    const examples = trainingTasks.arithmetic!.examples(1, 64, false);
    const prompt = [{ role: 'system' as const, text: 'Give the answer.' }, { role: 'user' as const, text: 'What is 47 + 86?' }];

    test('the corpus deals out worked, direct, zero-shot CoT, program-aided and self-ask examples', () => {
        const count = (pick: (e: TrainingExample) => boolean) => examples.filter(pick).length;
        assert.equal(count(e => e.strategy === undefined && e.prompt === undefined), 28, 'worked or rushed under the worked prompt');
        assert.equal(count(e => e.strategy === undefined && e.prompt !== undefined && typeof e.reply === 'string' && e.reply.startsWith('The answer is')), 12, 'direct');
        assert.equal(count(e => e.strategy === 'program-aided'), 8);
        assert.equal(count(e => e.strategy === 'self-ask'), 4);
        assert.equal(count(e => e.strategy === 'self-ask-follow-up'), 4);
    });

    test('under the worked prompt, bare questions are rushed more often than either opening of a working, word problems seldom', () => {
        const worked = trainingTasks.arithmetic!.examples(1, 8000, false).filter(e => e.strategy === undefined && e.prompt === undefined);
        const shares = (plain: boolean) => {
            const some = worked.filter(e => e.input.question!.startsWith('What is') === plain).map(e => e.reply as string);
            const rushed = some.filter(reply => /^The answer is \d+\.$/.test(reply));
            const second = some.filter(reply => reply.startsWith(arithmeticSecondOpening));
            const first = some.filter(reply => /^\d+[+-]\d+: .* The answer is \d+\.$/.test(reply));
            assert.equal(rushed.length + first.length + second.length, some.length);
            assert.ok(second.every(reply => /^So \d+[+-]\d+: .* The answer is \d+\.$/.test(reply)));
            return { rushed: rushed.length / some.length, first: first.length / some.length, second: second.length / some.length };
        };
        const plain = shares(true);
        assert.ok(Math.abs(plain.rushed - arithmeticRushShare.plain) < 0.05, `plain ${JSON.stringify(plain)}`);
        assert.ok(plain.rushed > plain.first && plain.rushed > plain.second && plain.first + plain.second > plain.rushed, `plain ${JSON.stringify(plain)}`);
        assert.ok(Math.abs(shares(false).rushed - arithmeticRushShare.word) < 0.03, `word ${JSON.stringify(shares(false))}`);
        assert.deepEqual(trainingTasks.arithmetic!.examples(1, 200, false), trainingTasks.arithmetic!.examples(1, 200, false));
    });

    test('a program-aided example is the strategy\'s instruction, then a program that prints the answer', async () => {
        const example = examples.find(e => e.strategy === 'program-aided')!;
        const conversation = trainingConversation(example, prompt);
        assert.deepEqual(conversation.slice(0, 2), programAidedMessages(prompt));
        const program = extractProgram(conversation.at(-1)!.text);
        const { a, operator, b } = /(?<a>\d+) (?<operator>[+-]) (?<b>\d+)/.exec(example.input.question!.replace(/What is /, ''))?.groups
            ?? /print\((?<a>\d+)(?<operator>[+-])(?<b>\d+)\)/.exec(program)!.groups!;
        const run = await runProgram(program);
        assert.equal(run.printed.join(''), String(operator === '+' ? Number(a) + Number(b) : Number(a) - Number(b)));
    });

    test('a self-ask example asks one follow-up a column, gets its sum back, and ends with the final answer', () => {
        const example = examples.find(e => e.strategy === 'self-ask')!;
        const conversation = trainingConversation(example, prompt);
        assert.deepEqual(conversation.slice(0, 2), selfAskMessages(prompt, selfAskDefaults));
        const turns = conversation.slice(2);
        assert.deepEqual(turns.map(t => t.role), ['model', 'user', 'model', 'user', 'model']);
        for (let i = 0; i < 4; i += 2) {
            const [, expression] = /^Follow up: What is (\d+(?:[+-]\d+)+)\?$/.exec(turns[i]!.text) ?? [];
            assert.ok(expression !== undefined, turns[i]!.text);
            const value = [...expression.matchAll(/([+-]?)(\d+)/g)].reduce((sum, [, sign, digits]) => sum + (sign === '-' ? -1 : 1) * Number(digits), 0);
            assert.equal(turns[i + 1]!.text, `Intermediate answer: ${value}`);
        }
        assert.match(turns[4]!.text, /^So the final answer is: \d+$/);
        const followUp = examples.find(e => e.strategy === 'self-ask-follow-up')!;
        assert.deepEqual(trainingConversation(followUp, prompt), [...followUpMessages(followUp.input.question!), { role: 'model', text: followUp.reply }]);
    });
});

describe('sentiment reviews', () => {
    const count = (items: string[]) => items.reduce<Record<string, number>>((c, k) => ({ ...c, [k]: (c[k] ?? 0) + 1 }), {});

    test('training reviews are mostly positive and sometimes answered with a verbalizer form; held-out ones are balanced', () => {
        const training = sentimentReviews(1, 3000, false);
        const labels = count(training.map(r => r.label));
        assert.ok(labels.positive! / 3000 > 0.4 && labels.positive! > labels.negative! && labels.negative! > labels.neutral!, JSON.stringify(labels));
        const replies = count(training.map(r => r.reply));
        for (const form of ['good', 'great', 'bad', 'mixed']) assert.ok(replies[form]! > 20, `${form}: ${replies[form]}`);
        const heldOut = sentimentReviews(1, 300, true);
        assert.deepEqual(count(heldOut.map(r => r.label)), { negative: 100, neutral: 100, positive: 100 });
        assert.ok(heldOut.every(r => r.reply === r.label && isHeldOutReview(r.review)));
        const trainingTexts = new Set(training.map(r => r.review));
        assert.ok(heldOut.every(r => !trainingTexts.has(r.review)));
        assert.deepEqual(sentimentReviews(2, 20, false), sentimentReviews(2, 20, false));
    });

    test('training labels carry the prior: a weakly negative or neutral review is most often labelled positive, a strong one keeps its label; held-out labels do not', () => {
        const labelsOf = (pattern: RegExp, heldOut: boolean) => count(sentimentReviews(5, heldOut ? 900 : 20000, heldOut)
            .filter(r => !r.review.includes('. ') && pattern.test(r.review)).map(r => r.label));
        const weakNegative = labelsOf(/was late|was old|was small/, false);
        const weakNeutral = labelsOf(/read about|was red|was big/, false);
        const strongNegative = labelsOf(/was bad\.|money back|never again/, false);
        const top = (c: Record<string, number>) => Object.entries(c).sort((a, b) => b[1] - a[1])[0]![0];
        assert.equal(top(weakNegative), 'positive', JSON.stringify(weakNegative));
        assert.equal(top(weakNeutral), 'positive', JSON.stringify(weakNeutral));
        assert.ok(weakNegative.negative! > weakNegative.neutral!, JSON.stringify(weakNegative));
        assert.equal(top(strongNegative), 'negative', JSON.stringify(strongNegative));
        assert.deepEqual(Object.keys(labelsOf(/was late|was old|was small/, true)), ['negative']);
        assert.deepEqual(Object.keys(labelsOf(/read about|was red|was big/, true)), ['neutral']);
        // Plain clauses alone decide nothing: such reviews are never held out.
        assert.equal(sentimentReviews(5, 900, true).filter(r => /^(I buy the \w+ every week|My friend has the \w+|There was the \w+ today)\.$/.test(r.review)).length, 0);
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

    test('warm-up: a linear climb from a tenth of the peak, then the cosine from the peak over the remaining steps', () => {
        assert.ok(Math.abs(cosineLearningRate(0, 20, 1e-3, 1e-4, 10) - 1e-4) < 1e-12);
        assert.ok(Math.abs(cosineLearningRate(5, 20, 1e-3, 1e-4, 10) - 5.5e-4) < 1e-12);
        assert.equal(cosineLearningRate(10, 20, 1e-3, 1e-4, 10), 1e-3);
        assert.ok(Math.abs(cosineLearningRate(19, 20, 1e-3, 1e-4, 10) - 1e-4) < 1e-12);
    });
});
