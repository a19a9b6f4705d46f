// The dataset evaluation shared by `promptscope eval` and the editor's Evaluate Prompt on Dataset (core), and the
// pure parts of its results panel (state conversion, vote histogram, CSV/JSON export), on a scripted fake model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpected, datasetInput, parseDataset } from '../../src/core/reasoning/dataset';
import { DatasetError } from '../../src/core/reasoning/errors/DatasetError';
import { DatasetRowOverflowError } from '../../src/core/reasoning/errors/DatasetRowOverflowError';
import { ContextOverflowError } from '../../src/shared/errors/ContextOverflowError';
import { CancelledError } from '../../src/shared/errors/CancelledError';
import { evaluateDataset, expectedAnswer } from '../../src/core/reasoning/evaluateDataset';
import { executeStrategy, type StrategyModel } from '../../src/core/reasoning/executeStrategy';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import { Verbalizer } from '../../src/core/reasoning/Verbalizer';
import { evaluationSummary, rowView, strategyPicks } from '../../src/vscode/evaluation/evaluationState';
import { csvField, evaluationToCsv, evaluationToJson } from '../../src/core/panels/evaluation/exportEvaluation';
import type { EvaluationState } from '../../src/shared/protocols/evaluation';
import { formatPercent, voteHistogram } from '../../src/webview/evaluation/voteHistogram';

const labels = { positive: ['positive', 'good'], negative: ['negative', 'bad'], neutral: ['neutral'] };

function run(review: string, extra: Partial<PromptRun> = {}): PromptRun {
    return {
        file: '/p/sentiment.prompt', messages: [{ role: 'user', text: review }], sampling: { temperature: 0 }, lora: [],
        settings: { answer: { labels } }, promptHash: 'h', ...extra,
    };
}

/** Answers each conversation from a script keyed by its last message; chatMany cycles through `paths`. */
function fakeModel(replies: Record<string, string>, paths: { text: string; meanLogprob: number }[] = []): StrategyModel & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async chat(request) {
            const last = request.messages.at(-1)!.text;
            calls.push(`chat:${last}`);
            return { text: replies[last] ?? '???', seed: request.sampling?.seed ?? 1, timing: { promptTokens: 10, generatedTokens: 2 } };
        },
        async chatMany(request) {
            calls.push(`chatMany:${request.n}`);
            return {
                seed: request.sampling?.seed ?? 1,
                paths: Array.from({ length: request.n }, (_, i) => ({ ...paths[i % paths.length]!, seed: i })),
                timing: { promptTokens: 10, generatedTokens: 2 * request.n },
            };
        },
    };
}

test('parseDataset reads JSONL and CSV from text; datasetInput drops the expected field; checkExpected names the row', () => {
    assert.deepEqual(parseDataset('d.jsonl', '{"q": "1+1", "expected": 2}\n\n{"q": "2+2", "expected": 4}\n'), [{ q: '1+1', expected: 2 }, { q: '2+2', expected: 4 }]);
    assert.deepEqual(parseDataset('d.csv', 'review,expected\r\n"Good, really",positive\n'), [{ review: 'Good, really', expected: 'positive' }]);
    assert.throws(() => parseDataset('d.txt', 'x'), DatasetError);
    assert.deepEqual(datasetInput({ review: 'x', label: 'y' }, 'label'), { review: 'x' });
    assert.throws(() => checkExpected('d.csv', [{ review: 'a', expected: 'positive' }, { review: 'b', expected: ' ' }], 'expected', false), /row 2 has no "expected" field/);
    assert.throws(() => checkExpected('d.csv', [{ review: 'a' }], 'gold', true), /row 1 has no "gold" field \(promptscope.expected\)/);
});

