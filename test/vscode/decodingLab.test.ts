// The Decoding Lab inside a real extension host, on the fixture model (never mocks): the command opens a strict-CSP
// panel for a .prompt file that decodes it by greedy, beam search and a sample; every column's numbers equal what
// `promptscope decode --json` prints for the same settings (and, for an added column, what the runtime's beamSearch
// returns); bad settings are refused naming the setting; a column is removed, decoding is cancelled, a beam column's
// tree is exported as JSON (never through a symbolic link).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import type { DecodingLabPanel } from '../../src/vscode/decodingLab/DecodingLabPanel';
import type { DecodingColumn } from '../../src/shared/protocols/decodingLab';
import type { DecodingSettings } from '../../src/shared/decoding';
import { preparePrompt } from '../../src/core/prompt';
import { applyPreset, defaultForm } from '../../src/core/panels/playground/form';
import { fixtureModelPath } from '../support/fixtures';

interface CliDecoded {
    results: { text: string; tokens: number[]; tokenTexts: string[]; tokenLogprobs: number[]; logprob: number; perplexity: number; score?: number; finished?: boolean }[];
    steps?: { step: number; kept: Node[]; finished: Node[]; pruned: Node[] }[];
}
interface Node { parent: number; token: number; logprob: number; score: number }

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 5));
    }
}

/** The same settings as `promptscope decode` flags. */
function flags(settings: DecodingSettings): string[] {
    switch (settings.method) {
        case 'greedy': return ['--method', 'greedy'];
        case 'beam': return ['--method', 'beam', '--beams', String(settings.beams), '--length-penalty', String(settings.lengthPenalty), '--n-best', String(settings.nBest),
            ...(settings.groups === undefined ? [] : ['--beam-groups', String(settings.groups)]),
            ...(settings.diversityPenalty === undefined ? [] : ['--diversity', String(settings.diversityPenalty)])];
        case 'sample': return ['--method', 'sample', '--temperature', String(settings.temperature), '--top-k', String(settings.topK), '--top-p', String(settings.topP),
            '--min-p', String(settings.minP), '--repeat-penalty', String(settings.repeatPenalty), '--seed', String(settings.seed)];
    }
}

