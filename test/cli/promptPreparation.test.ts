// One table of prompt files, good and bad, through the three ways a prompt is prepared: the built CLI (`render --json`
// and `run`, in a child process), the editor's preparation (core preparePrompt on the buffer's text as a
// PromptDocument, exactly what src/vscode/prompt/PromptRunner hands it) and the playground's Open as .prompt (core
// preparePrompt on the path). The same file and input must give the same messages, sampling options, adapters,
// warnings and errors everywhere; every error exits 1. `run` loads the fixture model for the good rows and the run
// history line it writes shows what was sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic, preparePrompt, PromptDocument, PromptError, type PreparedPrompt } from '../../src/core/prompt';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';


interface Row {
    name: string;
    file: string;
    text: string;
    input?: Record<string, unknown>;
    /** What the preparation must fail with (class name), or undefined for a prompt that runs. */
    error?: string;
    /** Checks of the editor-side result beyond the CLI's agreeing with it. */
    check?(prepared: PreparedPrompt): void;
}

const rows: Row[] = [
    {
        name: 'a good prompt with config and an input', file: 'good.prompt',
        text: '---\nconfig:\n  temperature: 0.5\n  topK: 7\n  stopSequences: ["\\n\\n"]\ninput:\n  schema:\n    topic: string\n---\n'
            + '{{role "system"}}Be brief.\n{{role "user"}}Tell me about {{topic}}.',
        input: { topic: 'owls' },
        check: p => {
            assert.deepEqual(p.messages, [{ role: 'system', text: 'Be brief.\n' }, { role: 'user', text: 'Tell me about owls.' }]);
            assert.deepEqual(p.sampling, { temperature: 0.5, topK: 7, stopSequences: ['\n\n'] });
            assert.deepEqual(p.warnings, []);
        },
    },
    {
        name: 'an unknown config key is a positioned warning, not an error', file: 'unknown-key.prompt',
        text: '---\nconfig:\n  top_p: 0.5\n  temperature: 0\n---\nHi',
        check: p => {
            assert.deepEqual(p.warnings.map(w => [w.code, w.severity, w.range.start.line + 1, w.range.start.character + 1]), [['unknown-config-key', 'warning', 3, 3]]);
            assert.deepEqual(p.sampling, { temperature: 0 });
        },
    },
    { name: 'a bad temperature', file: 'bad-temperature.prompt', text: '---\nconfig:\n  temperature: -1\n---\nHi', error: 'PromptConfigError' },
    { name: 'a word-keyed logitBias', file: 'word-bias.prompt', text: '---\nconfig:\n  logitBias:\n    hello: 5\n---\nHi', error: 'PromptConfigError' },
    {
        name: 'bad GBNF in a block scalar', file: 'bad-grammar.prompt',
        text: '---\nconfig:\n  grammar: |\n    root ::= answer\n    answr ::= "yes"\n---\nHi', error: 'PromptConfigError',
    },
    {
        name: 'a grammar beside output.schema', file: 'grammar-schema.prompt',
        text: '---\nconfig:\n  grammar: root ::= "a"\noutput:\n  format: json\n  schema:\n    a: string\n---\nHi', error: 'PromptConfigError',
    },
    { name: 'a bad promptscope setting', file: 'bad-setting.prompt', text: '---\npromptscope.samples: 0\n---\nHi', error: 'PromptConfigError' },
    {
        name: 'front-matter adapters, resolved against the prompt\'s folder', file: 'adapters.prompt',
        text: '---\npromptscope.lora:\n  path: lora.gguf\n  scale: 0.5\nconfig:\n  temperature: 0\n---\nHi',
        check: p => assert.deepEqual(p.lora, [{ path: join(p.file!, '..', 'lora.gguf'), scale: 0.5 }]),
    },
    {
        name: 'a missing input', file: 'missing-input.prompt',
        text: '---\ninput:\n  schema:\n    topic: string\n---\nAbout {{topic}}', error: 'MissingInputError',
    },
    {
        name: 'raw text (not a .prompt)', file: 'notes.txt', text: 'Raw {{not a template}} text',
        check: p => {
            assert.equal(p.kind, 'text');
            assert.deepEqual(p.messages, [{ role: 'user', text: 'Raw {{not a template}} text' }]);
        },
    },
];



