import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { barFraction, rawAlternatives, sampledAlternatives } from '../../src/webview/tokenProbabilities/alternatives';
import { branchPrompt, originalContinuation } from '../../src/core/panels/tokenProbabilities/branchTokens';
import { heat, heatColor, legendStops } from '../../src/webview/tokenProbabilities/colorScale';
import { endsLine, quotedToken, standaloneText, visibleText } from '../../src/webview/tokenProbabilities/displayText';
import { csvText, reportToCsv, reportToJson } from '../../src/core/panels/tokenProbabilities/exportReport';
import {
    formatBits, formatMetric, formatPerplexity, formatProbability, metricValue, natsToBits, perplexityOf, surprisalBits,
} from '../../src/core/panels/tokenProbabilities/metrics';
import type { ProbabilityReport, ProbabilityToken } from '../../src/shared/protocols/tokenProbabilities';
import { restoredState } from '../../src/core/panels/tokenProbabilities/restoredState';

/** A report of the runtime's shape: BOS, two prompt tokens (one hostile), two generated tokens. */
function fixtureReport(): ProbabilityReport {
    const tokens: ProbabilityToken[] = [
        { index: 0, id: 1, text: '<s>', raw: '<s>', source: 'prompt', logprob: null, entropy: null, top: [] },
        { index: 1, id: 10, text: 'Hello', raw: 'Hello', source: 'prompt', logprob: Math.log(0.5), entropy: Math.log(4), top: [
            { id: 10, text: 'Hello', raw: 'Hello', logprob: Math.log(0.5) }, { id: 11, text: ' Hi', raw: ' Hi', logprob: Math.log(0.25) },
        ] },
        { index: 2, id: 12, text: '<img src=x onerror=alert(1)>', raw: '<img src=x onerror=alert(1)>', source: 'prompt', logprob: Math.log(0.01), entropy: 2, top: [
            { id: 13, text: ' world', raw: ' world', logprob: Math.log(0.6) },
        ] },
        { index: 3, id: 14, text: '</script>\n', raw: '</script>\n', source: 'generated', logprob: Math.log(0.9), entropy: 0.3, top: [
            { id: 14, text: '</script>\n', raw: '</script>\n', logprob: Math.log(0.9) },
        ], sampledTop: [{ id: 14, text: '</script>\n', raw: '</script>\n', prob: 1 }] },
        { index: 4, id: 15, text: '=SUM(A1)', raw: '=SUM(A1)', source: 'generated', logprob: Math.log(0.25), entropy: 1, top: [
            { id: 15, text: '=SUM(A1)', raw: '=SUM(A1)', logprob: Math.log(0.25) },
        ], sampledTop: [{ id: 15, text: '=SUM(A1)', raw: '=SUM(A1)', prob: 0.7 }, { id: 16, text: 'x', raw: 'x', prob: 0.3 }] },
    ];
    return { model: 'fixture', tokens, promptPerplexity: Math.exp(-(Math.log(0.5) + Math.log(0.01)) / 2), exact: true };
}

test('metrics: probability, surprisal in bits, entropy from nats, none for the first token', () => {
    const [bos, hello] = fixtureReport().tokens;
    assert.equal(metricValue(bos!, 'probability'), undefined);
    assert.equal(metricValue(bos!, 'entropy'), undefined);
    assert.ok(Math.abs(metricValue(hello!, 'probability')! - 0.5) < 1e-12);
    assert.ok(Math.abs(metricValue(hello!, 'surprisal')! - 1) < 1e-12);
    assert.ok(Math.abs(metricValue(hello!, 'entropy')! - 2) < 1e-12);
    assert.equal(surprisalBits(0), 0);
    assert.ok(Math.abs(natsToBits(Math.log(8)) - 3) < 1e-12);
});