describe('Promptscope Decoding Lab', function () {
    this.timeout(300_000);
    let ctx: Ctx;
    let root: string;
    let dir: string;
    let model: string;
    const settings = () => vscode.workspace.getConfiguration('promptscope');

    /** `promptscope decode FILE … --json` from the built CLI, on the fixture with the extension's thread count. */
    function cli(file: string, maxTokens: number, column: DecodingColumn): Promise<CliDecoded> {
        const args = [join(root, 'dist', 'cli.js'), 'decode', file, ...flags(column.settings), '--max-tokens', String(maxTokens), '--model', model, '--gpu', 'off', '--threads', '1', '--json'];
        return new Promise((resolve, reject) => execFile(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
            if (error) reject(new Error(`decode ${args.slice(2).join(' ')} failed: ${stderr}`));
            else resolve(JSON.parse(stdout) as CliDecoded);
        }));
    }

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        root = extension.extensionPath;
        model = await fixtureModelPath();
        await settings().update('model', model, vscode.ConfigurationTarget.Global);
        await settings().update('threads', 1, vscode.ConfigurationTarget.Global);
        const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        dir = workspace !== undefined ? join(workspace, `decoding-lab-${process.pid}`) : mkdtempSync(join(tmpdir(), 'promptscope-decoding-lab-'));
        mkdirSync(dir, { recursive: true });
    });

    after(async () => {
        for (const key of ['model', 'threads']) await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        rmSync(dir, { recursive: true, force: true });
    });

    it('offers a Decoding Lab lens on .prompt files', async () => {
        const hello = vscode.Uri.file(join(root, 'examples', 'hello.prompt'));
        await vscode.workspace.openTextDocument(hello);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', hello);
        assert.equal(lenses.find(l => l.command?.title === 'Decoding Lab')?.command?.command, 'promptscope.openDecodingLab');
    });

    it('decodes by greedy, beam and a sample; every column equals `promptscope decode --json` for the same settings', async () => {
        const file = join(dir, 'story.prompt');
        writeFileSync(file, '---\nconfig:\n  maxOutputTokens: 6\n---\nOnce upon a time\n');
        const panel = await vscode.commands.executeCommand<DecodingLabPanel | undefined>('promptscope.openDecodingLab', vscode.Uri.file(file));
        assert.ok(panel, 'the command returned no panel');
        try {
            assert.equal(panel.panel.viewType, 'promptscope.decodingLab');
            const html = panel.panel.webview.html;
            const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
            assert.ok(csp, 'no CSP meta');
            const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
            assert.ok(nonce && html.includes(`<script nonce="${nonce}"`), 'the bundle carries the nonce');
            assert.match(csp, /^default-src 'none';/);
            assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
            assert.match(html, /dist\/webview\/decodingLab\.js/);

            const state = panel.current;
            assert.equal(state.phase, 'done', state.message);
            assert.equal(state.maxTokens, 6, 'the prompt\'s maxOutputTokens');
            assert.deepEqual(state.columns.map(c => c.settings.method), ['greedy', 'beam', 'sample']);
            for (const column of state.columns) {
                assert.equal(column.phase, 'done', `${column.settings.method}: ${column.failure?.message ?? ''}`);
                const expected = await cli(file, 6, column);
                const results = column.results!;
                assert.equal(results.length, expected.results.length, column.settings.method);
                results.forEach((r, i) => {
                    const e = expected.results[i]!;
                    const what = `${column.settings.method} #${i}`;
                    assert.deepEqual(r.tokens.map(t => t.id), e.tokens, what);
                    assert.deepEqual(r.tokens.map(t => t.text), e.tokenTexts, what);
                    r.tokens.forEach((t, j) => close(t.logprob, e.tokenLogprobs[j]!, `${what} token ${j}`));
                    close(r.logprob, e.logprob, `${what} log P`);
                    close(r.perplexity!, e.perplexity, `${what} perplexity`);
                    // The column's own figures hold together: log P is the tokens' sum, perplexity its per-token mean.
                    close(r.logprob, r.tokens.reduce((s, t) => s + t.logprob, 0), `${what} Σ`);
                    close(r.perplexity!, Math.exp(-r.logprob / r.tokens.length), `${what} exp`);
                    assert.equal(r.score === undefined, e.score === undefined);
                    if (r.score !== undefined) close(r.score, e.score!, `${what} score`);
                    assert.equal(r.finished, e.finished);
                });
                if (column.settings.method === 'beam') {
                    const tree = column.tree!;
                    assert.equal(tree.steps.length, expected.steps!.length);
                    tree.steps.forEach((step, s) => {
                        for (const kind of ['kept', 'finished', 'pruned'] as const) {
                            const mine = step[kind];
                            const theirs = expected.steps![s]![kind];
                            assert.deepEqual(mine.map(n => [n.parent, n.token]), theirs.map(n => [n.parent, n.token]), `step ${step.step} ${kind}`);
                            mine.forEach((n, i) => {
                                close(n.logprob, theirs[i]!.logprob, `step ${step.step} ${kind} ${i}`);
                                close(n.score, theirs[i]!.score, `step ${step.step} ${kind} ${i} score`);
                            });
                        }
                    });
                    assert.ok(tree.steps.some(s => s.pruned.length > 0), 'a beam of 4 prunes');
                }
            }
            const sample = state.columns[2]!.results![0]!;
            assert.notDeepEqual(sample.tokens.map(t => t.id), state.columns[0]!.results![0]!.tokens.map(t => t.id), 'the sample is not greedy');
            assert.equal(ctx.decodingLab.panelFor(vscode.Uri.file(file)), panel);
        } finally {
            panel.dispose();
        }
    });

    it('a prompt whose preparation throws beyond its own errors (a missing retrieval index) fails the lab with that error, never left preparing', async () => {
        // The retrieval in preparePrompt throws RetrievalIndexError (not a PromptError): it used to escape computeFor, so
        // the command rejected and a Recompute's page stayed at "Preparing the prompt…" for good.
        const file = join(dir, 'retrieves.prompt');
        writeFileSync(file, '---\npromptscope.retrieval:\n  index: no-such-index\n  query: "bread"\n---\nAnswer from {{#each @retrieved}}{{text}}{{/each}}\n');
        const uri = vscode.Uri.file(file);
        const panel = await vscode.commands.executeCommand<DecodingLabPanel | undefined>('promptscope.openDecodingLab', uri);
        assert.ok(panel, 'the command returned no panel');
        try {
            const expected = /^Cannot use the retrieval index .*no-such-index: the folder does not exist\./;
            for (const state of [panel.current, await panel.computeFor(uri)]) {
                assert.equal(state.phase, 'failed');
                assert.match(state.message ?? '', expected);
                assert.deepEqual(state.columns.map(c => [c.phase, c.failure?.kind]), [['failed', 'other'], ['failed', 'other'], ['failed', 'other']]);
                assert.match(state.columns[0]!.failure!.message, expected);
            }
        } finally {
            panel.dispose();
        }
    });

    it('the playground\'s Decoding Lab decodes the last run\'s prompt under its sampling; greedy gives the greedy run\'s text', async () => {
        const base = applyPreset(defaultForm(), 'greedy');
        const run = await ctx.playground.runForm({ ...base, raw: true, user: 'Once upon a time', sampling: { ...base.sampling, maxTokens: '12', seed: '3', seedLocked: true } });
        assert.equal(run.phase, 'done', run.error);
        const panel = await ctx.playground.showDecodingLab();
        assert.ok(panel, ctx.playground.state.notice);
        try {
            const state = panel.current;
            assert.equal(state.phase, 'done', state.message);
            assert.equal(state.inspected, true);
            assert.equal(state.maxTokens, 12, 'the run\'s max tokens');
            assert.ok(state.columns.every(c => c.phase === 'done'), JSON.stringify(state.columns.map(c => c.failure)));
            const greedy = state.columns.find(c => c.settings.method === 'greedy')!.results![0]!;
            const n = run.stats!.generatedTokens;
            // Token texts write bytes that are not UTF-8 as \xNN where the output has U+FFFD.
            assert.equal(greedy.tokens.slice(0, n).map(t => t.text).join('').replace(/\\x[0-9A-Fa-f]{2}/g, '\uFFFD'), run.output);
        } finally {
            panel.dispose();
        }
    });

    it('columns are added, refused by setting, removed; a beam column equals the runtime\'s beamSearch; cancelling; the tree exported as JSON', async () => {
        const file = join(dir, 'lab.prompt');
        writeFileSync(file, '---\nconfig:\n  maxOutputTokens: 5\n---\nThe quick brown fox\n');
        const uri = vscode.Uri.file(file);
        const panel = await vscode.commands.executeCommand<DecodingLabPanel | undefined>('promptscope.openDecodingLab', uri);
        assert.ok(panel);
        try {
            assert.equal(panel.current.phase, 'done', panel.current.message);
            const added = panel.addColumn({ method: 'beam', beams: 2, lengthPenalty: 0, nBest: 2 });
            const state = await panel.decodePending();
            const column = state.columns.find(c => c.id === added.id)!;
            assert.equal(column.phase, 'done', column.failure?.message);
            assert.equal(panel.current.title, 'lab.prompt');
            // The runtime on the prompt as core's one preparation renders it (its chat turns).
            const prepared = await preparePrompt({ path: file });
            const direct = await ctx.models.client.beamSearch({ prompt: prepared.messages, beams: 2, maxTokens: 5, lengthPenalty: 0, nBest: 2 });
            assert.deepEqual(column.results!.map(r => r.tokens.map(t => t.id)), direct.hypotheses.map(h => h.tokens));
            column.results!.forEach((r, i) => close(r.logprob, direct.hypotheses[i]!.logprob, `hypothesis ${i}`));
            assert.deepEqual(column.tree!.steps.map(s => s.pruned.length), direct.steps.map(s => s.pruned.length));

            // A diverse beam column: the runtime's diverse beam search, its tree's groups and penalties included.
            const diverse = panel.addColumn({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 4, groups: 2, diversityPenalty: 1.5 });
            const diverseColumn = (await panel.decodePending()).columns.find(c => c.id === diverse.id)!;
            assert.equal(diverseColumn.phase, 'done', diverseColumn.failure?.message);
            const directDiverse = await ctx.models.client.beamSearch({ prompt: prepared.messages, beams: 4, maxTokens: 5, lengthPenalty: 1, nBest: 4, groups: 2, diversityPenalty: 1.5 });
            assert.deepEqual(diverseColumn.results!.map(r => r.tokens.map(t => t.id)), directDiverse.hypotheses.map(h => h.tokens));
            assert.deepEqual(diverseColumn.tree!.steps.map(s => s.kept.map(n => [n.parent, n.token, n.group, n.penalty])),
                directDiverse.steps.map(s => s.kept.map(n => [n.parent, n.token, n.group, n.penalty])));
            assert.ok(diverseColumn.tree!.steps.some(s => s.pruned.some(n => (n.penalty ?? 0) > 0)), 'the penalty shows on the tree');
            panel.removeColumn(diverse.id);
            assert.throws(() => panel.addColumn({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 2, groups: 3 }), (e: unknown) => e instanceof Error && e.name === 'DecodingSettingsError' && /^groups must be a whole number ≥ 1 that divides the beams \(4\), got 3/.test(e.message));

            // Bad settings: refused before anything runs, naming the setting.
            assert.throws(() => panel.addColumn({ method: 'beam', beams: 0, lengthPenalty: 1, nBest: 1 }), (e: unknown) => e instanceof Error && e.name === 'DecodingSettingsError' && /^beams must be a whole number from 1 to 32, got 0/.test(e.message));
            assert.throws(() => panel.updateColumn(added.id, { method: 'sample', temperature: 0.7, topK: 40, topP: 1.5, minP: 0, repeatPenalty: 1, seed: 1 }), /topP must be a number in \(0, 1\], got 1\.5/);
            assert.throws(() => panel.setMaxTokens(0), /maxTokens must be a whole number from 1 to 128, got 0/);

            // Export the beam column's tree; an export through a link is refused, the linked file unchanged.
            const target = vscode.Uri.file(join(dir, 'lab.beam.json'));
            await panel.export(added.id, target);
            const exported = JSON.parse(readFileSync(target.fsPath, 'utf8'));
            assert.equal(exported.method, 'beam');
            assert.deepEqual(exported.tree.steps.map((s: { kept: Node[] }) => s.kept.map(n => n.token)), column.tree!.steps.map(s => s.kept.map(n => n.token)));
            assert.ok(exported.tree.steps.some((s: { pruned: unknown[] }) => s.pruned.length > 0));
            const outside = join(mkdtempSync(join(tmpdir(), 'promptscope-lab-outside-')), 'bashrc');
            writeFileSync(outside, 'keep\n');
            const linked = join(dir, 'linked.json');
            symlinkSync(outside, linked);
            await assert.rejects(panel.export(added.id, vscode.Uri.file(linked)), (e: unknown) => e instanceof Error && e.name === 'UnsafePathError');
            assert.equal(readFileSync(outside, 'utf8'), 'keep\n');

            // Remove a column; then a long decoding is cancelled: what had not finished says cancelled.
            panel.removeColumn(state.columns[0]!.id);
            assert.ok(!panel.current.columns.some(c => c.id === state.columns[0]!.id));
            panel.addColumn({ method: 'beam', beams: 16, lengthPenalty: 1, nBest: 4 });
            const long = panel.setMaxTokens(128);
            await waitFor('a column decoding', () => panel.current.columns.some(c => c.phase === 'running') ? true : undefined);
            panel.cancel();
            const cancelled = await long;
            assert.ok(cancelled.columns.every(c => c.phase === 'done' || c.failure?.kind === 'cancelled'), JSON.stringify(cancelled.columns.map(c => [c.phase, c.failure])));
            assert.ok(cancelled.columns.some(c => c.failure?.kind === 'cancelled'), 'something was cancelled');
            assert.equal(cancelled.phase, 'failed');
            // The model serves the next decoding.
            const again = await panel.setMaxTokens(3);
            assert.ok(again.columns.every(c => c.phase === 'done'), JSON.stringify(again.columns.map(c => c.failure)));
        } finally {
            panel.dispose();
        }
    });
});
