// `promptscope quantize`, `fixture-model --quantize` and `compare-models` from the command line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeModelComparison } from '../../src/core/comparison/summarizeModelComparison';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

const folder = mkdtempSync(join(tmpdir(), 'promptscope-cli-quantize-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('quantize writes the type asked for; fixture-model --quantize writes the same bytes', async () => {
    const model = await fixtureModelPath();
    const out = join(folder, 'tiny-q4_0.gguf');
    const run = await runCli(['quantize', model, out, '--type', 'q4_0', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { output: string; type: string; tensors: number; inputBytes: number; outputBytes: number };
    assert.equal(result.output, out);
    assert.equal(result.type, 'Q4_0');
    assert.equal(result.tensors, 21);
    assert.equal(result.outputBytes, readFileSync(out).length);
    assert.match(run.stderr, /Quantizing to Q4_0: tensor 21\/21 \(100%\)/);

    const fixture = join(folder, 'fixture-q4_0.gguf');
    const written = await runCli(['fixture-model', fixture, '--quantize', 'Q4_0', '--json']);
    assert.equal(written.code, 0, written.stderr);
    assert.ok(readFileSync(fixture).equals(readFileSync(out)), 'fixture-model --quantize and quantize give the same file');
    assert.equal((JSON.parse(written.stdout) as { quantized: { type: string } }).quantized.type, 'Q4_0');
    assert.deepEqual(readdirSync(folder).filter(f => f.includes('unquantized') || f.includes('partial')), []);

    // An existing output is kept unless --force.
    const again = await runCli(['quantize', model, out, '--type', 'Q8_0']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Refusing to write .*tiny-q4_0\.gguf: the file exists\. .*--force/);
    assert.equal((await runCli(['quantize', model, out, '--type', 'Q8_0', '--force'])).code, 0);
});

test('quantize: flag errors name the flag and the choices', async () => {
    const model = await fixtureModelPath();
    const cases: [string[], RegExp][] = [
        [['quantize', model, join(folder, 'a.gguf'), '--type', 'IQ2_XXS'], /--type must be one of F32, F16, BF16, Q8_0, .*Q2_K, got IQ2_XXS/],
        [['quantize', model, join(folder, 'a.gguf')], /--type must be one of .* got nothing/],
        [['quantize', model, '--type', 'Q4_0'], /give the input model and the output path/],
        [['quantize', model, model, '--type', 'Q4_0'], /is the input model itself/],
        [['fixture-model', join(folder, 'b.gguf'), '--quantize', 'Q9'], /--quantize must be one of/],
    ];
    for (const [args, message] of cases) {
        const run = await runCli(args);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
    }
    assert.equal(existsSync(join(folder, 'a.gguf')), false);
    assert.equal(existsSync(join(folder, 'b.gguf')), false);
});

test('compare-models: --json holds the positions and their summary; the text names the highest-KL tokens', async () => {
    const model = await fixtureModelPath();
    const q8 = join(folder, 'tiny-q8_0.gguf');
    assert.equal((await runCli(['quantize', model, q8, '--type', 'Q8_0'])).code, 0);
    const prompt = join(folder, 'text.txt');
    writeFileSync(prompt, 'The river ran past the old stone mill and the children played by the water.');
    const run = await runCli(['compare-models', model, q8, prompt, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Parameters<typeof summarizeModelComparison>[0] & { tokens: number[]; summary: unknown };
    assert.deepEqual(result.summary, JSON.parse(JSON.stringify(summarizeModelComparison(result))));
    assert.ok((result.summary as { meanKl: { estimate: number } }).meanKl.estimate > 0);

    const text = await runCli(['compare-models', model, q8, '--prompt', prompt, '--top', '2', '--from', '3']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^BASE  ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    assert.match(text.stdout, /KL\(BASE ‖ OTHER\)  mean [\d.]+ nats, 95% CI \[[\d.]+, [\d.]+\]/);
    assert.match(text.stdout, /top-1 agreement   [\d.]+% \(\d+\/\d+\), 95% CI/);
    assert.equal(text.stdout.split('\n').filter(line => /^ {2}\d+: /.test(line)).length, 2);

    const usage = await runCli(['compare-models', model]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give the two models, then the prompt/);
});
