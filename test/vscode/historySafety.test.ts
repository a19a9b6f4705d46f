// The run history in a real extension host (issue 15): a workspace that commits its day's history file as a symbolic
// link to a file elsewhere gets its runs and evaluations done, nothing appended to that file; `promptscope.history.enabled`
// false records nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import type { EvaluationPanel } from '../../src/vscode/evaluation/EvaluationPanel';
import { applyPreset, defaultForm } from '../../src/core/panels/playground/form';
import type { PlaygroundForm } from '../../src/shared/protocols/playground';
import { fixtureModelPath } from '../support/fixtures';

function form(user: string): PlaygroundForm {
    const base = applyPreset(defaultForm(), 'greedy');
    return { ...base, user, sampling: { ...base.sampling, maxTokens: '4', seed: '1', seedLocked: true } };
}

describe('Promptscope run history safety', function () {
    this.timeout(180_000);
    let ctx: Ctx;
    let folder: string;
    let historyFile: string;
    const settings = () => vscode.workspace.getConfiguration('promptscope');
    const lines = () => (existsSync(historyFile) ? readFileSync(historyFile, 'utf8').split('\n').filter(l => l !== '').length : 0);

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? join(extension.extensionPath, 'examples');
        historyFile = join(folder, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
        await settings().update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings().update('threads', 1, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
        await settings().update('model', undefined, vscode.ConfigurationTarget.Global);
        await settings().update('threads', undefined, vscode.ConfigurationTarget.Global);
        await settings().update('history.enabled', undefined, vscode.ConfigurationTarget.Global);
        if (ctx.models.model !== undefined) await ctx.models.unload();
    });

    it('promptscope.history.enabled false: a playground run is done and not recorded; true records again', async () => {
        await settings().update('history.enabled', false, vscode.ConfigurationTarget.Global);
        const before = lines();
        const off = await ctx.playground.runForm(form('Not recorded'));
        assert.equal(off.phase, 'done', off.error);
        assert.equal(lines(), before);
        await settings().update('history.enabled', undefined, vscode.ConfigurationTarget.Global);
        const on = await ctx.playground.runForm(form('Recorded'));
        assert.equal(on.phase, 'done', on.error);
        assert.equal(lines(), before + 1);
    });

    it('the day\'s history file committed as a link elsewhere: the playground run and an evaluation finish, the linked file is unchanged', async () => {
        const outside = join(mkdtempSync(join(tmpdir(), 'promptscope-outside-')), 'bashrc');
        writeFileSync(outside, 'export PATH=/usr/bin\n');
        mkdirSync(join(folder, '.promptscope', 'runs'), { recursive: true });
        const kept = `${historyFile}.kept`;
        if (existsSync(historyFile)) renameSync(historyFile, kept);
        symlinkSync(outside, historyFile);
        try {
            const run = await ctx.playground.runForm(form('Linked history'));
            assert.equal(run.phase, 'done', run.error);
            assert.equal(run.output.length > 0, true);

            const panel = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt',
                vscode.Uri.file(join(folder, 'sentiment.prompt')), { dataset: join(folder, 'data', 'sentiment.csv'), strategy: 'direct', limit: 1, seed: 1 });
            assert.ok(panel, 'the command returned no panel');
            try {
                assert.equal(panel.current.phase, 'done', panel.current.message);
                assert.equal(panel.current.rows.length, 1);
            } finally {
                panel.panel.dispose();
            }
            assert.equal(readFileSync(outside, 'utf8'), 'export PATH=/usr/bin\n', 'nothing was appended through the link');
        } finally {
            rmSync(historyFile, { force: true });
            if (existsSync(kept)) renameSync(kept, historyFile);
        }
    });
});
