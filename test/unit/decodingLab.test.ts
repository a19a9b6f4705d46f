// The Decoding Lab's pure parts: settings checks (a DecodingSettingsError naming the setting), column titles and form
// drafts, the page's views of decoded sequences and of the beam tree, the tree's layout and keyboard moves (checked
// against the hypotheses the search itself returned), the JSON export, restoring after a reload, failures by class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../src/core/decoding/beamSearch';
import { sequenceFigures } from '../../src/core/decoding/decodeMethod';
import { validateDecodingSettings, validateMaxTokens } from '../../src/core/decoding/validateDecodingSettings';
import { columnTitle, defaultColumns, samplePreset } from '../../src/core/panels/decodingLab/columns';
import { sequenceView, treeTokens, treeView } from '../../src/core/panels/decodingLab/columnViews';
import { exportColumn, exportName } from '../../src/core/panels/decodingLab/exportColumn';
import { restoredState } from '../../src/core/panels/decodingLab/restoredState';
import { presets } from '../../src/core/panels/playground/form';
import { AddonUnavailableError, CancelledError, ContextOverflowError, DecodingSettingsError, SamplingOptionsError } from '../../src/shared/errors';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import type { BeamSearchResult } from '../../src/shared/runtimeApi';
import type { DecodingColumn } from '../../src/shared/protocols/decodingLab';
import { columnFailure } from '../../src/vscode/decodingLab/columnFailure';
import { beamTreeLayout, pathTo, treeMove } from '../../src/webview/decodingLab/beamTreeLayout';
import { draftFromSettings, settingsFromDraft } from '../../src/webview/decodingLab/columnFields';

test('settings are checked, each refusal a DecodingSettingsError naming the setting and what it allows', () => {
    for (const settings of defaultColumns()) assert.deepEqual(validateDecodingSettings(settings), settings);
    const cases: [unknown, string, RegExp][] = [
        [{ method: 'beam', beams: 0, lengthPenalty: 1, nBest: 1 }, 'beams', /^beams must be a whole number from 1 to 32, got 0\.$/],
        [{ method: 'beam', beams: 33, lengthPenalty: 1, nBest: 1 }, 'beams', /from 1 to 32, got 33/],
        [{ method: 'beam', beams: 4, lengthPenalty: -0.5, nBest: 1 }, 'lengthPenalty', /≥ 0/],
        [{ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 5 }, 'nBest', /from 1 to the beams \(4\), got 5/],
        [{ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 3 }, 'groups', /divides the beams \(4\), got 3/],
        [{ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 0 }, 'groups', /got 0/],
        [{ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 2, diversityPenalty: -1 }, 'diversityPenalty', /≥ 0 \(the diversity penalty λ\), got -1/],
        [{ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 2, diversityPenalty: Number.NaN }, 'diversityPenalty', /got NaN/],
        [{ ...samplePreset('balanced', 1), topP: 0 }, 'topP', /\(0, 1\]/],
        [{ ...samplePreset('balanced', 1), minP: 1 }, 'minP', /\[0, 1\)/],
        [{ ...samplePreset('balanced', 1), temperature: -1 }, 'temperature', /≥ 0/],
        [{ ...samplePreset('balanced', 1), topK: 2.5 }, 'topK', /whole number/],
        [{ ...samplePreset('balanced', 1), seed: 1.5 }, 'seed', /whole number from 0/],
        [{ ...samplePreset('balanced', 1), repeatPenalty: Number.NaN }, 'repeatPenalty', /> 0/],
        [{ method: 'nucleus' }, 'method', /greedy, beam or sample/],
    ];
    for (const [settings, field, message] of cases) {
        assert.throws(() => validateDecodingSettings(settings as never), (error: unknown) => {
            assert.ok(error instanceof DecodingSettingsError, String(error));
            assert.equal(error.field, field);
            assert.match(error.message, message);
            return true;
        });
    }
    assert.equal(validateMaxTokens(16), 16);
    assert.throws(() => validateMaxTokens(0), /maxTokens must be a whole number from 1 to 128, got 0/);
    // Across postMessage the class survives, so the page can name the field.
    const revived = reviveError(serializeError(new DecodingSettingsError('topP', 2, 'a number in (0, 1]'), { stack: false }));
    assert.ok(revived instanceof DecodingSettingsError);
    assert.equal(revived.field, 'topP');
});

