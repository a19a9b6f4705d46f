// Issue 15 as a user meets it on the command line (the built CLI on the fixture model): a reader that closes early,
// model text with control characters on a terminal and in a pipe, grammar beside schema, bounded LoRA scales,
// non-finite results refused, strict CSV and named dataset rows, and each formerly unclear error's specific message.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureLora } from '../../src/core/fixtures';
import { fixtureFile, fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { repoRoot, runCli } from '../support/runCli';

const cli = join(repoRoot, 'dist', 'cli.js');
/** The fixture vocabulary's byte token for ESC (0x1b): byte tokens start at id 3. */
const escapeToken = 3 + 0x1b;
let model: string;
let lora: string;
let dir: string;

before(async () => {
    model = await fixtureModelPath();
    lora = await fixtureLoraPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-hardening-'));
});

/** No stack trace, no unhandled 'error' event: what a crash prints. */
function assertNoCrash(stderr: string): void {
    assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event|^\s+at /m, stderr);
}

describe('output streams', () => {
    test('a reader that closes after 20 bytes ends nothing but the output: no stack trace, the usual exit status', async () => {
        const child = spawn(process.execPath, [cli, 'run', '--text', 'Once upon a time', '--model', model, '--gpu', 'off', '--threads', '1',
            '--temperature', '0', '--max-tokens', '200', '--logit-bias', 'id:2=-inf', '--no-history'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let read = 0;
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
        // As `head -c 20` does: read 20 bytes, then close the pipe while the model is still writing.
        child.stdout.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read >= 20) child.stdout.destroy();
        });
        const code = await new Promise<number | null>(resolve => child.on('close', resolve));
        assert.ok(read >= 20, `read ${read} bytes`);
        assertNoCrash(stderr);
        assert.equal(stderr, '');
        assert.equal(code, 0);
    });

    test('a stderr whose reader is gone does not stop the command: its result is on stdout', async () => {
        const child = spawn(process.execPath, [cli, 'run', '--text', 'Hello', '--model', model, '--gpu', 'off', '--threads', '1',
            '--temperature', '0', '--max-tokens', '8', '--no-history', '--verbose'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stderr.destroy();
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
        const code = await new Promise<number | null>(resolve => child.on('close', resolve));
        assert.equal(code, 0);
        assert.notEqual(stdout.trim(), '');
    });

    test('model text with ESC is escaped on a terminal and raw in a pipe', { skip: spawnSync('script', ['--version']).status !== 0 && 'no `script` for a terminal' }, () => {
        const args = ['run', '--text', 'Hi', '--model', model, '--gpu', 'off', '--threads', '1', '--max-tokens', '3', '--no-history', '--logit-bias', `id:${escapeToken}=+100`];
        const piped = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
        assert.equal(piped.status, 0, piped.stderr);
        assert.equal(piped.stdout, '\x1b\x1b\x1b\n');
        // `script` gives the command a pseudo-terminal as its stdout.
        const quoted = [process.execPath, cli, ...args].map(a => `'${a}'`).join(' ');
        const terminal = spawnSync('script', ['-qec', quoted, '/dev/null'], { cwd: dir, encoding: 'utf8' });
        assert.equal(terminal.status, 0, terminal.stdout);
        assert.equal(terminal.stdout.replace(/\r\n/g, '\n'), '\\u001b\\u001b\\u001b\n');
        // --raw asks for the text as is, on a terminal too.
        const raw = spawnSync('script', ['-qec', `${quoted} '--raw'`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
        assert.equal(raw.status, 0, raw.stdout);
        assert.equal(raw.stdout.replace(/\r\n/g, '\n'), '\x1b\x1b\x1b\n');
    });
});

describe('validation', () => {
    test('config.grammar beside output.schema in a .prompt is an error naming the file and position, before a model loads', async () => {
        const file = join(dir, 'both.prompt');
        writeFileSync(file, '---\nconfig:\n  grammar: root ::= "x"\noutput:\n  schema:\n    a: string\n---\nHi\n');
        const run = await runCli(['run', file, '--model', join(dir, 'no-such-model.gguf')]);
        assert.equal(run.code, 1);
        assert.equal(run.stderr, `promptscope run: ${file}:3:3: \`config.grammar\` and \`output.schema\` both constrain the output: keep one (the schema becomes a grammar itself).\n`);
    });

    test('a LoRA scale of 1e39 is refused on the flag and in front matter; the bound is stated', async () => {
        const flag = await runCli(['run', '--text', 'Hi', '--model', model, '--lora', `${lora}:1e39`]);
        assert.equal(flag.code, 2);
        assert.match(flag.stderr, /^promptscope run: --lora .*tiny-lora\.gguf:1e39: the scale after the last colon, "1e39", must be a number from -100 to 100/);
        const file = join(dir, 'scaled.prompt');
        writeFileSync(file, `---\npromptscope.lora:\n  path: ${lora}\n  scale: 1e39\n---\nHi\n`);
        const front = await runCli(['run', file, '--model', model]);
        assert.equal(front.code, 1);
        assert.match(front.stderr, /scaled\.prompt:3:3: .*scale of .*tiny-lora\.gguf must be a number from -100 to 100 .*got 1e\+39\./);
    });

    test('NaN probabilities (an adapter whose alpha overflows f32 at scale 100) are an error, not output', async () => {
        const huge = await fixtureFile('tiny-lora-alpha1e38.gguf', path => writeFixtureLora(path, { alpha: 1e38, rank: 1 }));
        const run = await runCli(['probs', '--text', 'hi', '--model', model, '--gpu', 'off', '--threads', '1', '--lora', `${huge}:100`, '--json']);
        assert.equal(run.code, 1);
        assert.equal(run.stdout, '');
        // The native logits path finds NaN in the finished result; node-llama-cpp's finds an infinite logit first.
        assert.match(run.stderr, /^promptscope probs: The model computed (NaN|-?Infinity) for (tokens\[\d+\]\.\S+|the largest logit) in its (tokenProbabilities|logits) result: its arithmetic overflowed\. Check the LoRA adapters' scales/);
    });

    test('a CSV dataset with a stray quote is an error naming the line; a bad row is named', async () => {
        const prompt = join(dir, 'q.prompt');
        writeFileSync(prompt, '---\ninput:\n  schema:\n    q: string\n---\nQ: {{q}}\n');
        writeFileSync(join(dir, 'stray.csv'), 'q,expected\na,1\nb"x,2\nc,3\n');
        const stray = await runCli(['eval', prompt, '--dataset', join(dir, 'stray.csv'), '--model', model, '--no-history']);
        assert.equal(stray.code, 1);
        assert.match(stray.stderr, /^promptscope eval: .*stray\.csv: line 3: a quote \("\) inside a field that does not start with one/);
        writeFileSync(join(dir, 'rows.jsonl'), '{"q":"a","expected":"1"}\n{"q":"b","expected":"2"}\n{"x":"c","expected":"3"}\n');
        const row = await runCli(['eval', prompt, '--dataset', join(dir, 'rows.jsonl'), '--model', model, '--gpu', 'off', '--threads', '1', '--max-tokens', '1', '--no-history']);
        assert.equal(row.code, 1);
        assert.match(row.stderr, /^promptscope eval: .*rows\.jsonl: row 3: .*q\.prompt:4:5: Missing required input `q`/);
        writeFileSync(join(dir, 'first.jsonl'), '{"q":5,"expected":"1"}\n');
        const first = await runCli(['eval', prompt, '--dataset', join(dir, 'first.jsonl'), '--model', join(dir, 'no-such-model.gguf'), '--no-history']);
        assert.equal(first.code, 1);
        assert.match(first.stderr, /^promptscope eval: .*first\.jsonl: row 1: .*Input `q` must be a string; got 5/);
    });
});

describe('unclear errors made specific', () => {
    test('a left-recursive --grammar is reported at its line before the model loads', async () => {
        writeFileSync(join(dir, 'lr.gbnf'), 'root ::= list\nlist ::= list "," item | item\nitem ::= "x"\n');
        const run = await runCli(['run', '--text', 'Hi', '--grammar', join(dir, 'lr.gbnf'), '--model', join(dir, 'no-such-model.gguf')]);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /^promptscope run: --grammar .*lr\.gbnf:2:10: left recursion: "list" can begin with itself \(list → list\)/);
    });

    test('--temperature -1 is read as the value and refused as a temperature, not "ambiguous"', async () => {
        const run = await runCli(['run', '--text', 'Hi', '--model', model, '--temperature', '-1']);
        assert.equal(run.code, 1);
        assert.doesNotMatch(run.stderr, /ambiguous/);
        assert.match(run.stderr, /^promptscope run: Invalid sampling option temperature = -1: allowed a finite number ≥ 0/);
        const seed = await runCli(['run', '--text', 'Hi', '--model', model, '--seed', '-3']);
        assert.match(seed.stderr, /seed = -3/);
    });

    test('--threads 5000 names the real limit', async () => {
        const run = await runCli(['run', '--text', 'Hi', '--model', model, '--threads', '5000']);
        assert.equal(run.code, 2);
        assert.equal(run.stderr, 'promptscope run: --threads expects an integer from 1 to 1024 (the runtime\'s limit), got 5000\nsee `promptscope run --help`\n');
    });

    test('--lora file:abc and file:1e400 blame the scale, not a missing file', async () => {
        for (const scale of ['abc', '1e400']) {
            const run = await runCli(['run', '--text', 'Hi', '--model', model, '--lora', `file:${scale}`]);
            assert.equal(run.code, 2);
            assert.match(run.stderr, new RegExp(`^promptscope run: --lora file:${scale}: the scale after the last colon, "${scale}", must be a number from -100 to 100 .*write --lora file:0\\.5, or --lora file for scale 1\\n`));
            assert.doesNotMatch(run.stderr, /does not exist/);
        }
    });

    test('probs --generate 5000 says --generate is too large and the context size, not that the prompt is', async () => {
        const run = await runCli(['probs', '--text', 'hi', '--model', model, '--gpu', 'off', '--threads', '1', '--generate', '5000']);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^promptscope probs: --generate 5000 is too large: the prompt's (\d+) tokens and the generated ones must fit the model's context of (\d+) tokens; use --generate (\d+) or less\n/);
        const [, prompt, context, most] = /prompt's (\d+) tokens .* context of (\d+) tokens; use --generate (\d+)/.exec(run.stderr)!.map(Number);
        assert.equal(most, context! - prompt!);
    });
});
