// The pure parts of `promptscope experiments` (src/cli/experiments): the self-consistency plot as SVG and as PNG,
// the figures' formatting, and the summaries the ensemble, strategies and lora experiments make of evaluated rows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StrategyOutcome } from '../../src/core/reasoning/executeStrategy';
import { wilsonInterval } from '../../src/core/statistics/intervals';
import { escapeXml, plotSize, selfConsistencyPlotSvg, type SelfConsistencyPlotData } from '../../src/cli/experiments/selfConsistencyPlot';
import { plotFontFiles, renderPlotPng } from '../../src/cli/experiments/renderPlotPng';
import { beats, formatAccuracy, formatInterval, formatMean, percent, points } from '../../src/cli/experiments/experimentFormat';
import { accuracyOf, conditionCost, summarizeCondition, withoutRows } from '../../src/cli/experiments/evaluateCondition';
import { bestOf, memberCorrectness } from '../../src/cli/experiments/ensembleExperiment';
import { failedPrograms } from '../../src/cli/experiments/strategiesExperiment';
import { loraConditionId, loraScales } from '../../src/cli/experiments/loraExperiment';
import { MissingTrainedFixtureError } from '../../src/cli/experiments/MissingTrainedFixtureError';
import { trainCommand, trainedFixturePath, trainedFixtures, type TrainedFixture } from '../../src/cli/experiments/trainedFixtures';
import { comparePaired } from '../../src/core/statistics/pairedComparison';

