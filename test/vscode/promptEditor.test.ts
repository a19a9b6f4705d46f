// The `.prompt` editor features inside a real extension host: diagnostics while editing, Render Prompt's
// read-only JSON document, and Run Prompt on the fixture model streaming into its output document.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';

const extensionId = 'promptscope.promptscope';

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

function openDocument(uri: vscode.Uri): vscode.TextDocument {
    const document = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
    assert.ok(document, `${uri.toString()} is not open`);
    return document;
}

describe('Promptscope .prompt editor', function () {
    this.timeout(120_000);
    let ctx: Ctx;
    let dir: string;
    let hello: vscode.Uri;

    before(async () => {
        const extension = vscode.extensions.getExtension(extensionId);
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        dir = mkdtempSync(join(tmpdir(), 'promptscope-prompt-test-'));
        hello = vscode.Uri.file(join(extension.extensionPath, 'examples', 'hello.prompt'));
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reports the problems of a bad .prompt while it is edited', async () => {
        const file = join(dir, 'bad.prompt');
        writeFileSync(file, '---\nconfig:\n  temperature: -1\n  top_p: 0.9\n---\nHello {{> nowhere}}\n');
        const document = await vscode.workspace.openTextDocument(file);
        assert.equal(document.languageId, 'dotprompt');
        await vscode.window.showTextDocument(document);
        const codes = await waitFor('diagnostics of bad.prompt', () => {
            const found = vscode.languages.getDiagnostics(document.uri).filter(d => d.source === 'promptscope');
            return found.length >= 3 ? found.map(d => `${String(d.code)}@${d.range.start.line + 1}`) : undefined;
        });
        assert.deepEqual(codes.sort(), ['invalid-config-value@3', 'unknown-config-key@4', 'unknown-partial@6']);

        // Fixing the text clears them after the typing pause.
        const editor = await vscode.window.showTextDocument(document);
        await editor.edit(edit => edit.replace(new vscode.Range(0, 0, document.lineCount, 0), '---\nconfig:\n  temperature: 0.5\n---\nHello\n'));
        await waitFor('diagnostics to clear', () => vscode.languages.getDiagnostics(document.uri).length === 0 ? true : undefined);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('a partial linked to /dev/zero is a diagnostic naming it, read without blocking the extension host', async () => {
        const file = join(dir, 'zero.prompt');
        writeFileSync(file, 'Hello\n{{> zero}}\n');
        symlinkSync('/dev/zero', join(dir, '_zero.prompt'));
        // Timers keep firing while the analysis runs: a synchronous read of /dev/zero would stop them until memory ran out.
        let ticks = 0;
        const ticker = setInterval(() => { ticks++; }, 20);
        try {
            const document = await vscode.workspace.openTextDocument(file);
            await vscode.window.showTextDocument(document);
            const found = await waitFor('the unreadable-partial diagnostic', () =>
                vscode.languages.getDiagnostics(document.uri).find(d => d.source === 'promptscope' && d.code === 'unreadable-partial'));
            assert.equal(found.range.start.line, 1);
            assert.match(found.message, /Partial `zero` cannot be read: .*_zero\.prompt: it is a character device \(through the symbolic link to \/dev\/zero\)/);
            assert.ok(ticks > 0, 'the extension host kept running');
        } finally {
            clearInterval(ticker);
        }
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('offers config keys in the front matter and documents them on hover', async () => {
        const document = await vscode.workspace.openTextDocument({ language: 'dotprompt', content: '---\nconfig:\n  temp\n---\nHi' });
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(2, 6));
        assert.ok(list.items.some(i => (typeof i.label === 'string' ? i.label : i.label.label) === 'temperature'));
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', hello, new vscode.Position(3, 4));
        const text = hovers.flatMap(h => h.contents.map(c => typeof c === 'string' ? c : (c as vscode.MarkdownString).value)).join('\n');
        assert.match(text, /config\.temperature/);
    });

    it('shows Run and Render lenses over the front matter', async () => {
        // The CodeLens command needs the document open (it reads the editor's model, not the file).
        await vscode.workspace.openTextDocument(hello);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', hello);
        const titles = lenses.map(l => l.command?.title);
        assert.ok(titles.includes('▶ Run') && titles.includes('Render'), `lenses: ${titles.join(', ')}`);
        assert.equal(lenses[0]!.range.start.line, 0);
    });

    it('Render Prompt opens the rendered messages in a read-only document', async () => {
        const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.renderPrompt', hello);
        assert.ok(uri, 'Render Prompt returned no document');
        assert.equal(uri.scheme, 'promptscope-output');
        const rendered = JSON.parse(openDocument(uri).getText()) as { messages: { role: string; content: { text?: string }[] }[]; config: Record<string, unknown> };
        assert.deepEqual(rendered.messages.map(m => m.role), ['system', 'user']);
        assert.match(rendered.messages[1]!.content.map(p => p.text ?? '').join(''), /Explain why the sky is blue to a curious ten-year-old\./);
        assert.equal(rendered.config.temperature, 0.7);
        assert.equal(ctx.models.model, undefined, 'rendering loads no model');
    });

    it('a command without a target acts on the one .prompt in view when focus is in another editor, and on none when two are', async () => {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(hello), vscode.ViewColumn.One);
        writeFileSync(join(dir, 'notes.txt'), 'not a prompt\n');
        const other = await vscode.workspace.openTextDocument(join(dir, 'notes.txt'));
        await vscode.window.showTextDocument(other, vscode.ViewColumn.Two);
        assert.equal(vscode.window.activeTextEditor?.document, other);
        const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.renderPrompt');
        assert.ok(uri, 'Render Prompt found no prompt beside the focused editor');
        assert.match(openDocument(uri).getText(), /Explain why the sky is blue/);

        const second = join(dir, 'second.prompt');
        writeFileSync(second, 'Hi\n');
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(second), vscode.ViewColumn.Three);
        await vscode.window.showTextDocument(other, vscode.ViewColumn.Two);
        assert.equal(await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.renderPrompt'), undefined,
            'two prompts in view and none focused: which one is meant is not known');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('Run Prompt streams the fixture model\'s output under a header with token counts and speed', async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        try {
            const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', hello);
            assert.ok(uri, 'Run Prompt returned no output document');
            assert.equal(uri.scheme, 'promptscope-output');
            const text = await waitFor('the final header', () => {
                const current = openDocument(uri).getText();
                return /^Tokens: /m.test(current) ? current : undefined;
            });
            assert.match(text, /^Run of hello\.prompt$/m);
            assert.match(text, /^Model: +.+ \(llama, F32, cpu\)$/m);
            assert.match(text, /^Parameters: temperature 0\.7, .*topP 0\.9, .*maxTokens 64/m);
            assert.match(text, /^Tokens: +\d+ prompt \+ [1-9]\d* generated, [\d.]+ tokens\/s, \d+ ms, stop: \w+/m);
            const output = text.slice(text.indexOf('─'.repeat(60)) + 61);
            assert.ok(output.trim().length > 0, 'no generated text under the header');
            assert.ok(ctx.models.model !== undefined, 'the run loaded the shared model');
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });

    it('Run Prompt applies the LoRA adapters the prompt names in promptscope.lora', async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        const run = async (file: string) => {
            const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', vscode.Uri.file(file));
            assert.ok(uri, 'Run Prompt returned no output document');
            const text = await waitFor('the final header', () => {
                const current = openDocument(uri).getText();
                return /^Tokens: /m.test(current) ? current : undefined;
            });
            return { text, output: text.slice(text.indexOf('─'.repeat(60)) + 61) };
        };
        try {
            const adapter = await fixtureLoraPath();
            const body = `config:\n  temperature: 0\n  maxOutputTokens: 3\n---\n${LORA_TEST_PROMPT}\n`;
            const base = join(dir, 'base.prompt');
            const withAdapter = join(dir, 'adapter.prompt');
            writeFileSync(base, `---\n${body}`);
            writeFileSync(withAdapter, `---\npromptscope.lora:\n  - path: ${JSON.stringify(adapter)}\n    scale: 1\n${body}`);
            const plain = await run(base);
            assert.doesNotMatch(plain.text, /^Adapters:/m);
            const boosted = await run(withAdapter);
            assert.match(boosted.text, new RegExp(`^Adapters: +${basename(adapter).replace(/[.]/g, '\\.')} × 1$`, 'm'));
            assert.ok(boosted.output.startsWith(LORA_BOOSTED_TOKEN.text), `output ${JSON.stringify(boosted.output)} starts with the boosted ${JSON.stringify(LORA_BOOSTED_TOKEN.text)}`);
            assert.ok(!plain.output.startsWith(LORA_BOOSTED_TOKEN.text), 'without the adapter the base model does not say it');
        } finally {
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        }
    });

    describe('Run Prompt with the prompt\'s promptscope.strategy', () => {
        let workspace: string;
        let historyFile: string;
        const historyLines = () => (existsSync(historyFile) ? readFileSync(historyFile, 'utf8').trim().split('\n') : [])
            .filter(line => line !== '').map(line => JSON.parse(line) as Record<string, unknown>);
        /** Runs `file` and waits for its output document to end (a header with Tokens and no Status line). */
        const runToEnd = async (file: string) => {
            const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', vscode.Uri.file(file));
            assert.ok(uri, 'Run Prompt returned no output document');
            const text = await waitFor(`the end of the run of ${basename(file)}`, () => {
                const current = openDocument(uri).getText();
                return /^Tokens: /m.test(current) && !/^Status: /m.test(current) ? current : undefined;
            }, 90_000);
            const at = text.indexOf('─'.repeat(60));
            return { header: text.slice(0, at), body: text.slice(at + 61) };
        };

        before(async () => {
            workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
            historyFile = join(workspace, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
            const settings = vscode.workspace.getConfiguration('promptscope');
            await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
            await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        });

        after(async () => {
            const settings = vscode.workspace.getConfiguration('promptscope');
            await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
            await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
            if (ctx.models.model !== undefined) await ctx.models.unload();
        });

        it('arithmetic.prompt (cot) shows the reasoning, then the answer turn and the answer, and is written to the workspace\'s run history', async () => {
            const file = join(workspace, 'arithmetic.prompt');
            const before = historyLines().length;
            const { header, body } = await runToEnd(file);
            assert.match(header, /^Strategy: +cot, zero-shot/m);
            const answer = /^Answer: +(.+)$/m.exec(header)?.[1];
            assert.ok(answer !== undefined, `no Answer line in the header:\n${header}`);
            assert.ok(body.startsWith('── reasoning\n'), `the body starts with the reasoning:\n${body}`);
            const answerAt = body.indexOf('\n── answer\n');
            assert.ok(answerAt > 0, `the answer turn follows the reasoning:\n${body}`);

            const lines = historyLines();
            assert.equal(lines.length, before + 1, `one line appended to ${historyFile}`);
            const line = lines.at(-1)!;
            assert.deepEqual({ command: line.command, strategy: line.strategy, prompt: line.prompt }, { command: 'vscode-run', strategy: 'cot', prompt: file });
            assert.equal(line.reasoning, body.slice('── reasoning\n'.length, answerAt).trim());
            assert.equal(line.answer ?? '(no answer)', answer);
            assert.equal((line.outputs as string[]).length, 2);
            assert.match(header, new RegExp(`^History: +${historyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
        });

        it('a self-consistency prompt shows every path and the votes, as its history line records them', async () => {
            const file = join(workspace, 'vote.prompt');
            writeFileSync(file, '---\nconfig:\n  temperature: 0.9\n  maxOutputTokens: 16\n  grammar: \'root ::= [a-z ]{0,8} "The answer is " [1-4] "."\'\n'
                + 'promptscope.strategy: self-consistency\npromptscope.samples: 3\n---\nWhat is 1 + 2?\n');
            try {
                const { header, body } = await runToEnd(file);
                assert.match(header, /^Strategy: +self-consistency, 3 paths at temperature 0\.7/m);
                const votes = /^Votes: +(.+); unmapped: 0; agreement \d+% of 3 paths$/m.exec(header)?.[1];
                assert.ok(votes !== undefined, `no Votes line in the header:\n${header}`);
                assert.equal((body.match(/^── path \d \(seed \d+, mean logprob -?[\d.]+\) → [1-4]$/gm) ?? []).length, 3, body);
                const line = historyLines().at(-1)!;
                assert.deepEqual({ strategy: line.strategy, prompt: line.prompt }, { strategy: 'self-consistency', prompt: file });
                const shown = votes.split(', ').map(vote => /^(.+) ×(\d+)$/.exec(vote)!);
                assert.deepEqual(Object.fromEntries(shown.map(([, answer, count]) => [answer, Number(count)])), line.votes);
                assert.deepEqual(shown.map(([, , count]) => Number(count)), shown.map(([, , count]) => Number(count)).sort((x, y) => y - x), 'most votes first');
                assert.match(header, new RegExp(`^Answer: +${String(line.answer)}( \\(tie|$)`, 'm'));
            } finally {
                rmSync(file, { force: true });
            }
        });
    });

    it('Run Prompt on a prompt with errors names the file and line and starts nothing', async () => {
        const file = join(dir, 'broken.prompt');
        writeFileSync(file, '---\nconfig:\n  temperature: [1\n---\nHi\n');
        const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', vscode.Uri.file(file));
        assert.equal(uri, undefined);
        assert.equal(ctx.models.model, undefined);
    });
});
