// The token probabilities panel inside a real extension host: the command opens a webview panel for a .prompt
// file, its page has a strict CSP with a nonce, and the report of the fixture model reaches the panel's state.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import type { TokenProbabilitiesPanel } from '../../src/vscode/probabilities/TokenProbabilitiesPanel';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope token probabilities panel', function () {
    this.timeout(180_000);
    let ctx: Ctx;
    let hello: vscode.Uri;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        hello = vscode.Uri.file(`${extension.extensionPath}/examples/hello.prompt`);
    });

    it('offers a Probabilities lens beside Run and Render', async () => {
        await vscode.workspace.openTextDocument(hello);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', hello);
        const lens = lenses.find(l => l.command?.title === 'Probabilities');
        assert.equal(lens?.command?.command, 'promptscope.showTokenProbabilities');
    });

    it('Show Token Probabilities opens a strict-CSP webview with the fixture model\'s report', async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            const panel = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.showTokenProbabilities', hello);
            assert.ok(panel, 'the command returned no panel');
            assert.equal(panel.panel.viewType, 'promptscope.tokenProbabilities');
            const html = panel.panel.webview.html;
            const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
            assert.ok(csp, 'no CSP meta');
            const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
            assert.ok(nonce, `no script nonce in ${csp}`);
            assert.match(csp, /^default-src 'none';/);
            assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
            assert.match(csp, new RegExp(`style-src ${panel.panel.webview.cspSource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} 'nonce-`), 'styles from cspSource');
            assert.ok(html.includes(`<script nonce="${nonce}"`), 'the script does not carry the nonce');
            assert.equal([...html.matchAll(/<script\b/g)].length, 1, 'one script: the bundle');
            assert.match(html, /dist\/webview\/tokenProbabilities\.js/);
            assert.match(html, /media\/webview\/tokenProbabilities\.css/);

            const state = panel.current;
            assert.equal(state.phase, 'done', `phase ${state.phase}: ${state.message ?? ''}`);
            const tokens = state.report!.tokens;
            assert.ok(tokens.some(t => t.source === 'prompt') && tokens.some(t => t.source === 'generated'), 'prompt and generated tokens');
            assert.ok(tokens.filter(t => t.source === 'generated').every(t => t.sampledTop !== undefined), 'generated tokens carry the post-sampler distribution');
            assert.ok(state.report!.promptPerplexity !== null && state.report!.promptPerplexity > 1);
            assert.equal(ctx.probabilities.panelFor(hello), panel);

            // Showing it again reuses the panel.
            const again = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.showTokenProbabilities', hello);
            assert.equal(again, panel);
            panel.dispose();
            assert.equal(ctx.probabilities.panelFor(hello), undefined);
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });
});
