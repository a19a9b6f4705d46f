// `promptscope render` through the built CLI bundle (scripts/test.mjs builds dist/ first).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderChatResult } from '../../src/shared/runtimeApi';
import { writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function render(...args: string[]) {
    const r = spawnSync(process.execPath, [cli, 'render', ...args], { cwd: root, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('promptscope render', () => {
    test('prints the RenderedPrompt of an example as JSON', () => {
        const { code, stdout, stderr } = render('examples/hello.prompt', '--input', '{"topic": "rainbows"}');
        assert.equal(code, 0, stderr);
        assert.equal(stderr, '');
        const rendered = JSON.parse(stdout);
        assert.deepEqual(rendered.messages.map((m: { role: string }) => m.role), ['system', 'user']);
        assert.match(rendered.messages[1].content[0].text, /Explain rainbows to a curious ten-year-old\./);
        assert.deepEqual(rendered.config, { temperature: 0.7, topP: 0.9, maxOutputTokens: 64 });
        assert.deepEqual(Object.keys(rendered).sort(), ['config', 'description', 'ext', 'input', 'messages', 'metadata', 'raw']);
    });

    test('resolves partials beside the file and takes --context and --messages', () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-render-'));
        try {
            writeFileSync(join(dir, '_sig.prompt'), '-- {{@state.user}}');
            const file = join(dir, 'chat.prompt');
            writeFileSync(file, '---\npromptscope.strategy: cot\n---\n{{role "system"}}Hi {{> sig}}\n{{history}}\n{{role "user"}}Next?');
            const { code, stdout, stderr } = render(file, '--context', '{"state": {"user": "ada"}}',
                '--messages', '[{"role": "user", "content": [{"text": "Earlier"}]}]');
            assert.equal(code, 0, stderr);
            const rendered = JSON.parse(stdout);
            assert.equal(rendered.messages[0].content[0].text, 'Hi -- ada\n');
            assert.deepEqual(rendered.messages[1], { role: 'user', content: [{ text: 'Earlier' }], metadata: { purpose: 'history' } });
            assert.deepEqual(rendered.ext, { promptscope: { strategy: 'cot' } });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('errors go to stderr as FILE:LINE:COL with exit 1 and nothing on stdout', () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-render-'));
        try {
            const file = join(dir, 'bad.prompt');
            writeFileSync(file, '---\nconfig:\n  temperature: 0.5\n---\nHello {{#if x}}\n');
            const { code, stdout, stderr } = render(file);
            assert.equal(code, 1);
            assert.equal(stdout, '');
            assert.equal(stderr, `promptscope render: ${file}:5:7: The \`{{#if}}\` block opened here is never closed: add \`{{/if}}\`.\n`);

            writeFileSync(file, '---\nmodel: [\n---\nHi');
            assert.match(render(file).stderr, new RegExp(`^promptscope render: ${file.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `));
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('warnings go to stderr with their position, the JSON still to stdout', () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-render-'));
        try {
            const file = join(dir, 'warn.prompt');
            writeFileSync(file, '---\nconfig:\n  top_p: 0.5\n---\nHi');
            const { code, stdout, stderr } = render(file);
            assert.equal(code, 0);
            assert.equal(stderr, `${file}:3:3: warning: Unknown config key \`top_p\`: it is ignored. Did you mean \`topP\`?\n`);
            assert.deepEqual(JSON.parse(stdout).config, { top_p: 0.5 });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('what a run would refuse is an error here too (exit 1): config values, GBNF at its line and column, grammar with schema', () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-render-'));
        try {
            const file = join(dir, 'bad.prompt');
            const cases: [string, string][] = [
                ['---\nconfig:\n  temperature: -0.5\n---\nHi', ':3:16: `temperature` must be'],
                ['---\nconfig:\n  logitBias:\n    hello: 5\n---\nHi', ':4:5: '],
                ['---\nconfig:\n  grammar: |\n    root ::= "a" item\n    item ::= [b-\n---\nHi', ':5:15: `config.grammar` is not valid GBNF: empty range "b-\\n"'],
                ['---\nconfig:\n  grammar: |\n    root ::= "a" item\n    item ::= [z-a]\n---\nHi', ':5:15: `config.grammar` is not valid GBNF: '],
                ['---\nconfig:\n  grammar: root ::= "a"\noutput:\n  schema: {a: string}\n---\nHi', ':3:3: `config.grammar` and `output.schema` both constrain the output'],
            ];
            for (const [text, expected] of cases) {
                writeFileSync(file, text);
                const { code, stdout, stderr } = render(file, '--json');
                assert.equal(code, 1, text);
                assert.equal(stdout, '');
                assert.ok(stderr.startsWith(`promptscope render: ${file}${expected}`), stderr);
                assert.equal(stderr.split('\n').length, 2, 'one line');
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('--json prints what a run sends: messages, sampling, adapters, strategy, warnings', () => {
        const { code, stdout, stderr } = render('examples/hello.prompt', '--json', '--input', '{"topic": "rainbows"}');
        assert.equal(code, 0, stderr);
        const json = JSON.parse(stdout);
        assert.equal(json.kind, 'chat');
        assert.equal(json.file, join(root, 'examples', 'hello.prompt'));
        assert.deepEqual(json.sampling, { temperature: 0.7, topP: 0.9, maxTokens: 64 });
        assert.deepEqual(json.messages.map((m: { role: string }) => m.role), ['system', 'user']);
        assert.match(json.messages[1].text, /Explain rainbows/);
        assert.deepEqual([json.lora, json.strategy, json.warnings], [[], null, []]);
        assert.match(json.promptHash, /^[0-9a-f]{64}$/);
    });

    test('bad arguments are usage errors (exit 2)', () => {
        assert.equal(render().code, 2);
        assert.equal(render('examples/hello.prompt', '--input', '[1]').code, 2);
        assert.equal(render('examples/hello.prompt', '--messages', '{"role": "user"}').code, 2);
        const missing = render('examples/nope.prompt');
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr, `promptscope render: Cannot read ${join(root, 'examples', 'nope.prompt')}: no such file\n`);
    });
});

describe('promptscope render --model: what the model receives', () => {
    const prompt = '---\nconfig:\n  temperature: 0\n---\n{{role "system"}}Be brief.\n{{role "user"}}Hi there';
    /** The prompt file's messages in ChatML, as the fixture's template writes them (with the BOS node-llama-cpp's ChatML wrapper puts first). */
    const chatml = '<s><|im_start|>system\nBe brief.\n<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n';
    let dir: string;
    let file: string;
    let model: string;

    before(async () => {
        model = await fixtureModelPath();
        dir = mkdtempSync(join(tmpdir(), 'promptscope-render-model-'));
        file = join(dir, 'chat.prompt');
        writeFileSync(file, prompt);
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    test('--json adds the template, the templated text and the tokens to what a run sends', async () => {
        const run = await runCli(['render', file, '--model', model, '--threads', '1', '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, '');
        const json = JSON.parse(run.stdout) as RenderChatResult & { kind: string; messages: unknown[]; model: string };
        assert.equal(json.kind, 'chat');
        assert.equal(json.messages.length, 2);
        assert.match(json.model, /fixture/);
        assert.deepEqual(json.template, { wrapper: 'ChatMLChatWrapper', source: 'family-wrapper' });
        assert.equal(json.text, chatml);
        assert.deepEqual(json.tokens.filter(t => t.special).map(t => t.text), ['<s>', '<|im_start|>', '<|im_end|>', '<|im_start|>', '<|im_end|>', '<|im_start|>']);
        assert.deepEqual(Object.keys(json.tokens[0]!).sort(), ['fromTemplate', 'id', 'raw', 'special', 'text']);
    });

    test('text: the tokens\' text with special tokens bracketed, the token table and the ids', async () => {
        const [text, json] = await Promise.all([
            runCli(['render', file, '--model', model, '--threads', '1']),
            runCli(['render', file, '--model', model, '--threads', '1', '--json']),
        ]);
        assert.equal(text.code, 0, text.stderr);
        const tokens = (JSON.parse(json.stdout) as RenderChatResult).tokens;
        const marked = tokens.map(t => t.special ? `⟦${t.text}⟧` : t.text).join('');
        assert.ok(marked.startsWith('⟦<s>⟧⟦<|im_start|>⟧'), marked);
        assert.ok(text.stdout.includes(`\n${marked}\n`), text.stdout);
        assert.match(text.stdout, /^Template: ChatMLChatWrapper, /m);
        assert.ok(text.stdout.includes(`Token ids: ${JSON.stringify(tokens.map(t => t.id))}\n`));
        for (const [index, token] of tokens.entries()) {
            const cells = [index, token.id, JSON.stringify(token.text), JSON.stringify(token.raw), `${token.special ? 'special, ' : ''}${token.fromTemplate ? 'template' : 'message'}`];
            assert.match(text.stdout, new RegExp(`^${cells.map(c => escapeRegExp(String(c))).join(' +')}$`, 'm'));
        }
        // The SentencePiece fixture puts a space after each special token of the template's text: said, not hidden.
        assert.match(text.stdout, /^Note: the tokens do not spell the template's text exactly/m);
    });

    test('a template node-llama-cpp cannot interpret: the fallback is used, with the warning (stderr and --json)', async () => {
        const template = "{% for m in messages %}{% do m.update({}) %}{{ m['content'] }}{% endfor %}";
        const broken = await fixtureFile('tiny-template-do-statement.gguf', p => writeFixtureModel(p, { chatTemplate: template }));
        const run = await runCli(['render', file, '--model', broken, '--threads', '1', '--json']);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as RenderChatResult;
        assert.equal(json.template.source, 'fallback');
        assert.equal(json.template.warning?.code, 'template-unusable');
        assert.equal(json.template.warning?.firstLine, template);
        const lines = run.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.ok(lines[0]!.startsWith(`${broken}: warning: `), run.stderr);
        assert.ok(lines[0]!.includes(template), 'the warning names the template by its first line');

        // Every command that loads the model says it, once.
        const probs = await runCli(['probs', '--text', 'Hi', '--model', broken, '--threads', '1', '--json']);
        assert.equal(probs.code, 0, probs.stderr);
        assert.equal(probs.stderr, run.stderr);
    });

    test('a plain file is one user message, as run sends it; model flags need --model', async () => {
        const text = join(dir, 'note.txt');
        writeFileSync(text, 'Hello');
        const run = await runCli(['render', text, '--model', model, '--threads', '1', '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.equal((JSON.parse(run.stdout) as RenderChatResult).text, '<s><|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n');
        const usage = render(file, '--threads', '1');
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /--threads applies with --model only/);
    });
});

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