test('evaluateDataset: expected answers mapped like the model\'s, unmapped counted, confusion matrix, rows reported in order', async () => {
    const model = fakeModel({ 'Loved it': 'Good!', 'Broke at once': 'bad', 'Fine I guess': 'no idea', 'Meh': 'neutral' });
    const rows = [
        { review: 'Loved it', expected: 'Positive' },
        { review: 'Broke at once', expected: 'negative' },
        { review: 'Fine I guess', expected: 'neutral' },
        { review: 'Meh', expected: 'bad' },
    ];
    const verbalizer = new Verbalizer(labels);
    const seen: string[] = [];
    const evaluation = await evaluateDataset(model, {
        strategy: 'direct', flags: {}, rows, expectedField: 'expected', verbalizer,
        prepareRow: async input => ({ run: run(String(input.review)) }),
        onRow: (row, done, total) => { seen.push(`${done}/${total}:${row.answer ?? 'unmapped'}`); },
    });
    assert.deepEqual(seen, ['1/4:positive', '2/4:negative', '3/4:unmapped', '4/4:neutral']);
    assert.equal(evaluation.cancelled, false);
    const metrics = evaluation.metrics!;
    assert.equal(metrics.n, 4);
    assert.equal(metrics.correct, 2);
    assert.equal(metrics.accuracy, 0.5);
    assert.equal(metrics.unmapped, 1);
    assert.deepEqual(metrics.confusion.labels, ['positive', 'negative', 'neutral']);
    // expected negative (the "bad" row) answered neutral; expected neutral unmapped (last column).
    assert.deepEqual(metrics.confusion.matrix, [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]]);
    assert.deepEqual(evaluation.tokens, { prompt: 40, generated: 8 });
    assert.deepEqual(evaluation.results.map(r => r.expected), ['positive', 'negative', 'neutral', 'negative']);
    assert.deepEqual(evaluation.labels, ['positive', 'negative', 'neutral']);
    assert.equal(expectedAnswer('  Positive. ', undefined), expectedAnswer('positive', undefined), 'folded without a verbalizer');
});

test('evaluateDataset stops before the next row once the signal is aborted, and scores what was done', async () => {
    const abort = new AbortController();
    const model = fakeModel({ a: 'good', b: 'bad', c: 'good' });
    const evaluation = await evaluateDataset(model, {
        strategy: 'direct', flags: {}, rows: [{ r: 'a', expected: 'positive' }, { r: 'b', expected: 'negative' }, { r: 'c', expected: 'positive' }],
        expectedField: 'expected', verbalizer: new Verbalizer(labels), signal: abort.signal,
        prepareRow: async input => ({ run: run(String(input.r)) }),
        onRow: (_row, done) => { if (done === 2) abort.abort(); },
    });
    assert.equal(evaluation.cancelled, true);
    assert.equal(evaluation.results.length, 2);
    assert.equal(evaluation.metrics!.accuracy, 1);
    assert.equal(model.calls.length, 2, 'the third row never ran');

    const none = await evaluateDataset(model, {
        strategy: 'direct', flags: {}, rows: [{ r: 'a', expected: 'positive' }], expectedField: 'expected', verbalizer: undefined, signal: abort.signal,
        prepareRow: async input => ({ run: run(String(input.r)) }),
    });
    assert.equal(none.metrics, undefined);
    assert.equal(none.cancelled, true);
});

test('a row too long for the context names the file and the row, and is still a ContextOverflowError; other failures pass as they are', async () => {
    const failing = (error: Error): StrategyModel => ({
        ...fakeModel({}),
        async chat(request) {
            if (request.messages.at(-1)!.text === 'long') throw error;
            return { text: 'good', seed: 1, timing: { promptTokens: 10, generatedTokens: 2 } };
        },
    });
    const options = {
        strategy: 'direct' as const, flags: {}, rows: [{ r: 'short', expected: 'positive' }, { r: 'long', expected: 'positive' }],
        expectedField: 'expected', verbalizer: new Verbalizer(labels), file: '/d/long.jsonl',
        prepareRow: async (input: Record<string, unknown>) => ({ run: run(String(input.r)) }),
    };
    await assert.rejects(evaluateDataset(failing(new ContextOverflowError(40_026, 2048)), options), (error: unknown) =>
        error instanceof DatasetRowOverflowError && error instanceof ContextOverflowError && error.row === 2 && error.file === '/d/long.jsonl'
        && error.promptTokens === 40_026 && /^\/d\/long\.jsonl: row 2: The prompt is 40026 tokens long but the context holds 2048/.test(error.message));
    await assert.rejects(evaluateDataset(failing(new CancelledError('The evaluation')), options), (error: unknown) => error instanceof CancelledError);
});

