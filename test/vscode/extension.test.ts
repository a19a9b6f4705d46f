// Integration tests that run inside a real extension host: VS Code's (through @vscode/test-electron and
// .vscode-test.mjs) or code-server's (test/vscode/run.mjs --code-server). Mocha, bdd interface.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { fixtureModelPath } from '../support/fixtures';

const extensionId = 'promptscope.promptscope';

interface Manifest {
    contributes?: {
        commands?: { command: string; title: string; category?: string }[];
        languages?: { id: string; extensions?: string[] }[];
    };
}

function extension(): vscode.Extension<unknown> {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `${extensionId} is not installed in this extension host`);
    return ext;
}

function manifest(): Manifest {
    return extension().packageJSON as Manifest;
}

function commandId(title: string): string {
    const found = manifest().contributes?.commands?.find(c => `${c.category ? `${c.category}: ` : ''}${c.title}` === title);
    assert.ok(found, `package.json contributes no command titled "${title}"`);
    return found.command;
}

/** The editor showing the Promptscope log channel (an `output:` document named after it), if one is visible. */
function logEditor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'output' && e.document.uri.path.endsWith('Promptscope'));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

describe('Promptscope extension', function () {
    this.timeout(60_000);

    it('is installed', () => {
        extension();
    });

    it('activates without throwing', async () => {
        const ext = extension();
        await ext.activate();
        assert.equal(ext.isActive, true);
    });

    it('contributes the foundation commands (issue 2)', () => {
        for (const title of ['Promptscope: Load Model…', 'Promptscope: Unload Model', 'Promptscope: Show Logs']) commandId(title);
    });

    it('registers a handler for every command its manifest contributes', async () => {
        await extension().activate();
        const registered = new Set(await vscode.commands.getCommands(true));
        const contributed = manifest().contributes?.commands?.map(c => c.command) ?? [];
        assert.ok(contributed.length > 0, 'the manifest contributes no commands');
        assert.deepEqual(contributed.filter(id => !registered.has(id)), []);
    });

    it('Show Logs shows the Promptscope log, with what the extension logged', async () => {
        const ctx = await extension().activate() as Ctx;
        ctx.log.hide();
        await waitFor('the log to be hidden', () => logEditor() === undefined ? true : undefined);
        await vscode.commands.executeCommand(commandId('Promptscope: Show Logs'));
        const shown = await waitFor('the log to be shown', logEditor);
        assert.match(shown.document.getText(), /Promptscope \S+ activated/);
    });

    it('Unload Model unloads the loaded model, and with none loaded leaves none loaded', async () => {
        const ctx = await extension().activate() as Ctx;
        const loaded = await vscode.commands.executeCommand(commandId('Promptscope: Load Model…'), await fixtureModelPath());
        assert.equal(typeof loaded, 'string', 'Load Model resolved with the model name');
        assert.ok(ctx.models.model !== undefined && ctx.models.client.loadedModel !== undefined);
        const changes: (string | undefined)[] = [];
        const subscription = ctx.models.onDidChangeModel(model => changes.push(model?.name));
        try {
            await vscode.commands.executeCommand(commandId('Promptscope: Unload Model'));
            assert.equal(ctx.models.model, undefined);
            assert.equal(ctx.models.client.loadedModel, undefined, 'the runtime host holds no model either');
            assert.deepEqual(changes, [undefined], 'one model change, to none');
            // Again with nothing loaded: it resolves (a failing command rejects) and changes nothing.
            await vscode.commands.executeCommand(commandId('Promptscope: Unload Model'));
            assert.equal(ctx.models.model, undefined);
            assert.deepEqual(changes, [undefined]);
        } finally {
            subscription.dispose();
        }
    });

    it('a command whose handler fails rejects, and the failure is in the log', async () => {
        const missing = join(tmpdir(), `promptscope-missing-${process.pid}`, 'nowhere.prompt');
        await assert.rejects(Promise.resolve(vscode.commands.executeCommand('promptscope.evaluatePrompt', missing, { dataset: missing, strategy: 'direct' })));
        await vscode.commands.executeCommand(commandId('Promptscope: Show Logs'));
        await waitFor('the failure in the log', () => logEditor()?.document.getText().includes('Command promptscope.evaluatePrompt failed') ? true : undefined);
    });

    it('opens .prompt files in the language the manifest declares for them', async () => {
        const language = manifest().contributes?.languages?.find(l => l.extensions?.includes('.prompt'));
        assert.ok(language, 'package.json contributes a language for .prompt files');
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-vscode-test-'));
        try {
            const file = join(dir, 'hello.prompt');
            writeFileSync(file, '---\nmodel: fixture\n---\nHello {{name}}!\n');
            const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
            assert.equal(document.languageId, language.id);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
