// Server backends in a real extension host, against llama.cpp's own llama-server (the reference build's, started on
// 127.0.0.1 with the tiny fixture on free ports, always stopped): Run Prompt over a server named in a .prompt file
// equals `promptscope run --backend URL` on the same prompt (greedy); the probabilities panel is the server's, marked
// `raw`; attention and the Decoding Lab state that they need the embedded runtime; the settings' server with the API
// key from SecretStorage, sent as a bearer header (a recording proxy in front of a keyed llama-server checks it) and
// the specific failures without it, with a wrong model name, and with nothing listening; a dataset evaluation on the
// server; and an untrusted workspace refused before anything is sent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LlamaServerProcess } from '../../src/cli/bench/LlamaServerProcess';
import { ReferenceBuild } from '../../src/cli/bench/ReferenceBuild';
import { nodeLlamaCppFolder } from '../../src/runtime/build/nodeLlamaCppFolder';
import type { AttentionPanel } from '../../src/vscode/attention/AttentionPanel';
import { Backends } from '../../src/vscode/backend/Backends';
import type { Ctx } from '../../src/vscode/Ctx';
import type { DecodingLabPanel } from '../../src/vscode/decodingLab/DecodingLabPanel';
import type { EvaluationPanel } from '../../src/vscode/evaluation/EvaluationPanel';
import type { TokenProbabilitiesPanel } from '../../src/vscode/probabilities/TokenProbabilitiesPanel';
import { OutputDocuments } from '../../src/vscode/prompt/OutputDocuments';
import { applyPreset, defaultForm } from '../../src/core/panels/playground/form';
import { fixtureModelPath } from '../support/fixtures';
import { freePort, type LlamaServer } from '../support/llamaServer';
import { referenceTool } from '../support/referenceTools';

const rule = '─'.repeat(60);

let outputsOf: () => OutputDocuments;

/**
 * llama-server from the reference build: the extension host runs with a sandboxed HOME, so the user's cache is found
 * through the account's home directory; built (minutes) only when it is not there either.
 */
async function llamaServerBinary(extensionPath: string): Promise<string> {
    const nodeLlamaCppDir = nodeLlamaCppFolder(extensionPath);
    const cached = nodeLlamaCppDir === undefined ? undefined
        : ReferenceBuild.find({ nodeLlamaCppDir, cacheDir: join(userInfo().homedir, '.cache', 'promptscope', 'reference') }, 'llama-server');
    return cached ?? referenceTool('llama-server');
}

/**
 * The finished output document of a run: its header and the generated text under the rule, as the extension's
 * provider holds it (an open document's text catches up a moment later, and may still be the previous run's).
 */