test('self-consistency with probability weighting: the more probable paths outvote the more numerous ones', async () => {
    const model = fakeModel({}, [
        { text: 'bad', meanLogprob: -3 }, { text: 'bad', meanLogprob: -3 }, { text: 'good', meanLogprob: -0.1 },
    ]);
    const counted = await executeStrategy(model, run('x'), { strategy: 'self-consistency', flags: {}, samples: 3 });
    assert.equal(counted.answer, 'negative');
    assert.equal(counted.weighting, 'count');
    const weighted = await executeStrategy(model, run('x'), { strategy: 'self-consistency', flags: {}, samples: 3, weighting: 'probability' });
    assert.equal(weighted.answer, 'positive');
    assert.equal(weighted.weighting, 'probability');
    assert.deepEqual(weighted.votes, { positive: 1, negative: 2 });
    assert.ok(Math.abs(weighted.weights!.negative! - 2 * Math.exp(-3)) < 1e-12);
    assert.ok(Math.abs(weighted.weights!.positive! - Math.exp(-0.1)) < 1e-12);
});

test('rowView and evaluationSummary: plain data for the panel, confusion only for label tasks', async () => {
    const model = fakeModel({}, [{ text: 'good', meanLogprob: -0.5 }, { text: 'bad', meanLogprob: -1 }, { text: 'good', meanLogprob: -0.2 }, { text: '<img src=x onerror=alert(1)>', meanLogprob: -2 }]);
    const evaluation = await evaluateDataset(model, {
        strategy: 'self-consistency', flags: {}, samples: 4, seed: 3, rows: [{ review: 'x', expected: 'positive' }], expectedField: 'expected',
        verbalizer: new Verbalizer(labels), prepareRow: async () => ({ run: run('x') }),
    });
    const view = rowView(evaluation.results[0]!);
    assert.equal(view.answer, 'positive');
    assert.equal(view.correct, true);
    assert.deepEqual(view.votes, { positive: 2, negative: 1 });
    assert.equal(view.unmapped, 1);
    assert.equal(view.agreement, 0.5);
    assert.equal(view.paths!.length, 4);
    assert.deepEqual(view.paths![3], { text: '<img src=x onerror=alert(1)>', answer: null, rawAnswer: '<img src=x onerror=alert(1)>', meanLogprob: -2, seed: 3 });
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view, 'survives postMessage');
    const summary = evaluationSummary(evaluation)!;
    assert.equal(summary.accuracy, 1);
    assert.deepEqual(summary.confusion!.labels, ['positive', 'negative', 'neutral']);
    assert.equal(summary.perLabel!.positive!.recall, 1);

    const numeric = await evaluateDataset(fakeModel({ q: 'It is 4.' }), {
        strategy: 'direct', flags: {}, rows: [{ question: 'q', expected: 4 }], expectedField: 'expected', verbalizer: undefined,
        prepareRow: async input => ({ run: run(String(input.question), { settings: {} }) }),
    });
    const plain = evaluationSummary(numeric)!;
    assert.equal(plain.accuracy, 1);
    assert.equal(plain.confusion, undefined, 'no confusion matrix without labels');
    assert.equal(rowView(numeric.results[0]!).output, 'It is 4.');
});

test('voteHistogram: most votes first, the winner and expected answer marked, unmapped paths as their own bar', () => {
    const bars = voteHistogram({ votes: { '7': 1, '8': 3 }, unmapped: 1, answer: '8', expected: '7' });
    assert.deepEqual(bars.map(b => [b.answer, b.count, b.winner, b.expected, b.unmapped]), [['8', 3, true, false, false], ['7', 1, false, true, false], ['unmapped', 1, false, false, true]]);
    assert.equal(bars[0]!.fraction, 0.6);
    assert.deepEqual(voteHistogram({ answer: 'x', expected: 'x' }), []);
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatPercent(2 / 3), '66.7%');
});

test('voteHistogram: in a tie the vote\'s winner is listed first, though integer-like keys enumerate in numeric order', () => {
    // The tally met 57 first, so the vote picked it; the object lists "54" first all the same.
    const bars = voteHistogram({ votes: { '57': 2, '54': 2, '60': 1 }, answer: '57', expected: '55' });
    assert.deepEqual(bars.map(b => [b.answer, b.winner]), [['57', true], ['54', false], ['60', false]]);
});

