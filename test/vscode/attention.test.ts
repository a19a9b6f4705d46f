// The attention panel inside a real extension host: the command opens a webview panel for a .prompt file, its page
// has a strict CSP with a nonce, and the fixture model's attention (or, without the native addon, the reason it is
// unavailable) reaches the panel's state. Another layer is captured on demand and merged.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { AttentionPanel } from '../../src/vscode/attention/AttentionPanel';
import type { Ctx } from '../../src/vscode/Ctx';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope attention panel', function () {
    this.timeout(180_000);
    let ctx: Ctx;
    let hello: vscode.Uri;
    let addonBuilt: boolean;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        hello = vscode.Uri.file(`${extension.extensionPath}/examples/hello.prompt`);
        addonBuilt = existsSync(`${extension.extensionPath}/build/native/llamaExtras.node`);
    });

    it('offers an Attention lens beside Probabilities', async () => {
        await vscode.workspace.openTextDocument(hello);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', hello);
        const titles = lenses.map(l => l.command?.title);
        assert.equal(titles.indexOf('Attention'), titles.indexOf('Probabilities') + 1);
        assert.equal(lenses.find(l => l.command?.title === 'Attention')?.command?.command, 'promptscope.showAttention');
    });

    it('Show Attention opens a strict-CSP webview with the fixture model\'s attention', async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            const panel = await vscode.commands.executeCommand<AttentionPanel | undefined>('promptscope.showAttention', hello);
            assert.ok(panel, 'the command returned no panel');
            assert.equal(panel.panel.viewType, 'promptscope.attention');
            const html = panel.panel.webview.html;
            const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
            assert.ok(csp, 'no CSP meta');
            assert.match(csp, /^default-src 'none';/);
            assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
            const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
            assert.ok(nonce, `no script nonce in ${csp}`);
            assert.ok(html.includes(`<script nonce="${nonce}"`), 'the script does not carry the nonce');
            assert.match(html, /dist\/webview\/attention\.js/);
            assert.match(html, /media\/webview\/attention\.css/);

            const state = panel.current;
            if (!addonBuilt) {
                // Without the addon the panel explains why instead of failing, and the rest keeps working.
                assert.equal(state.phase, 'unavailable', `phase ${state.phase}: ${state.message ?? ''}`);
                assert.ok(state.message !== undefined && state.message.length > 0);
                return;
            }
            assert.equal(state.phase, 'done', `phase ${state.phase}: ${state.message ?? ''}`);
            const report = state.report!;
            assert.deepEqual(report.layers, [0], 'the first layer is captured on open');
            assert.equal(report.modelLayers, 2);
            assert.equal(report.heads, 4);
            assert.equal(report.kvHeads, 2);
            const T = report.tokens.length;
            assert.ok(T > 10, `${T} tokens`);
            for (const head of report.attention[0]!) {
                assert.equal(head.length, T);
                head.forEach((row, q) => {
                    assert.ok(Math.abs(row.reduce((s, w) => s + w, 0) - 1) < 1e-4, `row ${q} sums to 1`);
                    assert.ok(row.slice(q + 1).every(w => w === 0), `row ${q} is causal`);
                });
            }

            // Another layer on demand, merged in model order.
            const after = await panel.captureLayer(1);
            assert.equal(after.phase, 'done', after.message);
            assert.deepEqual(after.report!.layers, [0, 1]);
            assert.equal(ctx.attention.panelFor(hello), panel);

            // Showing it again reuses the panel.
            const again = await vscode.commands.executeCommand<AttentionPanel | undefined>('promptscope.showAttention', hello);
            assert.equal(again, panel);
            panel.dispose();
            assert.equal(ctx.attention.panelFor(hello), undefined);
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });
});
