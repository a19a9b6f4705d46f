// Evaluate Prompt on Dataset inside a real extension host: examples/sentiment.prompt over examples/data/sentiment.csv
// (the workspace holds a copy of examples/) on the fixture model, through the same core evaluation as `promptscope
// eval`; the results open in a strict-CSP webview panel, every row lands in the run history, and the export writes
// CSV and JSON. The fixture's text is noise, so the test checks structure and counts, not accuracy.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import type { EvaluationPanel } from '../../src/vscode/evaluation/EvaluationPanel';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope: Evaluate Prompt on Dataset', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let prompt: vscode.Uri;
    let dataset: vscode.Uri;
    let folder: vscode.Uri;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(`${extension.extensionPath}/examples`);
        prompt = vscode.Uri.joinPath(folder, 'sentiment.prompt');
        dataset = vscode.Uri.joinPath(folder, 'data', 'sentiment.csv');
        assert.ok(existsSync(prompt.fsPath) && existsSync(dataset.fsPath), `no sentiment example in ${folder.fsPath}`);
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
        await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
        if (ctx.models.model !== undefined) await ctx.models.unload();
    });

    it('is a command of .prompt editors in the palette', async () => {
        const commands = await vscode.commands.getCommands(true);
        assert.ok(commands.includes('promptscope.evaluatePrompt'));
        const manifest = vscode.extensions.getExtension('promptscope.promptscope')!.packageJSON as {
            contributes: { commands: { command: string; title: string }[]; menus: { commandPalette: { command: string; when?: string }[] } };
        };
        assert.equal(manifest.contributes.commands.find(c => c.command === 'promptscope.evaluatePrompt')?.title, 'Evaluate Prompt on Dataset…');
        assert.equal(manifest.contributes.menus.commandPalette.find(c => c.command === 'promptscope.evaluatePrompt')?.when, 'editorLangId == dotprompt');
    });

    it('self-consistency over the first rows: strict-CSP panel with accuracy, confusion matrix, votes, paths; history and export', async () => {
        const panel = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt', prompt, {
            dataset: dataset.fsPath, strategy: 'self-consistency', samples: 3, limit: 2, seed: 11,
        });
        assert.ok(panel, 'the command returned no panel');
        try {
            assert.equal(panel.panel.viewType, 'promptscope.evaluation');
            const html = panel.panel.webview.html;
            const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
            assert.ok(csp, 'no CSP meta');
            assert.match(csp, /^default-src 'none';/);
            const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
            assert.ok(nonce && html.includes(`<script nonce="${nonce}"`), 'the script does not carry the nonce');
            assert.match(html, /dist\/webview\/evaluation\.js/);

            const state = panel.current;
            assert.equal(state.phase, 'done', `phase ${state.phase}: ${state.message ?? ''}`);
            assert.equal(state.strategy, 'self-consistency');
            assert.equal(state.samples, 3);
            assert.equal(state.total, 2);
            assert.equal(state.rows.length, 2);
            assert.equal(state.dataset, 'sentiment.csv');
            assert.ok(state.model !== undefined);
            assert.deepEqual(state.rows.map(r => r.expected), ['positive', 'negative']);
            for (const row of state.rows) {
                assert.equal(row.paths?.length, 3);
                const voted = Object.values(row.votes ?? {}).reduce((a, b) => a + b, 0);
                assert.equal(voted + (row.unmapped ?? 0), 3, 'every path votes or is counted unmapped');
                assert.equal(row.correct, row.answer === row.expected);
            }
            const summary = state.summary!;
            assert.equal(summary.n, 2);
            assert.equal(summary.correct, state.rows.filter(r => r.correct).length);
            assert.equal(summary.unmapped, state.rows.filter(r => r.answer === null).length);
            assert.deepEqual(summary.confusion?.labels, ['positive', 'negative', 'neutral'], 'a label task has a confusion matrix');
            assert.equal(summary.confusion!.matrix.flat().reduce((a, b) => a + b, 0), 2);

            const history = readFileSync(state.history!, 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
            const mine = history.filter(line => line.command === 'vscode-eval').slice(-2);
            assert.equal(mine.length, 2);
            assert.deepEqual(mine.map(line => (line.dataset as { row: number }).row), [0, 1]);
            assert.ok(mine.every(line => line.strategy === 'self-consistency' && line.prompt === prompt.fsPath));

            const csv = vscode.Uri.joinPath(folder, 'evaluation-test.csv');
            const json = vscode.Uri.joinPath(folder, 'evaluation-test.json');
            await panel.exportTo('csv', csv);
            await panel.exportTo('json', json);
            const lines = readFileSync(csv.fsPath, 'utf8').trim().split(/\r\n/);
            assert.equal(lines.length, 3);
            assert.match(lines[0]!, /^row,input\.review,expected,answer/);
            const exported = JSON.parse(readFileSync(json.fsPath, 'utf8'));
            assert.equal(exported.results.length, 2);
            assert.equal(exported.n, 2);
            // An export over a committed link (to a file outside, such as ~/.bashrc) is refused, naming it; the
            // linked file is unchanged.
            const outside = join(mkdtempSync(join(tmpdir(), 'promptscope-export-outside-')), 'bashrc');
            writeFileSync(outside, 'export PATH=/usr/bin\n');
            const linked = vscode.Uri.joinPath(folder, 'evaluation-linked.csv');
            symlinkSync(outside, linked.fsPath);
            try {
                await assert.rejects(panel.exportTo('csv', linked), (error: unknown) => {
                    assert.ok(error instanceof Error && error.name === 'UnsafePathError', String(error));
                    assert.ok(error.message.includes(linked.fsPath), error.message);
                    return true;
                });
                assert.equal(readFileSync(outside, 'utf8'), 'export PATH=/usr/bin\n');
            } finally {
                rmSync(linked.fsPath, { force: true });
            }
        } finally {
            panel.dispose();
        }
    });

    it('a dataset row without the expected answer, or an ensemble without variants, fails before any model run', async () => {
        const broken = vscode.Uri.joinPath(folder, 'data', 'no-expected.jsonl');
        await vscode.workspace.fs.writeFile(broken, new TextEncoder().encode('{"review": "ok", "expected": "positive"}\n{"review": "no answer"}\n'));
        const missing = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt', prompt, { dataset: broken.fsPath, strategy: 'direct' });
        assert.equal(missing, undefined);
        const ensemble = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt', prompt, { dataset: dataset.fsPath, strategy: 'ensemble' });
        assert.equal(ensemble, undefined);
    });
});
