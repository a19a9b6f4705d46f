// "Compare with model…" of the token probabilities panel inside a real extension host: the fixture model (base) and
// its Q8_0 copy, written by the quantize command, on hello.prompt's tokens; the state the page shows carries the
// runtime's per-position comparison and the summary, which must be summarizeModelComparison of that very result. A
// model of another vocabulary (the llama3 family of the fixture zoo) shows the runtime's refusal in the panel.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { summarizeModelComparison } from '../../src/core/comparison/summarizeModelComparison';
import type { Ctx } from '../../src/vscode/Ctx';
import type { TokenProbabilitiesPanel } from '../../src/vscode/probabilities/TokenProbabilitiesPanel';
import type { QuantizeOutcome } from '../../src/vscode/quantize/ModelQuantizer';
import { fixtureModelPath, zooModelPath } from '../support/fixtures';

describe('Promptscope token probabilities: Compare with model…', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let hello: vscode.Uri;
    let folder: string;
    let quantized: string;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        hello = vscode.Uri.file(`${extension.extensionPath}/examples/hello.prompt`);
        folder = mkdtempSync(join(tmpdir(), 'promptscope-compare-'));
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        quantized = join(folder, 'tiny-Q8_0.gguf');
        const outcome = await vscode.commands.executeCommand<QuantizeOutcome | undefined>('promptscope.quantizeModel', await fixtureModelPath(),
            { type: 'Q8_0', output: quantized, offerNextSteps: false });
        assert.equal(outcome?.status, 'done', JSON.stringify(outcome));
    });

    after(async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
        await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
        ctx.probabilities.panelFor(hello)?.dispose();
        if (ctx.models.model !== undefined) await ctx.models.unload();
        rmSync(folder, { recursive: true, force: true });
    });

    it('compares the loaded model with its Q8_0 copy on the panel\'s tokens; the summary is summarizeModelComparison of the result', async () => {
        const panel = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.compareWithModel', hello, quantized);
        assert.ok(panel, 'the command returned no panel');
        const { report, comparison } = panel.current;
        assert.ok(report);
        assert.equal(comparison?.phase, 'done', `${comparison?.phase}: ${comparison?.message ?? ''}`);
        const result = comparison.report!;
        assert.equal(result.other, quantized);
        assert.equal(result.base, await fixtureModelPath());
        // On the very tokens the panel shows, prompt and generated.
        assert.deepEqual(result.tokens, report.tokens.map(t => t.id));
        assert.equal(result.tokenTexts.length, result.tokens.length);
        assert.equal(result.kl.length, result.tokens.length);
        assert.equal(result.baseLogprob.length, result.tokens.length - 1);
        assert.ok(result.kl.every(kl => Number.isFinite(kl) && kl >= 0), 'KL is finite and not negative');
        assert.ok(result.baseTop.every(id => result.topTexts[id] !== undefined) && result.otherTop.every(id => result.topTexts[id] !== undefined));

        assert.deepEqual(comparison.summary, summarizeModelComparison(result));
        // Q8_0 of an F32 model: nearly the same distributions.
        assert.ok(comparison.summary!.meanKl.estimate < 0.05, `mean KL ${comparison.summary!.meanKl.estimate}`);
        assert.ok(comparison.summary!.top1Agreement.estimate > 0.8, `top-1 agreement ${comparison.summary!.top1Agreement.estimate}`);

        // A new computation leaves the comparison mode.
        await vscode.commands.executeCommand('promptscope.showTokenProbabilities', hello);
        assert.equal(panel.current.comparison, undefined);
    });

    it('shows the runtime\'s refusal of a model with another vocabulary in the panel', async () => {
        const other = await zooModelPath('llama3');
        const panel = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.compareWithModel', hello, other);
        assert.ok(panel);
        const { comparison } = panel.current;
        assert.equal(comparison?.phase, 'failed');
        assert.equal(comparison.other, other);
        assert.equal(comparison.report, undefined);
        assert.match(comparison.message ?? '', /cannot be compared with/);
        assert.equal(panel.current.phase, 'done', 'the probabilities themselves are kept');
    });
});