/** The editor's preparation: the buffer's text as a PromptDocument with its file path (promptDocumentOf). */
async function editorPrepare(path: string, input: Record<string, unknown> | undefined): Promise<PreparedPrompt | PromptError> {
    try {
        if (!path.endsWith('.prompt')) return await preparePrompt({ path }, { input });
        return await preparePrompt({ document: PromptDocument.fromText(readFileSync(path, 'utf8'), path) }, { input });
    } catch (error) {
        if (error instanceof PromptError) return error;
        throw error;
    }
}

/** The playground's Open as .prompt: the path, read by preparePrompt itself. */
async function pathPrepare(path: string, input: Record<string, unknown> | undefined): Promise<PreparedPrompt | PromptError> {
    try {
        return await preparePrompt({ path }, { input });
    } catch (error) {
        if (error instanceof PromptError) return error;
        throw error;
    }
}

function warningLines(prepared: PreparedPrompt): string {
    return prepared.warnings.map(w => formatDiagnostic(w, prepared.file) + '\n').join('');
}

describe('one preparation: the CLI and the editor agree on every prompt of the table', () => {
    let dir: string;
    let model: string;

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'promptscope-prepare-'));
        model = await fixtureModelPath();
        symlinkSync(await fixtureLoraPath(), join(dir, 'lora.gguf'));
        for (const row of rows) writeFileSync(join(dir, row.file), row.text);
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const row of rows) {
        test(row.name, async () => {
            const path = join(dir, row.file);
            const inputArgs = row.input === undefined ? [] : ['--input', JSON.stringify(row.input)];
            const editor = await editorPrepare(path, row.input);
            const opened = await pathPrepare(path, row.input);
            const rendered = await runCli(['render', path, '--json', ...inputArgs]);

            if (row.error !== undefined) {
                assert.ok(editor instanceof PromptError, `expected ${row.error}, got a prepared prompt`);
                assert.equal(editor.name, row.error);
                assert.ok(editor.range !== undefined, 'the error is positioned in the file');
                assert.ok(opened instanceof PromptError);
                assert.equal(opened.message, editor.message);
                const expected = (command: string) => `promptscope ${command}: ${editor.message}\n`;
                assert.deepEqual(rendered, { code: 1, stdout: '', stderr: expected('render') });
                // run refuses the same prompt with the same words, before any model is loaded.
                const ran = await runCli(['run', path, '--model', model, '--max-tokens', '2', '--no-history', ...inputArgs]);
                assert.deepEqual(ran, { code: 1, stdout: '', stderr: expected('run') });
                return;
            }

            assert.ok(!(editor instanceof PromptError), `unexpected ${editor instanceof Error ? editor.message : ''}`);
            assert.ok(!(opened instanceof PromptError));
            row.check?.(editor);
            const { rendered: renderedPrompt, ...fields } = editor;
            assert.deepEqual({ ...opened, rendered: undefined }, { ...fields, rendered: undefined }, 'Open as .prompt prepares what Run prepares');
            assert.equal(JSON.stringify(opened.rendered), JSON.stringify(renderedPrompt));

            assert.equal(rendered.code, 0, rendered.stderr);
            assert.equal(rendered.stderr, warningLines(editor));
            const json = JSON.parse(rendered.stdout) as Record<string, unknown>;
            assert.deepEqual(json, JSON.parse(JSON.stringify({
                kind: editor.kind, file: editor.file, messages: editor.messages, sampling: editor.sampling, lora: editor.lora,
                strategy: editor.strategy ?? null, variants: editor.variants, settings: editor.settings, promptHash: editor.promptHash,
                warnings: editor.warnings.map(w => ({
                    line: w.range.start.line + 1, column: w.range.start.character + 1, severity: w.severity, code: w.code, message: w.message,
                })),
                rendered: renderedPrompt ?? null,
            })));

            // run sends what was prepared: the history line records the messages, sampling and adapters it sent.
            const history = join(dir, `${row.file}.history.jsonl`);
            const ran = await runCli(['run', path, '--model', model, '--json', '--seed', '1', '--max-tokens', '2', '--out', history, ...inputArgs]);
            assert.equal(ran.code, 0, ran.stderr);
            assert.equal(ran.stderr, warningLines(editor));
            const line = JSON.parse(readFileSync(history, 'utf8').trim()) as Record<string, unknown>;
            assert.equal(line.prompt, editor.file);
            assert.equal(line.promptHash, editor.promptHash);
            assert.deepEqual(line.messages, [editor.messages]);
            assert.deepEqual(line.sampling, { ...editor.sampling, seed: 1, maxTokens: 2 });
            assert.deepEqual(line.adapters, editor.lora);
        });
    }
});
