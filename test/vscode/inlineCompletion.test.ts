// Ghost text in `.prompt` bodies, through the provider the extension registers, inside a real extension host:
// nothing without a loaded model (and no model gets loaded), nothing in the front matter, and in the body exactly
// what the runtime's inline completion gives for the same text.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { CompletionSpinner } from '../../src/vscode/completion/CompletionSpinner';
import { PromptInlineCompletionProvider } from '../../src/vscode/completion/PromptInlineCompletionProvider';
import { selectCompletionWindow } from '../../src/core/inlineCompletion/selectCompletionWindow';
import { trimCompletion } from '../../src/core/inlineCompletion/trimCompletion';
import { fixtureModelPath } from '../support/fixtures';

const extensionId = 'promptscope.promptscope';
const text = '---\nconfig:\n  temperature: 0.2\n---\nThe story begins with a king who\n';
const context: vscode.InlineCompletionContext = { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined };

describe('Promptscope inline completion', function () {
    this.timeout(120_000);
    let ctx: Ctx;
    let spinner: CompletionSpinner;
    let provider: PromptInlineCompletionProvider;
    let document: vscode.TextDocument;

    before(async () => {
        const extension = vscode.extensions.getExtension(extensionId);
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        spinner = new CompletionSpinner();
        provider = new PromptInlineCompletionProvider({ models: ctx.models, config: ctx.config, log: ctx.log, spinner, debounceMs: 0 });
        document = await vscode.workspace.openTextDocument({ language: 'dotprompt', content: text });
    });

    after(async () => {
        spinner.dispose();
        if (ctx.models.model !== undefined) await ctx.models.unload();
        // Later suites expect a fresh extension state with no runtime host running.
        await ctx.models.client.stop();
    });

    const endOfBody = () => new vscode.Position(4, 'The story begins with a king who'.length);

    it('offers nothing and loads nothing while no model is loaded', async () => {
        assert.equal(ctx.models.model, undefined);
        const items = await provider.provideInlineCompletionItems(document, endOfBody(), context, new vscode.CancellationTokenSource().token);
        assert.equal(items, undefined);
        assert.equal(ctx.models.model, undefined, 'a keystroke must not load a model');
    });

    it('completes the body with what the runtime gives for the same text, and never the front matter', async () => {
        await ctx.models.load({ ref: await fixtureModelPath(), origin: 'user' });
        assert.ok(ctx.models.model);

        const inFrontMatter = await provider.provideInlineCompletionItems(document, new vscode.Position(2, 8), context, new vscode.CancellationTokenSource().token);
        assert.equal(inFrontMatter, undefined);

        const position = endOfBody();
        const items = await provider.provideInlineCompletionItems(document, position, context, new vscode.CancellationTokenSource().token);

        const window = selectCompletionWindow(document.getText(), document.offsetAt(new vscode.Position(4, 0)), document.offsetAt(position));
        const direct = await ctx.models.client.completeInline({
            prefix: window.prefix,
            ...(ctx.models.model.supportsInfill ? { suffix: window.suffix } : {}),
            stopAt: 'line',
            sampling: { maxTokens: ctx.config.inlineCompletion.maxTokens },
        });
        const expected = trimCompletion(direct.text, { prefix: window.prefix, restOfLine: window.restOfLine, stopAt: 'line' });
        assert.ok(direct.timing.reusedPromptTokens! > 0, 'the second request reused the evaluated prefix');
        if (expected === '') {
            assert.equal(items, undefined);
        } else {
            assert.equal(items?.length, 1);
            assert.equal(items[0]!.insertText, expected);
            assert.deepEqual(items[0]!.range, new vscode.Range(position, position));
        }
    });

    it('a cancelled request offers nothing', async () => {
        const source = new vscode.CancellationTokenSource();
        source.cancel();
        const items = await provider.provideInlineCompletionItems(document, endOfBody(), context, source.token);
        assert.equal(items, undefined);
    });
});
