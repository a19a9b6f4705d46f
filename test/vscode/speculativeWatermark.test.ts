// Speculative decoding and watermarks in the editor, on the real runtime and the fixture model (never mocks): the
// playground's speculative run (the fixture as its own draft, minProbability 0 so every draft is taken) gives the plain
// run's output with per-token sources, Run Prompt reads promptscope.speculative.*, and a hard watermark generated in
// the playground is found by Detect Watermark with z > 4 (and not with another key); the key never reaches the history.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { applyPreset, defaultForm } from '../../src/core/panels/playground/form';
import type { PlaygroundForm } from '../../src/shared/protocols/playground';
import type { WatermarkPanel } from '../../src/vscode/watermark/WatermarkPanel';
import { fixtureModelPath } from '../support/fixtures';

function form(change: Partial<PlaygroundForm>): PlaygroundForm {
    const base = applyPreset(defaultForm(), 'greedy');
    return { ...base, raw: true, user: 'Once upon a time', ...change, sampling: { ...base.sampling, maxTokens: '24', seed: '3', seedLocked: true, ...change.sampling } };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

describe('Promptscope speculative decoding and watermarks in the editor', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let model: string;
    const settings = () => vscode.workspace.getConfiguration('promptscope');

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        model = await fixtureModelPath();
        await settings().update('model', model, vscode.ConfigurationTarget.Global);
        await settings().update('threads', 1, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
        for (const key of ['model', 'threads', 'speculative.draftModel', 'speculative.minProbability']) {
            await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
        }
        if (ctx.models.model !== undefined) await ctx.models.unload();
    });

    it('a playground run with the fixture as its own draft: the plain output, every token\'s source, acceptance figures', async () => {
        const plain = await ctx.playground.runForm(form({}));
        assert.equal(plain.phase, 'done', plain.error);
        assert.equal(plain.speculation, undefined, 'a plain run has no speculation view');

        const run = await ctx.playground.runForm(form({ speculative: { method: 'draftModel', draftModel: model, maxDraft: '4', minProbability: '0' } }));
        assert.equal(run.phase, 'done', `${run.error ?? ''} ${JSON.stringify(run.fieldErrors ?? [])}`);
        assert.equal(run.output, plain.output, 'speculation changes the speed, never the tokens');
        const view = run.speculation;
        assert.ok(view, 'the run has a speculation view');
        assert.equal(view.method, 'draft-model');
        assert.equal(view.tokens.length, run.stats!.generatedTokens, 'one coloured token per generated token');
        // Token texts write bytes that are not UTF-8 as \xNN where the output has U+FFFD: compare the rest.
        const spelled = view.tokens.map(t => t.text).join('').replace(/\\x[0-9a-f]{2}/g, '\uFFFD');
        assert.equal(spelled, run.output, 'the coloured tokens spell the output');
        const accepted = view.tokens.filter(t => t.source === 'accepted').length;
        assert.ok(accepted > 0, 'the model\'s own greedy drafts are accepted');
        assert.ok(accepted <= view.accepted && view.accepted <= view.drafted);
        assert.ok(view.rounds > 0 && view.rounds < view.tokens.length, `${view.rounds} rounds for ${view.tokens.length} tokens`);
        assert.ok(view.tokensPerRound !== undefined && view.tokensPerRound > 1);
        assert.equal(view.acceptanceRate, view.accepted / view.drafted);

        // Show probabilities scores exactly these tokens, and the panel colours them by the same sources.
        const probabilities = await ctx.playground.showProbabilities();
        assert.ok(probabilities, ctx.playground.state.notice);
        assert.equal(probabilities.current.phase, 'done', probabilities.current.message);
        const generated = probabilities.current.report!.tokens.filter(t => t.source === 'generated');
        assert.equal(generated.length, view.tokens.length);
        assert.deepEqual(probabilities.current.speculation?.map(t => t.source), view.tokens.map(t => t.source));
        probabilities.panel.dispose();

        const lookup = await ctx.playground.runForm(form({ user: 'a b c a b c a b c a b', speculative: { method: 'lookup', draftModel: '', maxDraft: '', minProbability: '' } }));
        assert.equal(lookup.phase, 'done', lookup.error);
        assert.equal(lookup.speculation?.method, 'lookup');
        assert.equal(lookup.speculation.tokens.length, lookup.stats!.generatedTokens);
    });

    it('refuses a missing draft path and speculation with constrained output before running', async () => {
        const missing = await ctx.playground.runForm(form({ speculative: { method: 'draftModel', draftModel: ' ', maxDraft: '', minProbability: '' } }));
        assert.equal(missing.phase, 'failed');
        assert.ok(missing.fieldErrors?.some(e => e.field === 'draftModel'));
        const constrained = await ctx.playground.runForm(form({ constraint: 'grammar', speculative: { method: 'lookup', draftModel: '', maxDraft: '99', minProbability: '' } }));
        assert.deepEqual(constrained.fieldErrors?.map(e => e.field).sort(), ['maxDraft', 'speculativeMethod']);
    });

    it('Run Prompt uses promptscope.speculative.* for a direct run and reports acceptance in its header', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-speculative-'));
        try {
            const file = join(dir, 'story.prompt');
            writeFileSync(file, '---\nconfig:\n  temperature: 0\n  maxOutputTokens: 16\n---\nOnce upon a time\n');
            await settings().update('speculative.draftModel', model, vscode.ConfigurationTarget.Global);
            await settings().update('speculative.minProbability', 0, vscode.ConfigurationTarget.Global);
            const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', vscode.Uri.file(file));
            assert.ok(uri);
            const text = await waitFor('the final header', () => {
                const current = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString())?.getText();
                return current !== undefined && /^Tokens: /m.test(current) ? current : undefined;
            });
            assert.match(text, /^Speculative: draft model tiny-seed1\.gguf, [1-9]\d*\/\d+ drafts accepted \([\d.]+%\), \d+ rounds, [\d.]+ tokens per model evaluation, draft \d+ ms, verify \d+ ms$/m);
        } finally {
            await settings().update('speculative.draftModel', undefined, vscode.ConfigurationTarget.Global);
            await settings().update('speculative.minProbability', undefined, vscode.ConfigurationTarget.Global);
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('a hard watermark from the playground is detected with z > 4; another key finds none; the key is not in the history', async () => {
        const key = 'playground-secret-key';
        const run = await ctx.playground.runForm(form({
            sampling: { ...form({}).sampling, maxTokens: '40' },
            watermark: { enabled: true, key, gamma: '0.25', delta: '', hard: true },
        }));
        assert.equal(run.phase, 'done', `${run.error ?? ''} ${JSON.stringify(run.fieldErrors ?? [])}`);
        // The probabilities pass refuses a watermark: Show probabilities scores the run's tokens without it.
        const probabilities = await ctx.playground.showProbabilities();
        assert.equal(probabilities?.current.phase, 'done', probabilities?.current.message);
        assert.equal(probabilities.current.speculation, undefined);
        probabilities.panel.dispose();

        const panel = await vscode.commands.executeCommand<WatermarkPanel | undefined>('promptscope.detectWatermark', { key, gamma: 0.25, text: run.output, source: 'playground output' });
        assert.ok(panel, 'the detection ran');
        const report = panel.report;
        assert.ok(report.z !== null && report.z > 4, `z ${report.z} over ${report.scored} scored tokens`);
        assert.ok(report.pValue < 1e-4);
        // The tokenizer reads the text as a whole text (SentencePiece puts a space before it); the rest is the output's.
        assert.equal(report.tokens.map(t => t.text).join('').trimStart(), run.output.trimStart());
        assert.ok(report.tokens.some(t => t.scored && t.green) && report.tokens.every(t => t.runningZ === null || Number.isFinite(t.runningZ)));
        assert.ok(!JSON.stringify(report).includes(key), 'the key never reaches the panel');
        panel.dispose();

        const other = await vscode.commands.executeCommand<WatermarkPanel | undefined>('promptscope.detectWatermark', { key: 'another key', gamma: 0.25, text: run.output });
        assert.ok(other !== undefined && other.report.z !== null && other.report.z < 4, `z ${other?.report.z} with another key`);
        other.dispose();

        const directory = ctx.playground.history.directory;
        if (directory !== undefined && existsSync(directory)) {
            for (const name of readdirSync(directory)) assert.ok(!readFileSync(join(directory, name), 'utf8').includes(key), `${name} holds the key`);
        }
    });
});
