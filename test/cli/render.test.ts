// `promptscope render` through the built CLI bundle (scripts/test.mjs builds dist/ first).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
