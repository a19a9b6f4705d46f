// `promptscope run` and `promptscope info` as a user runs them: the built CLI in a child process.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { runCli, type CliRun } from '../support/runCli';




/** Errors are one clear line (plus a pointer to --help for usage errors), never a stack trace. */
function assertNoStack(run: CliRun): void {
    assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, run.stderr);
}

describe('promptscope run / info', () => {
    let model: string;

    before(async () => {
        model = await fixtureModelPath();
    });

    test('run --json prints output, timing and model; the same seed prints the same output', async () => {
        const args = ['run', '--text', 'Tell me about cats.', '--model', model, '--json', '--seed', '1', '--max-tokens', '12'];
        const first = await runCli(args);
        assert.equal(first.code, 0, first.stderr);
        const json = JSON.parse(first.stdout) as {
            output: string; model: string; stopReason: string; seed: number;
            timing: { promptTokens: number; generatedTokens: number; ms: number; tokensPerSecond: number };
        };
        assert.equal(typeof json.output, 'string');
        assert.ok(json.timing.promptTokens > 3);
        assert.ok(json.timing.generatedTokens >= 1 && json.timing.generatedTokens <= 12);
        assert.ok(json.timing.ms > 0);
        assert.ok(json.timing.tokensPerSecond > 0);
        assert.equal(typeof json.model, 'string');
        assert.ok(json.model.length > 0);
        assert.equal(json.seed, 1);
        const second = await runCli(args);
        assert.equal((JSON.parse(second.stdout) as { output: string }).output, json.output);
    });

    test('run streams plain text to stdout; PROMPTSCOPE_MODEL names the model', async () => {
        const run = await runCli(['run', '--text', 'Once upon a time', '--raw', '--seed', '3', '--max-tokens', '8', '--temperature', '0'], { PROMPTSCOPE_MODEL: model });
        assert.equal(run.code, 0, run.stderr);
        assert.ok(run.stdout.endsWith('\n'));
        assert.equal(run.stderr, '');
    });

    test('run reads a plain text file as the prompt', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-cli-'));
        const file = join(dir, 'prompt.txt');
        writeFileSync(file, 'The cat sat on the');
        const fromFile = await runCli(['run', file, '--raw', '--model', model, '--json', '--temperature', '0', '--max-tokens', '6']);
        const fromText = await runCli(['run', '--text', 'The cat sat on the', '--raw', '--model', model, '--json', '--temperature', '0', '--max-tokens', '6']);
        assert.equal(fromFile.code, 0, fromFile.stderr);
        assert.equal((JSON.parse(fromFile.stdout) as { output: string }).output, (JSON.parse(fromText.stdout) as { output: string }).output);
    });

    test('no model anywhere: exit 2, says how to pass one', async () => {
        const run = await runCli(['run', '--text', 'hi']);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^promptscope run: no model given: pass --model .*PROMPTSCOPE_MODEL.*fixture-model.*\nsee `promptscope run --help`\n$/);
        assertNoStack(run);
    });

    test('a bad model file: exit 1, one clear line naming the file, no stack trace', async () => {
        const missing = join(tmpdir(), 'promptscope-no-such-model.gguf');
        const run = await runCli(['run', '--text', 'hi', '--model', missing]);
        assert.equal(run.code, 1);
        assert.equal(run.stderr, `promptscope run: Cannot use model file ${missing}: the file does not exist. `
            + 'Check promptscope.model (or --model); `promptscope fixture-model OUT.gguf` writes a small test model.\n');
        assert.equal(run.stdout, '');
    });

    test('impossible sampling values and malformed flags', async () => {
        const topP = await runCli(['run', '--text', 'hi', '--model', model, '--top-p', '1.5']);
        assert.equal(topP.code, 1);
        assert.equal(topP.stderr, 'promptscope run: Invalid sampling option topP = 1.5: allowed a number in (0, 1].\n');
        const notNumber = await runCli(['run', '--text', 'hi', '--model', model, '--temperature', 'warm']);
        assert.equal(notNumber.code, 2);
        assert.match(notNumber.stderr, /--temperature expects a number, got "warm"/);
        const both = await runCli(['run', 'x.prompt', '--text', 'hi', '--model', model]);
        assert.equal(both.code, 2);
        assertNoStack(both);
    });

    test('an hf: model offline fails fast and says how to use a local file', async () => {
        const run = await runCli(['run', '--text', 'hi', '--model', 'hf:promptscope-test/none-GGUF:Q4_K_M'], {
            HOME: mkdtempSync(join(tmpdir(), 'promptscope-home-')),
        });
        assert.equal(run.code, 1);
        assert.match(run.stderr, /^promptscope run: Could not download the model hf:promptscope-test\/none-GGUF:Q4_K_M: .*local \.gguf file\.\n$/);
    });

    test('--verbose adds the stack trace', async () => {
        const run = await runCli(['run', '--text', 'hi', '--model', join(tmpdir(), 'promptscope-no-such-model.gguf'), '--verbose']);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /ModelFileError: Cannot use model file/);
        assert.match(run.stderr, /^\s+at /m);
    });

    test('info prints the model\'s metadata; --json prints it raw', async () => {
        const text = await runCli(['info', model]);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /^Name\s+\S/m);
        assert.match(text.stdout, /^Architecture\s+llama$/m);
        assert.match(text.stdout, /^Layers\s+2 \(embedding 64, 4 heads, 2 KV heads\)$/m);
        assert.match(text.stdout, /^Backend\s+cpu/m);
        const json = await runCli(['info', model, '--json']);
        assert.equal(json.code, 0, json.stderr);
        const parsed = JSON.parse(json.stdout) as { info: { architecture: string }; metadata: { general: { architecture: string }; llama: object } };
        assert.equal(parsed.info.architecture, 'llama');
        assert.equal(parsed.metadata.general.architecture, 'llama');
        assert.ok('feed_forward_length' in parsed.metadata.llama);
    });
});