test('formatting keeps small probabilities readable', () => {
    assert.equal(formatProbability(0.973), '97.3%');
    assert.equal(formatProbability(0.05), '5%');
    assert.equal(formatProbability(0.00042), '0.042%');
    assert.equal(formatProbability(1e-9), '<0.001%');
    assert.equal(formatProbability(0), '0%');
    assert.equal(formatBits(1), '1.00 bits');
    assert.equal(formatBits(Infinity), '∞ bits');
    assert.equal(formatMetric('surprisal', undefined), '–');
    assert.equal(formatPerplexity(null), '–');
    assert.equal(formatPerplexity(14.142), '14.14');
    assert.equal(formatPerplexity(1234.5), '1235');
});

test('perplexity of a source is exp of the mean negative logprob', () => {
    const report = fixtureReport();
    assert.ok(Math.abs(perplexityOf(report.tokens, 'prompt')! - report.promptPerplexity!) < 1e-9);
    assert.ok(Math.abs(perplexityOf(report.tokens, 'generated')! - Math.exp(-(Math.log(0.9) + Math.log(0.25)) / 2)) < 1e-9);
    assert.equal(perplexityOf(report.tokens.slice(0, 1), 'prompt'), undefined);
});

test('colour scale: confident is cool, unlikely is hot, clamped to [0, 1]', () => {
    assert.equal(heat('probability', 1), 0);
    assert.equal(heat('probability', 0), 1);
    assert.equal(heat('surprisal', 0), 0);
    assert.equal(heat('surprisal', 100), 1);
    assert.equal(heat('entropy', 3), 0.5);
    assert.equal(heat('entropy', Number.NaN), 1);
    assert.equal(heatColor(0), 'hsla(120, 75%, 45%, 0.15)');
    assert.equal(heatColor(1), 'hsla(0, 75%, 45%, 0.50)');
    assert.equal(heatColor(7), heatColor(1));
    const stops = legendStops('probability');
    assert.equal(stops[0]!.label, '100%');
    assert.ok(stops.every(s => s.color.startsWith('hsla(')));
});

test('token text is made visible without losing what it is', () => {
    assert.equal(visibleText(''), '∅');
    assert.equal(visibleText('a\nb\tc\r'), 'a↵b⇥c␍');
    assert.equal(visibleText('\u0001'), '\\x01');
    assert.equal(visibleText('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'text stays text: the DOM escapes it');
    assert.equal(quotedToken(' the'), '“·the”');
    assert.ok(endsLine('x\n'));
    assert.ok(!endsLine('x'));
});

test('branch tokens: every id before the position, then the chosen one', () => {
    const { tokens } = fixtureReport();
    assert.deepEqual(branchPrompt(tokens, 2, 13), [1, 10, 13]);
    assert.deepEqual(branchPrompt(tokens, 0, 7), [7]);
    assert.throws(() => branchPrompt(tokens, 5, 1), RangeError);
    assert.throws(() => branchPrompt(tokens, -1, 1), RangeError);
    assert.throws(() => branchPrompt(tokens, 1, -3), RangeError);
    assert.equal(originalContinuation(tokens, 3), '</script>\n=SUM(A1)');
});

test('alternatives: raw top-k with the actual token appended when missing; sampled after filters', () => {
    const { tokens } = fixtureReport();
    const raw = rawAlternatives(tokens[2]!);
    assert.deepEqual(raw.map(r => [r.id, r.actual]), [[13, false], [12, true]]);
    assert.ok(Math.abs(raw[1]!.prob - 0.01) < 1e-12);
    assert.equal(sampledAlternatives(tokens[1]!), undefined);
    assert.deepEqual(sampledAlternatives(tokens[4]!)!.map(r => [r.id, r.prob, r.actual]), [[15, 0.7, true], [16, 0.3, false]]);
    assert.equal(barFraction(0.25), 0.25);
    assert.equal(barFraction(Number.NaN), 0);
    assert.equal(barFraction(2), 1);
});

test('CSV export quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    const csv = reportToCsv(fixtureReport());
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'index,source,id,text,raw,pieces,logprob,probability,surprisal_bits,entropy_bits,top');
    assert.equal(lines.length, 7, 'header, 5 tokens, trailing newline');
    assert.match(lines[1]!, /^0,prompt,1,<s>,<s>,,,,,,\[\]$/);
    assert.match(csv, /,"'=SUM\(A1\)","'=SUM\(A1\)",,/, 'the text and the piece, both defused');
    assert.equal(csvText('a "quote", comma'), '"a ""quote"", comma"');
    assert.equal(csvText(' lead'), '" lead"');
    assert.equal(csvText('-1'), `"'-1"`);
    assert.equal(csvText('plain'), 'plain');
    assert.match(csv, /"<\/script>\n"/, 'newlines in a token stay inside its quoted cell');
});