test('sample presets are the playground\'s numbers; titles name every deciding setting; form drafts round-trip', () => {
    const balanced = samplePreset('balanced', 7);
    assert.deepEqual(balanced, { method: 'sample', temperature: Number(presets.balanced.temperature), topK: Number(presets.balanced.topK), topP: Number(presets.balanced.topP), minP: Number(presets.balanced.minP), repeatPenalty: Number(presets.balanced.repeatPenalty), seed: 7 });
    assert.equal(columnTitle({ method: 'greedy' }), 'Greedy');
    assert.equal(columnTitle({ method: 'beam', beams: 4, lengthPenalty: 0.6, nBest: 2 }), 'Beam k=4, α=0.6, 2 best');
    assert.equal(columnTitle({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 2, diversityPenalty: 0.5 }), 'Beam k=4, α=1, 2 best, 2 groups λ=0.5');
    // A beam column saved before diverse beam search existed shows its defaults in the form.
    assert.deepEqual(settingsFromDraft('beam', draftFromSettings({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 3 })),
        { method: 'beam', beams: 4, lengthPenalty: 1, nBest: 3, groups: 1, diversityPenalty: 0 });
    assert.equal(columnTitle(balanced), 'Sample T=0.7, top-k 40, top-p 0.9, min-p 0.05, repeat 1.1, seed 7');
    for (const settings of [...defaultColumns(), balanced]) assert.deepEqual(settingsFromDraft(settings.method, draftFromSettings(settings)), settings);
    const blank = settingsFromDraft('beam', { beams: '', lengthPenalty: '1', nBest: '2' });
    assert.throws(() => validateDecodingSettings(blank), (e: unknown) => e instanceof DecodingSettingsError && e.field === 'beams');
});

// A toy model small enough to check by hand: V = 5 tokens, token 4 ends a sequence.
const V = 5;
const END = 4;
function distribution(prefix: readonly number[]): number[] {
    let h = 2166136261;
    for (const t of prefix) h = Math.imul(h ^ (t + 1), 16777619);
    const logits = Array.from({ length: V }, (_, i) => (((Math.imul(h ^ (i * 7919), 2654435761) >>> 0) % 1000) / 300));
    const max = Math.max(...logits);
    const log = Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0)) + max;
    return logits.map(l => l - log);
}
const expand = async (beams: readonly BeamHypothesis[]): Promise<BeamCandidate[][]> => beams.map(b => distribution(b.tokens)
    .map((logprob, token) => ({ token, logprob })).sort((a, c) => c.logprob - a.logprob || a.token - c.token));

async function toyResult(beams: number, maxTokens: number): Promise<BeamSearchResult> {
    const outcome = await beamSearch({ beams, maxTokens, lengthPenalty: 1, nBest: beams, endTokens: new Set([END]), expand });
    return {
        model: 'toy', promptTokens: 1, steps: outcome.steps, endTokens: [END], exact: true, timing: { decodeCalls: maxTokens, ms: 1 },
        hypotheses: outcome.hypotheses.map(h => ({ text: h.tokens.map(t => `t${t}`).join(''), ...h })),
    };
}

const pieces = new Map(Array.from({ length: V }, (_, t) => [t, t === END ? '</s>' : `t${t}`]));

test('the tree view and layout: every node under its parent, token probabilities from the path, paths spell the hypotheses', async () => {
    const result = await toyResult(2, 4);
    assert.deepEqual(treeTokens(result).sort(), [...new Set(result.steps.flatMap(s => [...s.kept, ...s.finished, ...s.pruned].map(n => n.token)))].sort());
    const tree = treeView(result, pieces);
    assert.equal(tree.steps.length, 4);
    assert.ok(tree.steps.every(s => [...s.kept, ...s.finished, ...s.pruned].every(n => n.text === pieces.get(n.token))));

    const closed = beamTreeLayout(tree, new Set());
    assert.equal(closed.columns.length, 5);
    assert.ok(closed.columns.flat().every(item => item.kind !== 'pruned'), 'pruned extensions stay folded');
    const open = beamTreeLayout(tree, new Set([1, 2, 3, 4]));
    const pruned = open.columns.flat().filter(item => item.kind === 'pruned');
    assert.equal(pruned.length, tree.steps.reduce((n, s) => n + s.pruned.length, 0));
    for (const item of open.columns.flat()) {
        if (item.node === undefined) continue;
        const parent = open.byKey.get(item.parent!)!;
        assert.equal(parent.step, item.step - 1);
        assert.ok(parent.kind === 'root' || parent.kind === 'kept', `${item.key} hangs under ${parent.key}`);
        // The token's own log-probability is the toy model's, at the path's prefix.
        const prefix = pathTo(open, parent.key).map(p => p.node.token);
        assert.ok(Math.abs(item.tokenLogprob! - distribution(prefix)[item.node.token]!) < 1e-12);
        assert.ok(open.edges.some(e => e.from === parent && e.to === item));
    }
    // Every hypothesis is the path to an ended node or to a kept beam of the last step.
    for (const h of result.hypotheses) {
        const ends = open.columns[h.tokens.length]!.filter(item => item.kind === (h.finished ? 'finished' : 'kept'));
        assert.ok(ends.some(item => pathTo(open, item.key).map(p => p.node.token).join() === h.tokens.join()
            && Math.abs(item.node!.logprob - h.logprob) < 1e-12), `hypothesis ${h.tokens}`);
    }
});

