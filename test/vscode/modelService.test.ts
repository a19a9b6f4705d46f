// The model side of the extension (issue 2) inside a real extension host: activation starts no runtime
// host, Load Model loads through the forked host, and bad files are reported without loading anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';

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
});