test('JSON export keeps text exactly and leaves running branches out', () => {
    const json = JSON.parse(reportToJson(fixtureReport(), [
        { id: 1, fromIndex: 2, token: { id: 13, text: ' world' }, text: '!', status: 'done' },
        { id: 2, fromIndex: 3, token: { id: 14, text: 'x' }, text: '', status: 'running' },
    ])) as ProbabilityReport & { branches: unknown[] };
    assert.equal(json.tokens[2]!.text, '<img src=x onerror=alert(1)>');
    assert.deepEqual(json.branches, [{ fromIndex: 2, token: { id: 13, text: ' world' }, text: '!', status: 'done' }]);
});

test('no webview code renders HTML from strings (model text goes in through textContent)', () => {
    const files = (function walk(dir: string): string[] {
        return readdirSync(dir).flatMap(n => statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]);
    })(join(__dirname, '..', '..', 'src', 'webview'));
    const offenders = files.filter(f => /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
});

test('restore after reload: the kept state (hostile text as it was), interrupted work marked, nothing usable → a hint', () => {
    const report = fixtureReport();
    const done = { id: 1, fromIndex: 2, token: { id: 13, text: '</script>' }, text: '<img src=x onerror=alert(1)>', status: 'done' as const };
    const running = { id: 2, fromIndex: 3, token: { id: 14, text: 'x' }, text: 'y', status: 'running' as const };
    const kept = restoredState({ panel: { title: 't.prompt', phase: 'done', report, branches: [done] }, metric: 'entropy', selected: 2 });
    assert.deepEqual(kept, { title: 't.prompt', phase: 'done', report, branches: [done] });
    const interrupted = restoredState({ panel: { title: 't.prompt', phase: 'computing', branches: [done, running] } });
    assert.equal(interrupted.phase, 'failed');
    assert.match(interrupted.message!, /interrupted by a reload/);
    assert.deepEqual(interrupted.branches.map(b => b.status), ['done', 'cancelled'], 'nothing runs in the new extension host');
    const hint = /Nothing to restore/;
    for (const junk of [undefined, null, 'x', {}, { panel: null }, { panel: 'x' }, { panel: { title: 't' } }, { panel: { phase: 'done', branches: 'x' } }, { panel: { phase: 'done', branches: [null] } }]) {
        const state = restoredState(junk);
        if (state.phase === 'failed' && hint.test(state.message ?? '')) continue;
        // A state whose only fault is a junk branch keeps the rest.
        assert.deepEqual(state.branches, [], JSON.stringify(junk));
    }
});

test('a piece of a split character: the chart names it by its vocabulary piece, the CSV by its bytes', () => {
    const pieces = [{ character: '正', from: 1, to: 1, of: 3 }];
    const token: ProbabilityToken = {
        index: 1, id: 233, text: '', raw: '<0xE6>', pieces, source: 'prompt', logprob: Math.log(0.01), entropy: 1,
        top: [{ id: 13, text: ' world', raw: '▁world', logprob: Math.log(0.6) }],
    };
    assert.equal(standaloneText(token), '<0xE6>');
    assert.equal(standaloneText({ text: '正', raw: '<0xA3>', pieces }), '正');
    assert.equal(standaloneText({ text: '', raw: '<unused0>' }), '', 'a token that stands for nothing is not a piece');
    assert.deepEqual(rawAlternatives(token).map(r => [r.text, r.raw, r.actual]), [[' world', '▁world', false], ['<0xE6>', '<0xE6>', true]]);
    const csv = reportToCsv({ model: 'm', tokens: [token], promptPerplexity: null, exact: true });
    assert.match(csv.split('\r\n')[1]!, /^1,prompt,233,,<0xE6>,正 1\/3,/);
});
