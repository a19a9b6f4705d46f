// `run --watermark`, `watermark detect` and `watermark experiment` from the command line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

const folder = mkdtempSync(join(tmpdir(), 'promptscope-cli-watermark-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('a watermarked run is detected with its key, not with another; plain text is not', async () => {
    const model = await fixtureModelPath();
    const run = await runCli(['run', '--model', model, '--gpu', 'off', '--text', 'The river ran past the old stone mill', '--raw',
        '--temperature', '1', '--seed', '4', '--max-tokens', '200', '--watermark', 'key=secret,gamma=0.25,delta=4', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const text = join(folder, 'out.txt');
    writeFileSync(text, (JSON.parse(run.stdout) as { output: string }).output);
    const detect = async (...args: string[]) => {
        const result = await runCli(['watermark', 'detect', text, '--model', model, '--gpu', 'off', '--json', ...args]);
        assert.equal(result.code, 0, result.stderr);
        return JSON.parse(result.stdout) as { z: number; pValue: number; watermarked: boolean; scored: number; green: number; tokens: { text: string; green: boolean; scored: boolean }[] };
    };
    const found = await detect('--key', 'secret');
    // Re-tokenized text can split differently from the generated tokens here and there: the signal stays far above 4.
    assert.ok(found.watermarked && found.z > 6, `z ${found.z}`);
    assert.ok(found.pValue < 1e-9);
    assert.equal(found.tokens.filter(t => t.scored).length, found.scored);
    assert.ok(!(await detect('--key', 'wrong')).watermarked);
    const plain = await runCli(['watermark', 'detect', '--text', readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').slice(0, 3000), '--key', 'secret', '--model', model, '--gpu', 'off']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^not watermarked: z = -?\d+\.\d\d \(threshold 4\), p = [\d.e+-]+; \d+ of \d+ scored tokens green \(γ = 0\.25, \d+ tokens, repeated pairs scored once\)\n$/);
});

test('watermark experiment: detection, false positives, attack curve and perplexity cost, with intervals', async () => {
    const model = await fixtureModelPath();
    const markdown = join(folder, 'wm.md');
    const human = join(folder, 'human.txt');
    writeFileSync(human, readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8').slice(0, 6000));
    const run = await runCli(['watermark', 'experiment', '--model', model, '--gpu', 'off', '--key', 'k', '--samples', '6', '--unmarked', '8',
        '--tokens', '60', '--human', human, '--markdown', markdown, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
        watermarked: { n: number; detected: number; rate: { low: number; high: number; estimate: number } };
        unmarked: { n: number }; human: { n: number }[]; attack: { replaced: number; meanZ: { estimate: number } }[];
        perplexity: { watermarked: number; unmarked: number };
    };
    assert.equal(report.watermarked.n, 6);
    assert.equal(report.unmarked.n, 8);
    assert.ok(report.human[0]!.n >= 1);
    assert.deepEqual(report.attack.map(a => a.replaced), [0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.ok(report.attack[0]!.meanZ.estimate > report.attack[4]!.meanZ.estimate, 'replacing tokens weakens the signal');
    assert.ok(report.perplexity.watermarked > 0 && report.perplexity.unmarked > 0);
    assert.match(readFileSync(markdown, 'utf8'), /\| watermarked generations \| 6 \| [\d.]+% \[[\d.]+, [\d.]+\] \|/);
});

test('watermark flags name what is wrong', async () => {
    const cases: [string[], RegExp][] = [
        [['run', '--text', 'Hi', '--watermark', 'gamma=0.3'], /--watermark needs key=K/],
        [['run', '--text', 'Hi', '--watermark', 'key=k,gamma=1'], /--watermark: gamma must be a number in \(0, 1\)/],
        [['run', '--text', 'Hi', '--watermark', 'key=k,colour=green'], /unknown part "colour=green"/],
        [['run', '--text', 'Hi', '--watermark', 'key=k', '--strategy', 'self-consistency'], /--watermark applies to one generation/],
        [['watermark', 'detect', '--text', 'Hi'], /--key K is required/],
        [['watermark', 'detect', '--text', 'Hi', '--key', 'k', '--gamma', '0'], /--gamma must be a number in \(0, 1\), got 0/],
        [['watermark', 'nothing', '--key', 'k'], /give a subcommand: watermark detect … or watermark experiment …/],
        [['watermark', 'detect', '--key', 'k'], /give either one text file or --text/],
    ];
    for (const [args, message] of cases) {
        const run = await runCli([...args, '--model', 'missing.gguf']);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
    }
});
