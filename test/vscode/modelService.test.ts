// The model side of the extension (issue 2) inside a real extension host: activation starts no runtime
// host, Load Model loads through the forked host, and bad files are reported without loading anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope model service', function () {
    this.timeout(120_000);
    let ctx: Ctx;
    let dir: string;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        dir = mkdtempSync(join(tmpdir(), 'promptscope-model-test-'));
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('activation exports the context and starts no runtime host', () => {
        assert.ok(ctx.models, 'activate() returns the context');
        assert.equal(ctx.models.model, undefined);
        assert.equal(ctx.models.client.hostPid, undefined);
    });

    it('Load Model with a file that is not GGUF reports it, loads nothing and keeps it out of the recent list', async () => {
        const file = join(dir, 'not-a-model.gguf');
        writeFileSync(file, 'PK\x03\x04 this is a zip file, not a model');
        const loaded = await vscode.commands.executeCommand('promptscope.loadModel', file);
        assert.equal(loaded, undefined);
        assert.equal(ctx.models.model, undefined);
        assert.ok(ctx.models.client.hostPid !== undefined, 'the load went to the runtime host, which is still running');
        assert.ok(!ctx.recentModels.list.some(m => m.ref === file));
    });

    it('Load Model with a missing file reports it and loads nothing', async () => {
        const loaded = await vscode.commands.executeCommand('promptscope.loadModel', join(dir, 'missing.gguf'));
        assert.equal(loaded, undefined);
        assert.equal(ctx.models.model, undefined);
    });

    it('a runtime host killed from outside is reported, and the next command starts a new one', async () => {
        const pid = ctx.models.client.hostPid;
        assert.ok(pid !== undefined, 'the earlier tests left a host running');
        const stopped = new Promise<string>(resolve => {
            const subscription = ctx.models.onDidStop(reason => {
                subscription.dispose();
                resolve(reason);
            });
        });
        process.kill(pid, 'SIGKILL');
        assert.match(await stopped, /SIGKILL/);
        assert.equal(ctx.models.client.hostPid, undefined);
        await vscode.commands.executeCommand('promptscope.loadModel', join(dir, 'missing.gguf'));
        const restarted = ctx.models.client.hostPid;
        assert.ok(restarted !== undefined && restarted !== pid, 'a new host serves the next command');
    });

    it('ensureModel loads promptscope.model with the configured threads, once for concurrent callers', async () => {
        const model = await fixtureModelPath();
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', model, vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            let loads = 0;
            const subscription = ctx.models.onDidChangeLoading(name => { if (name !== undefined) loads++; });
            const [a, b] = await Promise.all([ctx.models.ensureModel(), ctx.models.ensureModel()]);
            subscription.dispose();
            assert.ok(a !== undefined && a === b);
            assert.equal(loads, 1);
            assert.equal(a.path, model);
            assert.equal(a.architecture, 'llama');
            assert.equal(a.threads, 1);
            assert.equal(a.backend, 'cpu');
            assert.equal(ctx.recentModels.list[0]?.ref, model);
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
        }
    });

    it('withModel runs a prompt on the loaded model, and the speed of the run is reported', async () => {
        let reported: number | undefined;
        const subscription = ctx.models.onDidRun(timing => { reported = timing.tokensPerSecond; });
        const result = await ctx.models.withModel(client => client.complete({ prompt: 'Hello', sampling: { seed: 1, maxTokens: 8, temperature: 0 } }));
        assert.ok(result !== undefined);
        assert.ok(result.timing.generatedTokens > 0);
        ctx.models.recordRun(result.timing);
        subscription.dispose();
        assert.equal(reported, result.timing.tokensPerSecond);
    });

    it('a failing request is shown, not thrown', async () => {
        const result = await ctx.models.withModel(client => client.complete({ prompt: 'Hello', sampling: { topP: 7 } }));
        assert.equal(result, undefined);
        assert.ok(ctx.models.model !== undefined, 'the model stays loaded');
    });

    it('Unload Model unloads it', async () => {
        await vscode.commands.executeCommand('promptscope.unloadModel');
        assert.equal(ctx.models.model, undefined);
    });
});