async function finishedRun(uri: vscode.Uri | undefined): Promise<{ header: string; output: string }> {
    assert.ok(uri, 'Run Prompt returned no output document');
    const deadline = Date.now() + 60_000;
    for (;;) {
        const text = outputsOf().provideTextDocumentContent(uri);
        if (/^(Tokens|Status): /m.test(text) && !/^Status: +(waiting|generating)/m.test(text)) {
            const at = text.indexOf(rule);
            return { header: text.slice(0, at), output: text.slice(at + rule.length + 1) };
        }
        if (Date.now() > deadline) throw new Error(`the run did not finish:\n${text}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

describe('Promptscope: server backends (llama-server)', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let folder: string;
    let cli: string;
    let server: LlamaServer;
    let keyed: LlamaServer;
    let proxy: Server;
    let proxyUrl: string;
    /** The Authorization header of every request the proxy passed on (undefined: none). */
    const seen: (string | undefined)[] = [];
    const files: string[] = [];
    const settings = () => vscode.workspace.getConfiguration('promptscope');
    /**
     * Updates a setting and waits until this extension host reads it: code-server applies a written setting to the
     * extension host a moment after the write resolves, and a run started before that would see the old value.
     */
    const setSetting = async (key: string, value: unknown, target = vscode.ConfigurationTarget.Global) => {
        await settings().update(key, value, target);
        const layer = target === vscode.ConfigurationTarget.Global ? 'globalValue' : 'workspaceValue';
        const deadline = Date.now() + 15_000;
        while (JSON.stringify(settings().inspect(key)?.[layer]) !== JSON.stringify(value)) {
            if (Date.now() > deadline) throw new Error(`promptscope.${key} did not become ${JSON.stringify(value)}`);
            await new Promise(resolve => setTimeout(resolve, 50));
        }
    };
    const write = (name: string, text: string) => {
        const file = join(folder, name);
        writeFileSync(file, text);
        files.push(file);
        return vscode.Uri.file(file);
    };

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        outputsOf = () => ctx.outputs;
        cli = join(extension.extensionPath, 'dist', 'cli.js');
        folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? join(extension.extensionPath, 'examples');
        const model = await fixtureModelPath();
        const binary = await llamaServerBinary(extension.extensionPath);
        server = await LlamaServerProcess.start(binary, model, { parallel: 2 });
        keyed = await LlamaServerProcess.start(binary, model, { parallel: 1, extraArgs: ['--api-key', 'sesame'] });
        // Records what each request carries, and passes it on (streams included) to the keyed server.
        proxy = createServer((req, res) => {
            seen.push(req.headers.authorization);
            const upstream = httpRequest(`${keyed.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, reply => {
                res.writeHead(reply.statusCode ?? 502, reply.headers);
                reply.pipe(res);
            });
            upstream.on('error', () => res.destroy());
            req.pipe(upstream);
        });
        const port = await freePort();
        await new Promise<void>(resolve => proxy.listen(port, '127.0.0.1', resolve));
        proxyUrl = `http://127.0.0.1:${port}`;
        await setSetting('history.enabled', false, vscode.ConfigurationTarget.Global);
        // Server runs must not load the embedded model: start from none, so the checks below can tell.
        if (ctx.models.model !== undefined) await ctx.models.unload();
    });

    after(async () => {
        for (const key of ['backend', 'server.urls', 'server.model', 'history.enabled']) {
            await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
            await settings().update(key, undefined, vscode.ConfigurationTarget.Workspace);
        }
        await vscode.commands.executeCommand('promptscope.clearServerApiKey');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        for (const file of files) rmSync(file, { force: true });
        proxy?.closeAllConnections();
        await new Promise(resolve => proxy ? proxy.close(resolve) : resolve(undefined));
        await Promise.all([server?.stop(), keyed?.stop()]);
    });

    it('Run Prompt on a .prompt whose promptscope.backend names the server equals `promptscope run --backend URL` (greedy)', async () => {
        const prompt = write('server-greedy.prompt', `---
config:
  temperature: 0
  repeatPenalty: 1
  seed: 7
  maxOutputTokens: 16
promptscope.backend: ${server.url}
---
Tell me a story about a cat.
`);
        await setSetting('history.enabled', undefined, vscode.ConfigurationTarget.Global);
        const run = await finishedRun(await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', prompt));
        await setSetting('history.enabled', false, vscode.ConfigurationTarget.Global);
        assert.match(run.header, new RegExp(`^Model: +fixture \\(server ${server.url.replace(/[.:/]/g, '\\$&')}`, 'm'));
        // The run history names the server, not a model file.
        const historyFile = /^History: +(\/.+\.jsonl)$/m.exec(run.header)?.[1];
        assert.ok(historyFile, run.header);
        const recorded = JSON.parse(readFileSync(historyFile, 'utf8').trim().split('\n').at(-1)!) as { command: string; model: { name: string; backend?: { kind: string; urls?: string[] } } };
        assert.equal(recorded.command, 'vscode-run');
        assert.deepEqual({ name: recorded.model.name, kind: recorded.model.backend?.kind, urls: recorded.model.backend?.urls }, { name: 'fixture', kind: 'openai-compatible', urls: [server.url] });
        assert.match(run.header, /^Tokens: +\d+ prompt \+ 16 generated/m);
        const cliRun = spawnSync(process.execPath, [cli, 'run', prompt.fsPath, '--backend', server.url, '--json', '--no-history'], {
            cwd: folder, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PROMPTSCOPE_MODEL: '', PROMPTSCOPE_BACKEND_API_KEY: '' },
        });
        assert.equal(cliRun.status, 0, cliRun.stderr);
        const json = JSON.parse(cliRun.stdout) as { output: string; backend: string; timing: { generatedTokens: number } };
        assert.equal(json.backend, 'openai-compatible');
        assert.ok(json.output.trim().length > 0, 'the CLI generated nothing');
        assert.equal(run.output.trimEnd(), json.output.trimEnd());
        assert.equal(ctx.models.model, undefined, 'a server run loaded the embedded model');
    });

    it('the probabilities panel is the server\'s (generated tokens, marked raw); attention and the Decoding Lab say they need the embedded runtime', async () => {
        const prompt = vscode.Uri.file(join(folder, 'server-greedy.prompt'));
        const probabilities = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.showTokenProbabilities', prompt);
        assert.ok(probabilities);
        const state = probabilities.current;
        assert.equal(state.phase, 'done', state.message);
        assert.equal(state.report?.view, 'raw');
        assert.match(state.report!.model, /^fixture \(server /);
        assert.equal(state.report!.tokens.length, 16);
        assert.ok(state.report!.tokens.every(t => t.source === 'generated' && t.top.length > 0 && Number.isFinite(t.logprob)));
        const run = await finishedRun(await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', prompt));
        assert.equal(state.report!.tokens.map(t => t.text).join(''), run.output.trimEnd());
        probabilities.panel.dispose();
        // What the server's sampler left instead, when the settings ask for it: marked so.
        await setSetting('server.probabilitiesAfterSampler', true, vscode.ConfigurationTarget.Global);
        try {
            const after = await vscode.commands.executeCommand<TokenProbabilitiesPanel | undefined>('promptscope.showTokenProbabilities', prompt);
            assert.ok(after);
            assert.equal(after.current.phase, 'done', after.current.message);
            assert.equal(after.current.report?.view, 'server, after its sampler');
            assert.equal(after.current.report!.tokens.map(t => t.text).join(''), run.output.trimEnd());
            after.panel.dispose();
        } finally {
            await setSetting('server.probabilitiesAfterSampler', undefined, vscode.ConfigurationTarget.Global);
        }

        const attention = await vscode.commands.executeCommand<AttentionPanel | undefined>('promptscope.showAttention', prompt);
        assert.ok(attention);
        assert.equal(attention.current.phase, 'failed');
        assert.match(attention.current.message ?? '', /^attention needs the embedded runtime; http:\/\/127\.0\.0\.1:\d+ does not offer it\. This prompt runs on that server \(promptscope\.backend in server-greedy\.prompt\)/);
        attention.panel.dispose();
        const lab = await vscode.commands.executeCommand<DecodingLabPanel | undefined>('promptscope.openDecodingLab', prompt);
        assert.ok(lab);
        assert.equal(lab.current.phase, 'failed');
        assert.match(lab.current.message ?? '', /^beam search needs the embedded runtime/);
        lab.panel.dispose();
        assert.equal(ctx.models.model, undefined, 'a refused feature loaded the embedded model instead');
    });

    /** Runs `prompt` expecting a failure (the command resolves undefined) and returns its output document. */
    async function failedRun(prompt: vscode.Uri): Promise<{ header: string; output: string }> {
        assert.equal(await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', prompt), undefined, 'the run did not fail');
        return finishedRun(OutputDocuments.runUri(prompt));
    }

    it('the settings\' server gets the API key from SecretStorage as a bearer header; without it, with a wrong model name or nothing listening, the failure says which', async () => {
        const prompt = write('server-plain.prompt', `---
config:
  temperature: 0
  maxOutputTokens: 8
---
Say something.
`);
        await setSetting('backend', 'openai-compatible', vscode.ConfigurationTarget.Global);
        await setSetting('server.urls', [proxyUrl], vscode.ConfigurationTarget.Global);
        assert.equal(await vscode.commands.executeCommand('promptscope.setServerApiKey', 'sesame'), true);
        const workspaceSettings = join(folder, '.vscode', 'settings.json');
        assert.ok(!existsSync(workspaceSettings) || !readFileSync(workspaceSettings, 'utf8').includes('sesame'), 'the key reached the workspace settings');

        seen.length = 0;
        const keyedRun = await finishedRun(await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', prompt));
        assert.match(keyedRun.header, /^Tokens: +\d+ prompt \+ [1-9]\d* generated/m, `${keyedRun.header}\nkey read: ${JSON.stringify(await ctx.serverApiKey.get())}, sent: ${JSON.stringify(seen)}, urls: ${JSON.stringify(settings().get('server.urls'))}`);
        assert.ok(seen.length >= 2, `the proxy saw ${seen.length} request(s)`);
        assert.deepEqual([...new Set(seen)], ['Bearer sesame']);
        assert.equal(ctx.backends.active?.model, 'fixture');
        assert.deepEqual(ctx.backends.active?.urls, [proxyUrl]);
        assert.ok(!keyedRun.header.includes('sesame'));

        await vscode.commands.executeCommand('promptscope.clearServerApiKey');
        seen.length = 0;
        const unkeyed = await failedRun(prompt).catch(async (error: Error) => {
            throw new Error(`${error.message}\nkey read: ${JSON.stringify(await ctx.serverApiKey.get())}, sent: ${JSON.stringify(seen)}`);
        });
        assert.match(unkeyed.header, /^Status: +failed: .*answered HTTP 401.*check the API key \("Promptscope: Set Server API Key…"\)/m, unkeyed.header);
        assert.ok(seen.length > 0 && seen.every(h => h === undefined), 'a request carried a key after it was cleared');

        await vscode.commands.executeCommand('promptscope.setServerApiKey', 'sesame');
        await setSetting('server.model', 'no-such-model', vscode.ConfigurationTarget.Global);
        try {
            const wrongModel = await failedRun(prompt);
            assert.match(wrongModel.header, /^Status: +failed: wrong model name for http:\/\/127\.0\.0\.1:\d+: it does not serve a model named "no-such-model"; it serves "fixture"/m, wrongModel.header);
        } finally {
            await setSetting('server.model', undefined, vscode.ConfigurationTarget.Global);
        }

        await setSetting('server.urls', [`http://127.0.0.1:${await freePort()}`], vscode.ConfigurationTarget.Global);
        const unreachable = await failedRun(prompt).catch(async (error: Error) => {
            throw new Error(`${error.message}\nurls: ${JSON.stringify(settings().get('server.urls'))}, model: ${JSON.stringify(settings().get('server.model'))}`);
        });
        assert.match(unreachable.header, /^Status: +failed: the server at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/m, unreachable.header);
        assert.equal(ctx.models.model, undefined);
    });

    it('Evaluate Prompt on Dataset runs the rows on the settings\' server', async () => {
        await setSetting('backend', 'openai-compatible', vscode.ConfigurationTarget.Global);
        await setSetting('server.urls', [server.url], vscode.ConfigurationTarget.Global);
        const panel = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt', vscode.Uri.file(join(folder, 'sentiment.prompt')), {
            dataset: join(folder, 'data', 'sentiment.csv'), strategy: 'self-consistency', samples: 2, limit: 3, seed: 3,
        });
        assert.ok(panel);
        const state = panel.current;
        assert.equal(state.phase, 'done', state.message);
        assert.equal(state.model, `fixture (server ${server.url})`);
        assert.equal(state.rows.length, 3);
        assert.deepEqual(state.rows.map(r => r.paths?.length), [2, 2, 2]);
        panel.panel.dispose();
        assert.equal(ctx.models.model, undefined);
    });

    it('the playground\'s A/B compare runs side A locally and side B on the server: greedy, the same text; no KL, said', async () => {
        await setSetting('backend', 'openai-compatible', vscode.ConfigurationTarget.Global);
        await setSetting('server.urls', [server.url], vscode.ConfigurationTarget.Global);
        await setSetting('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await setSetting('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            const base = applyPreset(defaultForm(), 'greedy');
            const form = { ...base, user: 'Tell me a story about a cat.', sampling: { ...base.sampling, maxTokens: '12', seed: '1', seedLocked: true } };
            const state = await ctx.playground.compare({
                form, a: { preset: 'form', adapters: 'none', scale: '', backend: 'embedded' }, b: { preset: 'form', adapters: 'none', scale: '', backend: 'server' },
            });
            assert.equal(state.phase, 'done', state.error);
            assert.match(state.a!.label, /on the embedded runtime$/);
            assert.equal(state.b!.label.endsWith(`on fixture at ${server.url}`), true, state.b!.label);
            assert.equal(state.a!.tokens, 12);
            assert.equal(state.b!.output, state.a!.output, 'greedy on llama-server and on the embedded runtime differ');
            assert.equal(state.firstDivergence, undefined);
            assert.deepEqual(state.positions, []);
            assert.match(state.klNote ?? '', /^A side ran on a server: no KL/);
            // The other way round (B without a backend: the embedded runtime, as before this option).
            const embeddedOnly = await ctx.playground.compare({ form, a: { preset: 'form', adapters: 'none', scale: '', backend: 'server' }, b: { preset: 'form', adapters: 'none', scale: '' } });
            assert.equal(embeddedOnly.phase, 'done', embeddedOnly.error);
            assert.equal(embeddedOnly.a!.output, embeddedOnly.b!.output);
        } finally {
            await setSetting('model', undefined, vscode.ConfigurationTarget.Global);
            await setSetting('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });

    it('an untrusted workspace that names a server (its settings or a .prompt file) is refused before anything is sent', async () => {
        await setSetting('backend', undefined, vscode.ConfigurationTarget.Global);
        await setSetting('server.urls', undefined, vscode.ConfigurationTarget.Global);
        await setSetting('backend', 'openai-compatible', vscode.ConfigurationTarget.Workspace);
        await setSetting('server.urls', [proxyUrl], vscode.ConfigurationTarget.Workspace);
        // The editor's own Backends, with the trust answer an untrusted window gives (this test window is trusted).
        const untrusted = new Backends({ config: ctx.config, models: ctx.models, apiKey: ctx.serverApiKey, log: ctx.log, isTrusted: () => false });
        try {
            seen.length = 0;
            let failure: string | undefined;
            let ran = false;
            const result = await untrusted.withBackend({ promptName: 'server-plain.prompt' }, async () => { ran = true; }, { onFailure: message => { failure = message; } });
            assert.equal(result, undefined);
            assert.equal(ran, false);
            assert.match(failure ?? '', /^this workspace's settings choose the server http:\/\/127\.0\.0\.1:\d+ .*the workspace is not trusted: nothing was sent\. Trust the workspace/);
            const fromPrompt = untrusted.choose({ setting: { kind: 'openai-compatible', urls: [proxyUrl] }, promptName: 'x.prompt' });
            assert.equal(fromPrompt.kind, 'refused');
            assert.deepEqual(seen, [], 'a request reached the server');
            // The same settings in a trusted workspace are used.
            assert.equal(ctx.backends.choose().kind, 'server');
        } finally {
            untrusted.dispose();
        }
    });
});
