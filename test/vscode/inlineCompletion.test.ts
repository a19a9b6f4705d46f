// Ghost text in `.prompt` bodies, through the provider the extension registers, inside a real extension host:
// nothing without a loaded model (and no model gets loaded), nothing in the front matter, and in the body exactly
// what the runtime's inline completion gives for the same text; typing what the ghost text shows is answered without
// a model call.
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

    it('typing what the ghost text shows serves the rest without a runtime request; a different character asks the model', async () => {
        assert.ok(ctx.models.model, 'loaded by the test before');
        const typing = await vscode.workspace.openTextDocument({ language: 'dotprompt', content: text });
        const client = ctx.models.client;
        const completeInline = client.completeInline;
        let requests = 0;
        // Counts the runtime requests the provider makes; each still goes to the real runtime.
        client.completeInline = function (...args: Parameters<typeof completeInline>) {
            requests++;
            return completeInline.apply(this, args);
        };
        const type = async (at: vscode.Position, character: string) => {
            const edit = new vscode.WorkspaceEdit();
            edit.insert(typing.uri, at, character);
            assert.ok(await vscode.workspace.applyEdit(edit));
            return at.translate(0, character.length);
        };
        const ask = (at: vscode.Position) => provider.provideInlineCompletionItems(typing, at, context, new vscode.CancellationTokenSource().token);
        try {
            const start = endOfBody();
            const shown = await ask(start);
            assert.equal(requests, 1);
            assert.equal(shown?.length, 1, 'the fixture suggests something after "who"');
            const suggestion = shown[0]!.insertText as string;
            assert.ok(suggestion.length >= 3, suggestion);

            let at = await type(start, suggestion[0]!);
            const startedAt = performance.now();
            const rest = await ask(at);
            const ms = performance.now() - startedAt;
            assert.equal(requests, 1, 'no runtime request for a character the ghost text showed');
            assert.equal(rest?.[0]?.insertText, suggestion.slice(1));
            assert.deepEqual(rest[0]!.range, new vscode.Range(at, at));
            assert.ok(ms < 50, `served from memory in ${ms.toFixed(1)} ms`);

            at = await type(at, suggestion[1]!);
            assert.equal((await ask(at))?.[0]?.insertText, suggestion.slice(2));
            assert.equal(requests, 1);

            at = await type(at, suggestion[2] === 'x' ? 'y' : 'x');
            await ask(at);
            assert.equal(requests, 2, 'a character the ghost text did not show asks the model');
        } finally {
            client.completeInline = completeInline;
        }
    });

    it('a cancelled request offers nothing', async () => {
        const source = new vscode.CancellationTokenSource();
        source.cancel();
        const items = await provider.provideInlineCompletionItems(document, endOfBody(), context, source.token);
        assert.equal(items, undefined);
    });
});
