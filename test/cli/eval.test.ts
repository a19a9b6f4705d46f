// `promptscope eval` as a user runs it: the built CLI over small datasets on the fixture model, whose answers a
// grammar keeps to real labels.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let model: string;
let dir: string;

function runCli(args: string[]) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
    model = await fixtureModelPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-eval-'));
    writeFileSync(join(dir, 'sentiment.prompt'), `---
config:
  temperature: 0
  maxOutputTokens: 4
  grammar: 'root ::= "good" | "bad" | "meh"'
promptscope.answer.labels:
  positive: [good]
  negative: [bad]
input:
  schema:
    review: string
---
Review: {{review}}
Sentiment:
`);
    writeFileSync(join(dir, 'reviews.csv'), 'review,expected\n"Great, truly great",positive\nAwful,negative\n"She said ""wow""",Positive\nBoring,negative\n');
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    writeFileSync(join(dir, 'noexpected.jsonl'), '{"review": "ok", "expected": "positive"}\n{"review": "bad"}\n');
    writeFileSync(join(dir, 'nogroup.prompt'), `---
promptscope.answer.pattern: '\\d+'
---
{{review}}
`);
    writeFileSync(join(dir, 'many.jsonl'), Array.from({ length: 40 }, (_, i) => JSON.stringify({ review: `review ${i}`, expected: i % 2 ? 'positive' : 'negative' })).join('\n'));
});

test('a label task: accuracy, unmapped, confusion matrix and one history line per row', () => {
    const out = join(dir, 'runs.jsonl');
    const run = runCli(['eval', 'sentiment.prompt', '--dataset', 'reviews.csv', '--model', model, '--gpu', 'off', '--json', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.n, 4);
    assert.deepEqual(result.results.map((r: { expected: string }) => r.expected), ['positive', 'negative', 'positive', 'negative']);
    assert.deepEqual(result.results[2].input, { review: 'She said "wow"' });
    let correct = 0;
    let unmapped = 0;
    for (const r of result.results) {
        assert.ok(r.answer === null || ['positive', 'negative'].includes(r.answer));
        assert.equal(r.correct, r.answer === r.expected);
        if (r.correct) correct++;
        if (r.answer === null) unmapped++;
    }
    assert.equal(result.accuracy, correct / 4);
    assert.equal(result.unmapped, unmapped);
    assert.deepEqual(result.confusion.labels, ['positive', 'negative']);
    assert.equal(result.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0), 4);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map(line => JSON.parse(line));
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.map(l => l.dataset.row), [0, 1, 2, 3]);
    assert.ok(lines.every(l => l.command === 'eval' && typeof l.promptHash === 'string' && l.messages.length === 1));

    const limited = runCli(['eval', 'sentiment.prompt', '--dataset', 'reviews.csv', '--limit', '2', '--model', model, '--gpu', 'off', '--out', out]);
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stdout, /^direct: accuracy \d+\.\d% \(\d\/2\), unmapped \d\nexpected \\ answered\s+positive\s+negative\s+unmapped\n/);
});

test('bad input is one clear line on stderr, exit code 1, no stack', () => {
    const cases: [string[], RegExp][] = [
        [['eval', 'sentiment.prompt', '--dataset', 'empty.jsonl'], /Empty dataset: .*empty\.jsonl has no rows/],
        [['eval', 'sentiment.prompt', '--dataset', 'noexpected.jsonl'], /row 2 has no "expected" field/],
        [['eval', 'sentiment.prompt', '--dataset', 'reviews.csv', '--samples', '0', '--strategy', 'self-consistency'], /--samples must be at least 1; got 0/],
        [['eval', 'nogroup.prompt', '--dataset', 'reviews.csv'], /pattern.*capture group/],
    ];
    for (const [args, message] of cases) {
        const run = runCli([...args, '--model', model, '--gpu', 'off']);
        assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
        assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
});

test('a process killed mid-eval leaves a history whose every line parses', async () => {
    const out = join(dir, 'killed.jsonl');
    const child = spawn(process.execPath, [cli, 'eval', 'sentiment.prompt', '--dataset', 'many.jsonl', '--model', model, '--gpu', 'off', '--out', out], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise(resolve => child.once('exit', resolve));
    const lineCount = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    while (lineCount() < 3 && child.exitCode === null) await new Promise(resolve => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    const text = readFileSync(out, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.length >= 3 && lines.length < 40, `${lines.length} lines`);
    for (const line of lines) assert.equal(JSON.parse(line).command, 'eval');
});

test('--compare-model: the same rows on a second model (its Q8_0 copy), each accuracy with its interval and the paired counts', () => {
    const copy = join(dir, 'fixture-q8_0.gguf');
    const quantized = runCli(['quantize', model, copy, '--type', 'Q8_0', '--force']);
    assert.equal(quantized.code, 0, quantized.stderr);
    const out = join(dir, 'compare-runs.jsonl');
    const run = runCli(['eval', 'sentiment.prompt', '--dataset', 'many.jsonl', '--limit', '12', '--model', model, '--gpu', 'off', '--json', '--out', out, '--compare-model', copy]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    const compared = result.compared;
    assert.equal(compared.n, 12);
    const paired = compared.paired;
    const base = result.results.map((r: { correct: boolean }) => r.correct);
    const other = compared.results.map((r: { correct: boolean }) => r.correct);
    // Counted here again from the two result lists.
    assert.equal(paired.bothCorrect, base.filter((b: boolean, i: number) => b && other[i]).length);
    assert.equal(paired.onlyBase, base.filter((b: boolean, i: number) => b && !other[i]).length);
    assert.equal(paired.onlyOther, base.filter((b: boolean, i: number) => !b && other[i]).length);
    assert.equal(paired.base.correct, result.correct);
    assert.equal(paired.other.correct, compared.correct);
    assert.ok(paired.base.low <= paired.base.estimate && paired.base.estimate <= paired.base.high);
    assert.ok(paired.mcnemarP > 0 && paired.mcnemarP <= 1);
    // Both runs' rows are in the history, each with its model.
    const lines = readFileSync(out, 'utf8').trim().split('\n').map(line => JSON.parse(line));
    assert.equal(lines.length, 24);

    const text = runCli(['eval', 'sentiment.prompt', '--dataset', 'many.jsonl', '--limit', '4', '--model', model, '--gpu', 'off', '--no-history', '--compare-model', copy]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /compared on the same 4 rows:\n {2}.+: \d+\.\d% \(\d\/4\), 95% CI \[[\d.]+, [\d.]+\]%\n {2}.+: \d+\.\d% \(\d\/4\), 95% CI \[[\d.]+, [\d.]+\]%, unmapped \d\n {2}right under one only: \d \(the first\) vs \d \(the second\); both right \d, both wrong \d; McNemar exact p = [\d.]+\n/);
});