const curveData: SelfConsistencyPlotData = {
    title: 'Self-consistency on 300 <held-out> problems & more',
    greedy: wilsonInterval(180, 300),
    curve: [1, 2, 4, 8, 16].map((paths, i) => ({ paths, majority: wilsonInterval(170 + 12 * i, 300), weighted: wilsonInterval(172 + 11 * i, 300) })),
};

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Uint8Array): { width: number; height: number } {
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('the self-consistency plot', () => {
    test('the SVG has the plot\'s size, both series with an error bar per point, the greedy line and an escaped title', () => {
        const svg = selfConsistencyPlotSvg(curveData);
        assert.match(svg, new RegExp(`^<svg xmlns="http://www.w3.org/2000/svg" width="${plotSize.width}" height="${plotSize.height}"`));
        assert.ok(svg.includes('Self-consistency on 300 &lt;held-out&gt; problems &amp; more'));
        assert.equal(svg.match(/<circle cx/g)!.length, 5 + 1, 'five majority markers and the legend\'s');
        assert.equal(svg.match(/<path d="M/g)!.length, 10, 'an error bar per point of each series');
        assert.equal(svg.match(/<polyline/g)!.length, 2);
        assert.ok(svg.includes('stroke-dasharray="7 5"'), 'greedy CoT as a dashed line');
        for (const n of [1, 2, 4, 8, 16]) assert.ok(svg.includes(`>${n}</text>`), `tick for N = ${n}`);
        // The accuracy axis spans the intervals rounded out to tenths: 50% … 80% here.
        assert.ok(svg.includes('>50%</text>') && svg.includes('>80%</text>') && !svg.includes('>40%</text>') && !svg.includes('>90%</text>'));
    });

    test('a narrow range is widened to 20 points within 0…100%, and bad path counts are refused', () => {
        const perfect = wilsonInterval(300, 300);
        const svg = selfConsistencyPlotSvg({ title: 't', greedy: perfect, curve: [{ paths: 1, majority: perfect, weighted: perfect }] });
        assert.ok(svg.includes('>100%</text>') && svg.includes('>80%</text>') && !svg.includes('>110%</text>'));
        assert.throws(() => selfConsistencyPlotSvg({ ...curveData, curve: [] }), RangeError);
        assert.throws(() => selfConsistencyPlotSvg({ ...curveData, curve: [curveData.curve[1]!, curveData.curve[0]!] }), /increasing/);
        assert.throws(() => selfConsistencyPlotSvg({ ...curveData, curve: [{ ...curveData.curve[0]!, paths: 0 }] }), /positive/);
    });

    test('escapeXml escapes the five reserved characters', () => {
        assert.equal(escapeXml('a<b>&"c\'d'), 'a&lt;b&gt;&amp;&quot;c&apos;d');
    });

    test('the PNG: its signature, the SVG\'s size, the same bytes twice, and text drawn with the packaged font', async () => {
        const png = await renderPlotPng(selfConsistencyPlotSvg(curveData), 'test.png');
        assert.deepEqual([...png.subarray(0, 8)], pngSignature);
        assert.deepEqual(pngSize(png), { width: plotSize.width, height: plotSize.height });
        assert.deepEqual(await renderPlotPng(selfConsistencyPlotSvg(curveData), 'test.png'), png, 'deterministic');
        // System fonts are not loaded: text appears only because the packaged DejaVu Sans was.
        const box = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30" font-family="DejaVu Sans">${body}</svg>`;
        const blank = await renderPlotPng(box(''), 'blank.png');
        const text = await renderPlotPng(box('<text x="4" y="20">N = 8</text>'), 'text.png');
        assert.deepEqual(pngSize(text), { width: 80, height: 30 });
        assert.notDeepEqual(text, blank);
        assert.equal(plotFontFiles().length, 2);
    });
});

describe('figures as the report writes them', () => {
    test('rates, intervals, means and differences', () => {
        assert.equal(percent(0.4567), '45.7%');
        const rate = { ...wilsonInterval(137, 300), correct: 137, n: 300 };
        assert.equal(formatInterval(rate), '45.7% [40.1, 51.3]');
        assert.equal(formatAccuracy(rate), '45.7% [40.1, 51.3] (137/300)');
        assert.equal(formatMean({ estimate: 41.23, low: 39.8, high: 42.66 }, 1), '41.2 [39.8, 42.7]');
        assert.equal(points(0.023), '+2.3 points');
        assert.equal(points(-0.007), '-0.7 points');
    });

    test('beats: higher and McNemar p < 0.05 on the same rows', () => {
        const base = Array.from({ length: 100 }, (_, i) => i < 50);
        assert.equal(beats(comparePaired(base, Array.from({ length: 100 }, (_, i) => i < 70))), true);
        assert.equal(beats(comparePaired(base, Array.from({ length: 100 }, (_, i) => i < 52))), false, 'too few discordant rows');
        assert.equal(beats(comparePaired(base, Array.from({ length: 100 }, (_, i) => i < 30))), false, 'lower');
    });
});

/** An outcome with only what the summaries read. */
const outcome = (fields: Partial<StrategyOutcome>): StrategyOutcome =>
    ({ strategy: 'direct', answer: undefined, messages: [], outputs: [], seed: undefined, tokens: { prompt: 0, generated: 0 }, ms: 0, ...fields });

describe('summaries of evaluated rows', () => {
    test('a condition: accuracy with its Wilson interval and counts, unmapped rows; the flags leave the figures', () => {
        const rows = [{ correct: true, answer: '5' }, { correct: false, answer: '6' }, { correct: false, answer: undefined }, { correct: true, answer: '9' }];
        const result = summarizeCondition({ id: 'worked', label: 'worked', prompt: 'examples/arithmetic.prompt', strategy: 'direct' }, rows);
        assert.deepEqual(result.accuracy, { ...wilsonInterval(2, 4), correct: 2, n: 4 });
        assert.equal(result.unmapped, 1);
        assert.deepEqual(result.correct, [true, false, false, true]);
        assert.deepEqual(Object.keys(withoutRows(result)).sort(), ['accuracy', 'id', 'label', 'prompt', 'strategy', 'unmapped']);
        assert.deepEqual(accuracyOf([]), { estimate: NaN, low: NaN, high: NaN, correct: 0, n: 0 });
    });

    test('cost: mean generated tokens and milliseconds per problem with their intervals', () => {
        const cost = conditionCost([10, 20, 30].map((generated, i) => ({ outcome: outcome({ tokens: { prompt: 99, generated }, ms: 100 * (i + 1) }) })));
        assert.equal(cost.generatedTokens.estimate, 20);
        assert.equal(cost.generatedTokens.n, 3);
        assert.ok(Math.abs(cost.generatedTokens.standardError - 10 / Math.sqrt(3)) < 1e-12);
        assert.equal(cost.ms.estimate, 200);
        assert.ok(cost.ms.low < 200 && cost.ms.high > 200);
    });

    test('ensemble: each member\'s own answers against the expected one, and the best member (the first on a tie)', () => {
        const variant = (answer: string | undefined) => ({ file: 'f', text: '', answer, rawAnswer: answer });
        const rows = [
            { expected: '5', outcome: outcome({ variants: [variant('5'), variant('4'), variant('5')] }) },
            { expected: '7', outcome: outcome({ variants: [variant(undefined), variant('7'), variant('7')] }) },
            { expected: '9', outcome: outcome({ variants: [variant('9')] }) },
        ];
        assert.deepEqual(memberCorrectness(rows, 3), [[true, false, true], [false, true, false], [true, true, false]]);
        const members = [{ id: 'a', accuracy: { correct: 2 } }, { id: 'b', accuracy: { correct: 3 } }, { id: 'c', accuracy: { correct: 3 } }];
        assert.equal(bestOf(members).id, 'b');
        assert.throws(() => bestOf([]), RangeError);
    });

    test('program-aided: failed programs counted by kind', () => {
        const program = (failure?: 'timeout' | 'exception') => ({
            code: '', printed: [], answer: undefined, rawAnswer: undefined, ms: 1, ...(failure ? { failure: { kind: failure, message: 'x' } } : {}),
        });
        const rows = [outcome({ programs: [program()] }), outcome({ programs: [program('timeout')] }), outcome({ programs: [program('exception'), program('exception')] }), outcome({})];
        assert.deepEqual(failedPrograms(rows.map(o => ({ outcome: o }))), { timeout: 1, exception: 2 });
    });

    test('lora: a condition per task and scale, 0 (the base) first', () => {
        assert.deepEqual([...loraScales], [0, 0.5, 1]);
        assert.equal(loraConditionId('threeTerm', 0.5), 'threeTermScale0.5');
    });
});

describe('trained fixtures', () => {
    test('a missing one is named with the command that makes it', () => {
        assert.equal(trainCommand(trainedFixtures.threeTermLora), 'promptscope train-fixture three-term fixtures/trained/three-term-lora.gguf');
        const missing = { file: 'fixtures/trained/not-trained-yet.gguf', task: 'three-term' } as unknown as TrainedFixture;
        assert.throws(() => trainedFixturePath(missing), (error: unknown) => error instanceof MissingTrainedFixtureError
            && error.file === 'fixtures/trained/not-trained-yet.gguf'
            && error.message.includes('`promptscope train-fixture three-term fixtures/trained/not-trained-yet.gguf`'));
    });
});
