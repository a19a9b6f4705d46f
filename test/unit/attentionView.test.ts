import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePngDataUrl } from '../../src/vscode/attention/pngData';
import { legendStops, matrixPixels, rgbCss, scaled, weightRgb } from '../../src/webview/attention/colorMap';
import { exportFileName, reportToJson, viewSuffix } from '../../src/core/panels/attention/exportReport';
import { classifyFailure, limitFailure, limitHelp } from '../../src/core/panels/attention/failure';
import { AddonUnavailableError } from '../../src/shared/errors/AddonUnavailableError';
import { AttentionLimitError } from '../../src/shared/errors/AttentionLimitError';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { cellAt, fitLabel, heatmapGeometry, moveCursor } from '../../src/webview/attention/heatmapGeometry';
import { kvHeadOf, matrixOf, meanOfHeads, mergeLayers, slotOf } from '../../src/core/panels/attention/headMean';
import type { AttentionReport } from '../../src/shared/protocols/attention';
import { restoredState } from '../../src/core/panels/attention/restoredState';
import { thumbnailLayout } from '../../src/webview/attention/thumbnailLayout';
import { arcPath, lineWidth, topAttended } from '../../src/webview/attention/topAttended';

/** Causal rows that sum to 1, of the runtime's shape: 3 tokens (one hostile), 2 query heads on 1 KV head. */
function fixtureReport(layers = [0, 2]): AttentionReport {
    const head0 = [[1, 0, 0], [0.25, 0.75, 0], [0.5, 0.25, 0.25]];
    const head1 = [[1, 0, 0], [0.75, 0.25, 0], [0.1, 0.1, 0.8]];
    return {
        model: 'fixture',
        tokens: [{ id: 1, text: '<s>', raw: '<s>' }, { id: 7, text: '<img src=x onerror=alert(1)>', raw: '<img src=x onerror=alert(1)>' }, { id: 9, text: '</script>\n', raw: '</script>\n' }],
        layers,
        modelLayers: 4,
        heads: 2,
        kvHeads: 1,
        attention: layers.map(() => [head0, head1]),
        computedOn: { device: 'cpu', copy: false },
        timing: { tokens: 3, ms: 5 },
    };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('head mean: cell by cell, rows still sum to 1; matrices by layer and head', () => {
    const report = fixtureReport();
    const mean = meanOfHeads(report.attention[0]!);
    assert.deepEqual(mean, [[1, 0, 0], [0.5, 0.5, 0], [0.3, 0.175, 0.525]]);
    for (const row of mean) assert.ok(close(row.reduce((s, w) => s + w, 0), 1));
    assert.deepEqual(meanOfHeads([]), []);
    assert.throws(() => meanOfHeads([[[1]], [[1, 0], [0, 1]]]), RangeError);
    assert.equal(slotOf(report, 2), 1);
    assert.equal(slotOf(report, 1), undefined);
    assert.deepEqual(matrixOf(report, 2, 1), report.attention[1]![1]);
    assert.deepEqual(matrixOf(report, 0, 'mean'), mean);
    assert.equal(matrixOf(report, 3, 'mean'), undefined, 'a layer not captured yet');
    assert.equal(matrixOf(report, 0, 5), undefined);
    assert.equal(kvHeadOf(5, 8, 2), 1);
    assert.equal(kvHeadOf(3, 4, 4), 3);
});

test('layers captured one at a time merge in model order; other tokens replace the report', () => {
    const a = fixtureReport([2]);
    const b = fixtureReport([0]);
    b.attention[0]![0]![2] = [0, 0, 1];
    const merged = mergeLayers(a, b);
    assert.deepEqual(merged.layers, [0, 2]);
    assert.deepEqual(merged.attention[0]![0]![2], [0, 0, 1]);
    assert.equal(merged.attention[1], a.attention[0]);
    const other = { ...fixtureReport([1]), tokens: [{ id: 1, text: '<s>', raw: '<s>' }, { id: 8, text: 'x', raw: 'x' }, { id: 9, text: 'y', raw: 'y' }] };
    assert.equal(mergeLayers(merged, other), other);
    assert.equal(mergeLayers(undefined, b), b);
});

test('colour map: ordered from dark to bright, clamped, √ scale lifts small weights', () => {
    assert.deepEqual(weightRgb(0), [68, 1, 84]);
    assert.deepEqual(weightRgb(1), [253, 231, 37]);
    assert.deepEqual(weightRgb(7), weightRgb(1));
    assert.deepEqual(weightRgb(Number.NaN), weightRgb(0));
    assert.equal(scaled(0.25, 'sqrt'), 0.5);
    assert.equal(scaled(0.25, 'linear'), 0.25);
    assert.equal(scaled(-1, 'sqrt'), 0);
    const luminance = ([r, g, b]: readonly number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    const ramp = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1].map(w => luminance(weightRgb(w)));
    for (let i = 1; i < ramp.length; i++) assert.ok(ramp[i]! > ramp[i - 1]!, `brighter at step ${i}`);
    assert.equal(rgbCss([1, 2, 3]), 'rgb(1, 2, 3)');
    assert.equal(rgbCss([1, 2, 3], 0.5), 'rgba(1, 2, 3, 0.500)');
    assert.equal(legendStops('linear').length, 5);
});

test('pixels: one RGBA cell per weight, keys after the query transparent', () => {
    const matrix = fixtureReport().attention[0]![0]!;
    const data = matrixPixels(matrix, 'linear');
    assert.equal(data.length, 3 * 3 * 4);
    assert.deepEqual([...data.subarray(0, 4)], [...weightRgb(1), 255]);
    assert.deepEqual([...data.subarray(4, 8)], [0, 0, 0, 0], 'query 0, key 1 is masked');
    assert.deepEqual([...data.subarray((1 * 3 + 1) * 4, (1 * 3 + 1) * 4 + 4)], [...weightRgb(0.75), 255]);
    assert.throws(() => matrixPixels(matrix, 'linear', new Uint8ClampedArray(4)), RangeError);
});

test('heatmap geometry: whole-pixel cells, labels only when readable, exact hit-testing', () => {
    const small = heatmapGeometry(10);
    assert.equal(small.cell, 28);
    assert.ok(small.labels);
    assert.equal(small.size, small.margin + 280);
    const big = heatmapGeometry(512);
    assert.deepEqual([big.cell, big.labels, big.margin, big.size], [1, false, 0, 512]);
    assert.equal(heatmapGeometry(0).size, 0);
    assert.deepEqual(cellAt(small, small.margin + 28 * 3 + 1, small.margin + 28 * 5 + 27), { query: 5, key: 3 });
    assert.equal(cellAt(small, small.margin - 1, small.margin + 1), undefined);
    assert.equal(cellAt(small, small.size, small.margin), undefined);
    assert.deepEqual(cellAt(big, 511.5, 0), { query: 0, key: 511 });
    assert.deepEqual(moveCursor({ query: 2, key: 2 }, 'ArrowRight', 5), { query: 2, key: 2 }, 'keys stay causal');
    assert.deepEqual(moveCursor({ query: 2, key: 2 }, 'ArrowUp', 5), { query: 1, key: 1 });
    assert.deepEqual(moveCursor({ query: 4, key: 0 }, 'ArrowDown', 5), { query: 4, key: 0 });
    assert.deepEqual(moveCursor({ query: 3, key: 0 }, 'End', 5), { query: 3, key: 3 });
    assert.equal(moveCursor({ query: 3, key: 0 }, 'a', 5), undefined);
    assert.equal(fitLabel('abcdef', 4), 'abc…');
    assert.equal(fitLabel('ab', 4), 'ab');
});

test('thumbnail layout: columns that fit, squares within bounds, positions on a grid', () => {
    const layout = thumbnailLayout(33, 800);
    assert.equal(layout.columns, 10);
    assert.equal(layout.rows, 4);
    assert.ok(layout.size >= 72 && layout.size <= 160);
    assert.ok(layout.width <= 800);
    assert.deepEqual(layout.positions[11], { x: layout.size + 8, y: layout.size + 8 });
    const few = thumbnailLayout(3, 2000);
    assert.deepEqual([few.columns, few.size], [3, 160], 'no more columns than heads, capped size');
    const narrow = thumbnailLayout(5, 10);
    assert.deepEqual([narrow.columns, narrow.size], [1, 72]);
    assert.equal(thumbnailLayout(0, 500).positions.length, 0);
});

test('token view: heaviest visible keys first, crumbs and future keys left out; line widths and arcs', () => {
    const row = [0.5, 0.005, 0.3, 0.195, 0.9];
    assert.deepEqual(topAttended(row, 3), [{ key: 0, weight: 0.5 }, { key: 2, weight: 0.3 }, { key: 3, weight: 0.195 }]);
    assert.deepEqual(topAttended(row, 3, 2).map(a => a.key), [0, 2]);
    assert.deepEqual(topAttended([0.5, 0.5], 1).map(a => a.key), [0, 1], 'ties keep the earlier key first');
    assert.deepEqual(topAttended([Number.NaN, 1], 1), [{ key: 1, weight: 1 }]);
    assert.equal(lineWidth(1), 10);
    assert.equal(lineWidth(0), 0.75);
    assert.equal(lineWidth(5), 10);
    assert.match(arcPath({ x: 10, y: 50 }, { x: 110, y: 50 }), /^M 10 50 C 10 \d+(\.\d)?, 110 \d+(\.\d)?, 110 50$/);
    assert.match(arcPath({ x: 10, y: 50 }, { x: 10, y: 50 }), /^M 6 50 C/, 'a token attending to itself gets a loop');
});

test('failures: the unavailable addon is a state with its reason; the length limit is recognised by class', () => {
    // As the extension receives them: thrown in the runtime host, revived by class from the RPC channel.
    const viaRpc = (error: Error) => reviveError(serializeError(error));
    const unavailable = classifyFailure(viaRpc(new AddonUnavailableError('attention capture', 'the native addon is not built: run `npm run build:native`')));
    assert.deepEqual([unavailable.phase, unavailable.message, unavailable.error?.name],
        ['unavailable', 'the native addon is not built: run `npm run build:native`', 'AddonUnavailableError']);
    assert.equal(unavailable.error?.hostStack, undefined, 'no stack goes to the page');

    const overLimit = classifyFailure(viaRpc(new AttentionLimitError(512, 600)));
    assert.deepEqual([overLimit.phase, overLimit.message], ['failed', 'Attention maps are limited to 512 tokens; this prompt has 600: shorten it.']);
    // The page holds the state as JSON (setState) and recognises the error by its class, with its fields.
    const limit = limitFailure(JSON.parse(JSON.stringify(overLimit)) as typeof overLimit);
    assert.ok(limit instanceof AttentionLimitError);
    assert.deepEqual([limit.limit, limit.tokens], [512, 600]);
    assert.match(limitHelp(limit), /at most 512 tokens/);

    // The same words in a plain error are not the limit: nothing is recognised by its message.
    const lookalike = classifyFailure(new Error('attention capture unavailable: Attention maps are limited to 512 tokens'));
    assert.equal(lookalike.phase, 'failed');
    assert.equal(limitFailure(lookalike), undefined);
    assert.deepEqual(classifyFailure('boom'), { phase: 'failed', message: 'boom', error: { name: 'Error', message: 'boom', fields: {} } });
    assert.equal(limitFailure({ phase: 'done', error: overLimit.error }), undefined, 'only a failed phase shows the limit');
});

test('exports: JSON is the runtime shape with text kept exactly; safe file names', () => {
    const json = JSON.parse(reportToJson(fixtureReport())) as AttentionReport;
    assert.equal(json.tokens[1]!.text, '<img src=x onerror=alert(1)>');
    assert.deepEqual(json.attention, fixtureReport().attention);
    assert.equal(viewSuffix(3, 'mean'), 'layer3.mean');
    assert.equal(viewSuffix(3, 2), 'layer3.head2');
    assert.equal(exportFileName('hello.prompt', 'png', 'layer3.head2'), 'hello.attention.layer3.head2.png');
    assert.equal(exportFileName('a b/../c.prompt', 'json'), 'a_b_.._c.attention.json');
    assert.equal(exportFileName('', 'json'), 'prompt.attention.json');
});

test('PNG export: only a real PNG data URL becomes bytes', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const bytes = decodePngDataUrl(`data:image/png;base64,${png.toString('base64')}`);
    assert.deepEqual([...bytes], [...png]);
    assert.throws(() => decodePngDataUrl('data:text/html;base64,PGI+'), /not a PNG data URL/);
    assert.throws(() => decodePngDataUrl(`data:image/png;base64,${Buffer.from('<svg onload=x>').toString('base64')}`), /not a PNG/);
    assert.throws(() => decodePngDataUrl('data:image/png;base64,<script>'), /base64/);
});

test('restore after reload: the kept state, an interrupted capture marked, nothing usable → a hint', () => {
    const report = fixtureReport();
    assert.deepEqual(restoredState({ panel: { title: 't', phase: 'done', report } }), { title: 't', phase: 'done', report });
    const interrupted = restoredState({ panel: { title: 't', phase: 'computing', report, pendingLayer: 3 } });
    assert.equal(interrupted.phase, 'done');
    assert.equal(interrupted.pendingLayer, undefined);
    assert.match(interrupted.message!, /interrupted/);
    assert.equal(restoredState({ panel: { title: 't', phase: 'computing' } }).phase, 'failed');
    assert.equal(restoredState({ panel: { title: 't', phase: 'unavailable', message: 'why' } }).message, 'why');
    assert.equal(restoredState(undefined).phase, 'failed');
    assert.equal(restoredState({ panel: null }).phase, 'failed');
});