test('CSV and JSON export: every row, quoting, formula-looking cells neutralised', () => {
    const state: EvaluationState = {
        prompt: 'sentiment.prompt', dataset: 'sentiment.csv', strategy: 'self-consistency', samples: 2, model: 'tiny', phase: 'done', total: 2,
        history: '/w/.promptscope/runs/x.jsonl',
        summary: { n: 2, correct: 1, accuracy: 0.5, unmapped: 0, tokens: { prompt: 20, generated: 8 }, ms: 1200 },
        rows: [
            { index: 0, input: { review: 'Good, "really"\nyes' }, expected: 'positive', rawExpected: 'positive', answer: 'positive', rawAnswer: 'good', correct: true, votes: { positive: 2 }, agreement: 1, unmapped: 0, ms: 10.4 },
            { index: 1, input: { review: '=HYPERLINK("x")' }, expected: 'negative', rawExpected: 'negative', answer: null, rawAnswer: null, correct: false, votes: {}, agreement: 0, unmapped: 2, ms: 9 },
        ],
    };
    const csv = evaluationToCsv(state).split('\r\n');
    assert.equal(csv[0], 'row,input.review,expected,answer,raw_answer,correct,votes,agreement,unmapped,output,ms');
    assert.equal(csv[1], '1,"Good, ""really""\nyes",positive,positive,good,true,positive:2,1,0,,10');
    assert.equal(csv[2], `2,"'=HYPERLINK(""x"")",negative,,,false,,0,2,,9`);
    assert.equal(csv.length, 4);
    assert.equal(csvField('-3'), '-3');
    assert.equal(csvField('@SUM'), "'@SUM");
    const json = JSON.parse(evaluationToJson(state));
    assert.equal(json.accuracy, 0.5);
    assert.equal(json.samples, 2);
    assert.equal(json.results.length, 2);
    assert.equal(json.results[0].input.review, 'Good, "really"\nyes');
    assert.equal(json.confusion, null);
});

test('JSON export: each row carries its reasoning trace, as the panel received it', async () => {
    const model = fakeModel({}, [{ text: 'good', meanLogprob: -0.5 }, { text: 'bad', meanLogprob: -1 }, { text: 'good', meanLogprob: -0.2 }]);
    const evaluation = await evaluateDataset(model, {
        strategy: 'self-consistency', flags: {}, samples: 3, seed: 3, rows: [{ review: 'x', expected: 'positive' }], expectedField: 'expected',
        verbalizer: new Verbalizer(labels), prepareRow: async () => ({ run: run('x') }),
    });
    const row = rowView(evaluation.results[0]!);
    const state: EvaluationState = { prompt: 'sentiment.prompt', dataset: 'sentiment.csv', strategy: 'self-consistency', samples: 3, phase: 'done', total: 1, rows: [row] };
    const [exported] = JSON.parse(evaluationToJson(state)).results;
    assert.deepEqual(exported.trace, row.trace);
    assert.equal(exported.trace.strategy, 'self-consistency');
    assert.deepEqual(exported.trace.roots.map((r: { kind: string; answer: string | null }) => [r.kind, r.answer]), [['path', 'positive'], ['path', 'negative'], ['path', 'positive']]);
    assert.deepEqual(exported.trace.vote.votes, { positive: 2, negative: 1 });
});

test('strategyPicks: the prompt default first, then every strategy', () => {
    const picks = strategyPicks('self-consistency', 7, 2);
    assert.deepEqual(picks.map(p => p.strategy), [undefined, 'direct', 'cot', 'self-consistency', 'ensemble', 'program-aided', 'tree-of-thought', 'self-ask']);
    // With samples, the strategies that otherwise run once vote too.
    assert.match(picks[7]!.description!, /7 chains voted/);
    assert.doesNotMatch(strategyPicks(undefined, undefined, 0)[6]!.description!, /voted/);
    assert.equal(picks[0]!.label, 'Prompt default (self-consistency)');
    assert.match(picks[3]!.description!, /7 sampled paths/);
    assert.match(picks[4]!.description!, /2 variants/);
    assert.match(strategyPicks(undefined, undefined, 0)[0]!.label, /direct/);
    assert.match(strategyPicks(undefined, undefined, 0)[4]!.description!, /needs variants/);
});
