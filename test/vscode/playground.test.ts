// The playground side view inside a real extension host: Open Playground shows a strict-CSP webview view whose script
// runs through to its ready handshake, and a run of the form on the fixture model streams text into the view.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { applyPreset, defaultForm } from '../../src/webview/playground/form';
import type { PlaygroundForm } from '../../src/webview/playground/protocol';
import { fixtureModelPath } from '../support/fixtures';

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!condition()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 50));
    }
}

function form(change: Partial<PlaygroundForm>): PlaygroundForm {
    const base = applyPreset(defaultForm(), 'greedy');
    return { ...base, user: 'Hello', ...change, sampling: { ...base.sampling, maxTokens: '8', seed: '1', seedLocked: true, ...change.sampling } };
}

describe('Promptscope playground view', function () {
    this.timeout(180_000);
    let ctx: Ctx;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
    });

    it('Open Playground shows the view; its page has a strict CSP and its script reaches ready', async () => {
        await vscode.commands.executeCommand('promptscope.openPlayground');
        await until(() => ctx.playground.pageLoads > 0, 'the playground page to say ready');
        const html = ctx.playground.webview!.html;
        const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
        assert.ok(csp, 'no CSP meta');
        assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'/);
        assert.match(html, /dist\/webview\/playground\.js/);
        assert.match(html, /media\/webview\/playground\.css/);
    });

    it('runs chat and raw forms on the fixture model with streamed output; a bad grammar fails in the view', async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            const streamed: string[] = [];
            const subscription = ctx.playground.onDidStreamChunk(chunk => streamed.push(chunk.text));
            const chat = await ctx.playground.runForm(form({}));
            subscription.dispose();
            assert.equal(chat.phase, 'done', `phase ${chat.phase}: ${chat.error ?? JSON.stringify(chat.fieldErrors)}`);
            assert.ok(chat.output.length > 0, 'no output');
            assert.ok(streamed.length > 0, 'nothing was streamed');
            assert.ok(chat.output.startsWith(streamed.join('').slice(0, 1)));
            assert.equal(chat.stats?.seed, 1);
            assert.ok(chat.stats!.generatedTokens > 0 && chat.stats!.generatedTokens <= 8);
            assert.ok(chat.stats!.promptTokens > 0);
            assert.ok(ctx.playground.state.model !== undefined, 'the model line has the loaded model');

            const again = await ctx.playground.runForm(form({}));
            assert.equal(again.output, chat.output, 'greedy with a locked seed reproduces the run');
            assert.equal(again.id, chat.id + 1);

            const raw = await ctx.playground.runForm(form({ raw: true, user: 'Once upon a time' }));
            assert.equal(raw.phase, 'done', raw.error);

            const grammar = await ctx.playground.runForm(form({ constraint: 'grammar', grammar: 'root ::= "yes" | "no"' }));
            assert.equal(grammar.phase, 'done', grammar.error);
            assert.ok(['yes', 'no'].includes(grammar.output), `grammar output ${JSON.stringify(grammar.output)}`);

            const bad = await ctx.playground.runForm(form({ constraint: 'grammar', grammar: 'root ::= "unterminated' }));
            assert.equal(bad.phase, 'failed');
            assert.ok((bad.error ?? '').length > 0, 'the runtime\'s grammar error is shown');

            const invalid = await ctx.playground.runForm(form({ sampling: { ...form({}).sampling, topP: '2' } }));
            assert.equal(invalid.phase, 'failed');
            assert.match(invalid.fieldErrors?.[0]?.message ?? '', /topP = 2/);
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });
});
