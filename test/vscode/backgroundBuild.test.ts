// The background build of the CPU backend for this CPU, in a real extension host (issue 16): a model that loads on
// node-llama-cpp's prebuilt CPU binary starts it, and once it is built the runtime restarts on it with the model
// loaded again; with promptscope.runtime.buildOptimized "off" nothing starts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { BackgroundRuntimeBuild } from '../../src/vscode/BackgroundRuntimeBuild';
import { runRuntimeBuild } from '../../src/vscode/runRuntimeBuild';
import { optimizedRuntimeStatus } from '../../src/runtime/build/optimizedRuntimeStatus';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope background runtime build', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    const settings = () => vscode.workspace.getConfiguration('promptscope');

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        await settings().update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings().update('threads', 1, vscode.ConfigurationTarget.Global);
        await settings().update('gpu', 'off', vscode.ConfigurationTarget.Global);
    });

    after(async () => {
        delete process.env.PROMPTSCOPE_RUNTIME_BINARY;
        for (const key of ['model', 'threads', 'gpu', 'runtime.buildOptimized']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
        if (ctx.models.model !== undefined) await ctx.models.unload();
    });

    /** A fresh runtime host (it reads PROMPTSCOPE_RUNTIME_BINARY when it starts) with the configured model loaded. */
    async function freshHostWithModel() {
        await ctx.models.restartRuntime();
        const info = ctx.models.model ?? await ctx.models.ensureModel();
        assert.ok(info, 'the fixture model loads');
        return info;
    }

    it('a model on the prebuilt CPU binary starts the build; the runtime then restarts on the optimized backend, model loaded', async () => {
        const status = optimizedRuntimeStatus();
        // The build itself is npm install's (and test/cli/build-runtime.test.ts's); here it must come from the cache.
        assert.equal(status.kind, 'built', `npm install builds the CPU backend where the tests run: ${'why' in status ? status.why : ''}`);
        process.env.PROMPTSCOPE_RUNTIME_BINARY = 'prebuilt';
        let builds = 0;
        const background = new BackgroundRuntimeBuild({
            models: ctx.models, config: ctx.config, log: ctx.log,
            // What a machine that has not built yet reports; the build is the real one, which finds the cached library.
            status: () => (builds === 0 ? { kind: 'buildable', why: 'not built yet (test)' } : status),
            build: async () => {
                builds++;
                delete process.env.PROMPTSCOPE_RUNTIME_BINARY;
                return runRuntimeBuild(ctx.log, 'Promptscope: building the optimized runtime (test)');
            },
        });
        try {
            const before = await freshHostWithModel();
            assert.equal(before.runtimeBinary, 'prebuilt', before.runtimeBinaryReason);
            assert.ok(background.pending, 'the load started a background build');
            await background.pending;
            assert.equal(builds, 1);
            const after = ctx.models.model;
            assert.ok(after, 'the model is loaded again after the restart');
            assert.equal(after.runtimeBinary, 'optimized', after.runtimeBinaryReason);
            assert.equal(after.path, before.path);
            // A later load on the optimized binary starts nothing, and one build per window is the rule anyway.
            await freshHostWithModel();
            assert.equal(builds, 1);
        } finally {
            background.dispose();
            delete process.env.PROMPTSCOPE_RUNTIME_BINARY;
        }
    });

    it('promptscope.runtime.buildOptimized "off": a model on the prebuilt binary starts nothing', async () => {
        await settings().update('runtime.buildOptimized', 'off', vscode.ConfigurationTarget.Global);
        process.env.PROMPTSCOPE_RUNTIME_BINARY = 'prebuilt';
        let builds = 0;
        const background = new BackgroundRuntimeBuild({
            models: ctx.models, config: ctx.config, log: ctx.log,
            status: () => ({ kind: 'buildable', why: 'not built yet (test)' }),
            build: async () => {
                builds++;
                return { ok: false, seconds: 0, message: 'not run' };
            },
        });
        try {
            const info = await freshHostWithModel();
            assert.equal(info.runtimeBinary, 'prebuilt');
            assert.equal(background.pending, undefined);
            assert.equal(builds, 0);
        } finally {
            background.dispose();
            delete process.env.PROMPTSCOPE_RUNTIME_BINARY;
            await settings().update('runtime.buildOptimized', undefined, vscode.ConfigurationTarget.Global);
        }
    });
});