test('keyboard moves: Right to a child, Left to the parent, Up/Down along a step, Home/End, toggles', async () => {
    const tree = treeView(await toyResult(2, 3), pieces);
    const layout = beamTreeLayout(tree, new Set());
    assert.equal(treeMove(layout, 'root', 'ArrowRight'), layout.columns[1]![0]!.key);
    assert.equal(treeMove(layout, 'root', 'ArrowLeft'), undefined);
    assert.equal(treeMove(layout, 'root', 'x'), undefined);
    const kept = layout.byKey.get('1:kept:0')!;
    const child = treeMove(layout, kept.key, 'ArrowRight');
    assert.ok(child === undefined || layout.byKey.get(child)!.parent === kept.key);
    for (const item of layout.columns.flat()) {
        if (item.parent !== undefined) assert.equal(treeMove(layout, item.key, 'ArrowLeft'), item.parent);
    }
    const step1 = layout.columns[1]!;
    assert.equal(treeMove(layout, step1[0]!.key, 'ArrowUp'), step1[0]!.key);
    assert.equal(treeMove(layout, step1[0]!.key, 'ArrowDown'), step1[1]!.key);
    assert.equal(treeMove(layout, step1[0]!.key, 'End'), step1.at(-1)!.key);
    assert.equal(treeMove(layout, step1.at(-1)!.key, 'Home'), step1[0]!.key);
    const toggle = step1.find(i => i.kind === 'prunedToggle')!;
    assert.equal(treeMove(layout, toggle.key, 'ArrowLeft'), 'root');
    assert.equal(treeMove(layout, toggle.key, 'ArrowRight'), layout.columns[2]![0]!.key);
    // A toggle and the prompt have no path (the page shows the path of what has the focus).
    assert.deepEqual(pathTo(layout, toggle.key), []);
    assert.deepEqual(pathTo(layout, 'root'), []);
    assert.deepEqual(pathTo(layout, kept.key).map(p => p.key), [kept.key]);
});

test('export: settings, sequences and the whole tree as JSON; a file name beside the prompt', async () => {
    const result = await toyResult(2, 3);
    const column: DecodingColumn = {
        id: 2, settings: { method: 'beam', beams: 2, lengthPenalty: 1, nBest: 2 }, phase: 'done',
        results: result.hypotheses.map(h => sequenceView(sequenceFigures(h.text, h.tokens, h.tokens.map(t => pieces.get(t)!), h.tokenLogprobs))),
        tree: treeView(result, pieces),
    };
    const json = JSON.parse(exportColumn(column, { title: 'story.prompt', model: 'toy', maxTokens: 3 }));
    assert.equal(json.method, 'beam');
    assert.deepEqual(json.settings, column.settings);
    assert.equal(json.tree.steps.length, 3);
    assert.deepEqual(json.tree.steps.map((s: { pruned: unknown[] }) => s.pruned.length), result.steps.map(s => s.pruned.length));
    assert.equal(json.results[0].perplexity, Math.exp(-result.hypotheses[0]!.logprob / result.hypotheses[0]!.tokens.length));
    assert.equal(exportName('story.prompt', column), 'story.beam-k2.json');
    assert.equal(exportName('a b/c', { ...column, settings: samplePreset('creative', 3) }), 'a-b-c.sample-seed3.json');
    // No tokens: perplexity null, not NaN (which JSON would turn into null anyway, silently).
    assert.equal(sequenceView(sequenceFigures('', [], [], [])).perplexity, null);
});

test('restoring after a reload: decoding that was under way is marked cancelled; nothing usable gives a hint', () => {
    const saved = {
        lab: {
            title: 'a.prompt', phase: 'computing', maxTokens: 8, inspected: true,
            columns: [{ id: 1, settings: { method: 'greedy' }, phase: 'done', results: [] }, { id: 2, settings: { method: 'greedy' }, phase: 'running' }],
        },
    };
    const state = restoredState(saved);
    assert.equal(state.phase, 'failed');
    assert.equal(state.inspected, undefined);
    assert.equal(state.columns[0]!.phase, 'done');
    assert.equal(state.columns[1]!.failure?.kind, 'cancelled');
    for (const junk of [undefined, null, 3, { lab: { phase: 'done' } }]) {
        const hint = restoredState(junk);
        assert.equal(hint.phase, 'failed');
        assert.match(hint.message!, /open the Decoding Lab again/);
    }
});

test('a column\'s failure is named by the error\'s class', () => {
    assert.equal(columnFailure(new Error('x'), true).kind, 'cancelled');
    assert.equal(columnFailure(new CancelledError('decoding'), false).kind, 'cancelled');
    assert.deepEqual(columnFailure(new DecodingSettingsError('beams', 0, 'a whole number'), false), { kind: 'settings', message: 'beams must be a whole number, got 0.', field: 'beams' });
    assert.equal(columnFailure(new SamplingOptionsError('watermark', '(set)', 'only on one generation'), false).field, 'watermark');
    assert.equal(columnFailure(new ContextOverflowError(900, 512), false).kind, 'contextOverflow');
    assert.equal(columnFailure(new AddonUnavailableError('beam search', 'not built'), false).kind, 'addonUnavailable');
    assert.equal(columnFailure('odd', false).kind, 'other');
});
