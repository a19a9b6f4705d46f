// The playground side view inside a real extension host: Open Playground shows a strict-CSP webview view whose script
// runs through to its ready handshake, and a run of the form on the fixture model streams text into the view.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import type { Ctx } from '../../src/vscode/Ctx';
import { addAdapterRow, applyPreset, defaultForm, withAdapters } from '../../src/core/panels/playground/form';
import type { PlaygroundForm } from '../../src/shared/protocols/playground';
import { fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath } from '../support/fixtures';

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

            // A GBNF syntax error is refused before running, positioned (line:column) on the grammar field.
            const bad = await ctx.playground.runForm(form({ constraint: 'grammar', grammar: 'root ::= answer\nanswer ::= "unterminated' }));
            assert.equal(bad.phase, 'failed');
            const grammarError = bad.fieldErrors?.find(e => e.field === 'grammar');
            assert.ok(grammarError, JSON.stringify(bad));
            // Columns count from 1: the string opens at the `"` in column 12.
            assert.match(grammarError.message, /^2:12 unterminated string/);
            assert.equal(grammarError.offset, 'root ::= answer\n'.length + 11);
            assert.equal(bad.output, '', 'nothing ran');
            // Left recursion, which llama.cpp refuses only once the model is loaded, is refused before running too.
            const recursive = await ctx.playground.runForm(form({ constraint: 'grammar', grammar: 'root ::= root "a" | "b"' }));
            assert.equal(recursive.phase, 'failed');
            const recursionError = recursive.fieldErrors?.find(e => e.field === 'grammar');
            assert.ok(recursionError, JSON.stringify(recursive));
            assert.match(recursionError.message, /^1:\d+ left recursion: "root" can begin with itself/);
            assert.equal(recursive.output, '', 'nothing ran');

            const invalid = await ctx.playground.runForm(form({ sampling: { ...form({}).sampling, topP: '2' } }));
            assert.equal(invalid.phase, 'failed');
            assert.match(invalid.fieldErrors?.[0]?.message ?? '', /topP = 2/);
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });

    describe('adapters, compare, .prompt files and history', () => {
        let modelPath: string;
        before(async () => {
            const settings = vscode.workspace.getConfiguration('promptscope');
            modelPath = await fixtureModelPath();
            await settings.update('model', modelPath, vscode.ConfigurationTarget.Global);
            await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        });
        after(async () => {
            const settings = vscode.workspace.getConfiguration('promptscope');
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        });

        const loraForm = () => form({ raw: true, user: LORA_TEST_PROMPT });

        it('applies a fixture LoRA (output changes, the view says the context changed) and rejects an adapter for another model', async () => {
            const base = await ctx.playground.runForm(loraForm());
            assert.equal(base.phase, 'done', base.error);
            const path = ctx.models.model!.path;

            const foreign = await otherFixtureLoraPath();
            const rejected = await ctx.playground.validateAdapter(foreign);
            assert.ok('error' in rejected, 'a mismatched adapter is refused');
            assert.match(rejected.error, /another model/);
            assert.ok(ctx.models.model !== undefined, 'no abort: the model is still loaded');

            const added = await ctx.playground.addAdapter(loraForm(), await fixtureLoraPath());
            assert.ok('form' in added, 'error' in added ? added.error : '');
            const adapted = await ctx.playground.runForm(added.form);
            assert.equal(adapted.phase, 'done', adapted.error);
            assert.notEqual(adapted.output, base.output, 'the adapter changes the greedy output');
            assert.match(adapted.adapterNote ?? '', /changed/);
            const again = await ctx.playground.runForm(added.form);
            assert.equal(again.output, adapted.output);
            assert.doesNotMatch(again.adapterNote ?? '', /changed/, 'same set: no new context');

            const zero = withAdapters(added.form, path, rows => rows.map(r => ({ ...r, scale: 0 })));
            assert.equal((await ctx.playground.runForm(zero)).output, base.output, 'scale 0 is the base model');

            const mismatched = withAdapters(loraForm(), path, rows => addAdapterRow(rows, foreign));
            const failed = await ctx.playground.runForm(mismatched);
            assert.equal(failed.phase, 'failed');
            assert.match(failed.error ?? '', /another model/);
            assert.equal((await ctx.playground.runForm(loraForm())).phase, 'done', 'the runtime still runs');
        });

        it('Show probabilities / Show attention open the panels for the last run: its prompt, adapters, seed and output tokens', async () => {
            const path = ctx.models.model?.path ?? modelPath;
            const adapterPath = await fixtureLoraPath();
            const listed = withAdapters(loraForm(), path, rows => addAdapterRow(rows, adapterPath));
            const run = await ctx.playground.runForm(listed);
            assert.equal(run.phase, 'done', run.error);
            assert.deepEqual(ctx.playground.state.lastRun, { id: run.id, generatedTokens: run.stats!.generatedTokens });

            const probabilities = await ctx.playground.showProbabilities();
            assert.ok(probabilities, ctx.playground.state.notice);
            const state = probabilities.current;
            assert.equal(state.phase, 'done', state.message);
            assert.equal(state.title, `playground run ${run.id}`);
            assert.equal(state.promptUri, undefined, 'no .prompt file behind it');
            const report = state.report!;
            const generated = report.tokens.filter(t => t.source === 'generated');
            assert.equal(report.tokens.length - generated.length, run.stats!.promptTokens, 'the raw text tokenized as the run did');
            assert.equal(generated.length, run.stats!.generatedTokens);
            assert.equal(generated.map(t => t.text).join(''), run.output, 'the run\'s own output tokens');
            assert.equal(generated[0]!.id, LORA_BOOSTED_TOKEN.id, 'under the run\'s adapter');
            assert.equal(generated[0]!.top[0]!.id, LORA_BOOSTED_TOKEN.id);
            assert.equal(report.seed, run.stats!.seed);

            // A chat run constrained by a grammar: the chat template renders the same prompt, the panel scores what the grammar let through.
            const chat = await ctx.playground.runForm(form({ constraint: 'grammar', grammar: 'root ::= "yes" | "no"' }));
            assert.equal(chat.phase, 'done', chat.error);
            const again = await ctx.playground.showProbabilities();
            assert.equal(again, probabilities, 'the playground\'s panel is reused');
            const chatReport = again.current.report!;
            assert.equal(chatReport.tokens.filter(t => t.source === 'prompt').length, chat.stats!.promptTokens);
            assert.equal(chatReport.tokens.filter(t => t.source === 'generated').map(t => t.text).join(''), chat.output);

            const attention = await ctx.playground.showAttention();
            assert.ok(attention, ctx.playground.state.notice);
            const attentionState = attention.current;
            assert.equal(attentionState.title, `playground run ${chat.id}`);
            if (existsSync(join(vscode.extensions.getExtension('promptscope.promptscope')!.extensionPath, 'build/native/llamaExtras.node'))) {
                assert.equal(attentionState.phase, 'done', attentionState.message);
                assert.equal(attentionState.report!.tokens.length, chat.stats!.promptTokens + chat.stats!.generatedTokens, 'prompt and output tokens');
                assert.equal(attentionState.report!.tokens.slice(chat.stats!.promptTokens).map(t => t.text).join(''), chat.output);
            } else {
                assert.equal(attentionState.phase, 'unavailable', attentionState.message);
            }

            // A run longer than the panels show (a grammar that never lets it end: 600 tokens): each shows its first
            // tokens and says so in its title.
            const long = await ctx.playground.runForm(form({ raw: true, user: 'Once', constraint: 'grammar', grammar: 'root ::= "ab " root', sampling: { ...form({}).sampling, maxTokens: '600' } }));
            assert.equal(long.phase, 'done', long.error);
            const total = long.stats!.generatedTokens;
            assert.ok(long.stats!.promptTokens + total > 512, `${total} tokens generated`);
            const longProbabilities = (await ctx.playground.showProbabilities())!.current;
            assert.equal(longProbabilities.title, `playground run ${long.id} (first 128 of ${total} output tokens)`);
            assert.equal(longProbabilities.report!.tokens.filter(t => t.source === 'generated').length, 128);
            const longAttention = (await ctx.playground.showAttention())!.current;
            const room = 512 - long.stats!.promptTokens;
            assert.equal(longAttention.title, `playground run ${long.id} (first ${room} of ${total} output tokens)`);
            if (longAttention.phase !== 'unavailable') {
                assert.equal(longAttention.phase, 'done', longAttention.message);
                assert.equal(longAttention.report!.tokens.length, 512, 'the map is as large as it may be');
            }
        });

        it('compares base and adapters with one seed: two outputs, a diff and per-token KL', async () => {
            const path = ctx.models.model?.path ?? modelPath;
            const adapterPath = await fixtureLoraPath();
            const listed = withAdapters(loraForm(), path, rows => addAdapterRow(rows, adapterPath));
            const state = await ctx.playground.compare({
                form: listed,
                a: { preset: 'form', adapters: 'none', scale: '' },
                b: { preset: 'form', adapters: 'form', scale: '' },
            });
            assert.equal(state.phase, 'done', state.error);
            assert.ok(state.a!.output.length > 0 && state.b!.output.length > 0);
            assert.notEqual(state.a!.output, state.b!.output);
            assert.match(state.b!.label, /×1/);
            assert.equal(state.positions!.length, state.a!.tokens);
            assert.ok(state.positions!.some(p => p.kl > 0.1), 'the adapter moves the distributions');
            assert.equal(state.firstDivergence, 0, 'the boosted token is the first');
            assert.notEqual(state.positions![0]!.pieceB, state.positions![0]!.piece, 'B\'s own token beside A\'s where they part');
            assert.ok(state.diff!.some(part => part.kind !== 'same'));

            const presets = await ctx.playground.compare({ form: listed, a: { preset: 'greedy', adapters: 'none', scale: '' }, b: { preset: 'creative', adapters: 'none', scale: '' } });
            assert.equal(presets.phase, 'done', presets.error);
            assert.ok(presets.positions!.every(p => p.kl < 1e-6), 'same adapters: the raw distributions agree');
        });

        it('compares two prompt variants with one seed: outputs side by side with a diff, KL only where the token prefixes agree', async () => {
            const base = form({ raw: true, user: 'Once upon a time' });
            const state = await ctx.playground.compare({
                form: base,
                a: { preset: 'form', adapters: 'none', scale: '', user: 'The cat sat on the' },
                b: { preset: 'form', adapters: 'none', scale: '', user: 'Numbers: 1 2 3' },
            });
            assert.equal(state.phase, 'done', state.error);
            assert.equal(state.variants, true);
            assert.match(state.a!.label, /prompt variant/);
            assert.ok(state.a!.output.length > 0 && state.b!.output.length > 0);
            assert.ok(state.diff!.length > 0);
            assert.equal(state.positions!.length, 0, 'the prompts part: no position has the same prefix under both');
            assert.match(state.klNote ?? '', /part at prompt token \d+/);

            // One side with the form's text, the other with the same text as a variant: the same prefix everywhere.
            const same = await ctx.playground.compare({
                form: base,
                a: { preset: 'form', adapters: 'none', scale: '' },
                b: { preset: 'form', adapters: 'none', scale: '', user: 'Once upon a time' },
            });
            assert.equal(same.phase, 'done', same.error);
            assert.equal(same.a!.output, same.b!.output);
            assert.equal(same.positions!.length, same.a!.tokens);
            assert.ok(same.positions!.every(p => p.kl < 1e-6));
            assert.ok(same.positions!.every(p => p.pieceB === p.piece), 'the same tokens on both sides');
        });

        it('Save as .prompt then Open .prompt reruns to the same output', async () => {
            const original = form({ user: 'Tell me {{something}}.', sampling: { ...applyPreset(defaultForm(), 'balanced').sampling, seed: '99', seedLocked: true, maxTokens: '8' } });
            const first = await ctx.playground.runForm(original);
            assert.equal(first.phase, 'done', first.error);
            const target = vscode.Uri.file(join(mkdtempSync(join(tmpdir(), 'promptscope-save-')), 'saved.prompt'));
            const saved = await ctx.playground.savePrompt(original, target);
            assert.equal(saved?.fsPath, target.fsPath, ctx.playground.state.notice);
            const opened = await ctx.playground.openPrompt(target);
            assert.ok(opened !== undefined, ctx.playground.state.notice);
            assert.equal(opened.user, original.user);
            const rerun = await ctx.playground.runForm(opened);
            assert.equal(rerun.output, first.output);
        });

        it('appends every run to the workspace run history; the list reopens and re-runs it', async () => {
            const run = await ctx.playground.runForm(form({ user: 'History check' }));
            assert.equal(run.phase, 'done', run.error);
            const directory = ctx.playground.history.directory;
            assert.ok(directory !== undefined && existsSync(directory), 'the runs folder exists in the workspace');
            const entries = await ctx.playground.listHistory();
            assert.equal(entries[0]!.command, 'playground');
            assert.equal(entries[0]!.preview, 'History check');
            assert.equal(entries[0]!.seed, 1);
            const before = ctx.playground.state.run.id;
            const reopened = await ctx.playground.reopen(entries[0]!.key, true);
            assert.equal(reopened?.user, 'History check');
            assert.equal(ctx.playground.state.run.id, before + 1, 're-run');
            assert.equal(ctx.playground.state.run.output, run.output);
            const after = await ctx.playground.listHistory();
            assert.notEqual(after[0]!.key, entries[0]!.key, 'the re-run is recorded too');
            assert.equal(after[0]!.preview, 'History check');
        });
    });
});
