// `promptscope run` as a user runs it (the built CLI on the fixture model): a plain direct run is appended to the
// run history like the other strategies, and `--weighted` weighs self-consistency votes by path probability.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';

const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');
let model: string;
let dir: string;

function runCli(args: string[]) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function historyLines(file: string): Record<string, unknown>[] {
    return readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
}

before(async () => {
    model = await fixtureModelPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-direct-'));
    // The fixture's text is noise; the grammar makes every answer a real label.
    writeFileSync(join(dir, 'review.prompt'), `---
config:
  temperature: 0.9
  maxOutputTokens: 4
  grammar: 'root ::= "good" | "bad" | "fine"'
promptscope.answer.labels:
  positive: [good, fine]
  negative: [bad]
input:
  schema:
    review: string
---
Is this review positive or negative? {{review}}
`);
});

test('a plain direct run streams its output and is appended to the run history (--out)', () => {
    const out = join(dir, 'direct.jsonl');
    const run = runCli(['run', 'review.prompt', '--input', '{"review": "Nice."}', '--model', model, '--gpu', 'off', '--seed', '3', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^(good|bad|fine)\n$/, 'still the plain streamed output');
    const [line, ...more] = historyLines(out);
    assert.equal(more.length, 0);
    assert.equal(line!.command, 'run');
    assert.equal(line!.strategy, 'direct');
    assert.equal(line!.prompt, join(dir, 'review.prompt'));
    assert.match(String(line!.promptHash), /^[0-9a-f]{64}$/);
    assert.deepEqual(line!.input, { review: 'Nice.' });
    assert.deepEqual(line!.outputs, [run.stdout.trim()]);
    assert.equal(line!.answer, run.stdout.trim() === 'bad' ? 'negative' : 'positive');
    assert.equal(line!.seed, 3);
    assert.equal((line!.sampling as { temperature: number }).temperature, 0.9);
    assert.match(String((line!.model as { hash: string }).hash), /^sha256-edges:/);
    assert.equal((line!.messages as unknown[][])[0]!.length > 0, true);
});

test('a direct --text --json run names its history file and answer; a second run appends', () => {
    const out = join(dir, 'text.jsonl');
    const args = ['run', '--text', 'Count: 1, 2,', '--model', model, '--gpu', 'off', '--seed', '1', '--max-tokens', '4', '--json', '--out', out];
    const first = runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout);
    assert.equal(json.history, out);
    assert.ok('answer' in json && 'rawAnswer' in json);
    assert.equal(runCli(args).code, 0);
    const lines = historyLines(out);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.prompt, null);
    assert.deepEqual(lines[0]!.outputs, [json.output]);
    assert.deepEqual(lines[1]!.outputs, lines[0]!.outputs, 'same seed, same output');
});

test('--weighted: self-consistency votes weighed by exp(mean log-probability) of each path', () => {
    const out = join(dir, 'weighted.jsonl');
    const run = runCli(['run', 'review.prompt', '--input', '{"review": "Fine."}', '--model', model, '--gpu', 'off', '--strategy', 'self-consistency',
        '--samples', '6', '--seed', '7', '--weighted', '--json', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.weighting, 'probability');
    const expected: Record<string, number> = {};
    for (const path of json.paths as { answer: string | null; meanLogprob: number }[]) {
        assert.notEqual(path.answer, null, 'the grammar makes every answer a label');
        expected[path.answer!] = (expected[path.answer!] ?? 0) + Math.exp(path.meanLogprob);
    }
    assert.deepEqual(Object.keys(json.weights).sort(), Object.keys(expected).sort());
    for (const [answer, weight] of Object.entries(expected)) assert.ok(Math.abs(json.weights[answer] - weight) < 1e-9, `${answer}: ${json.weights[answer]} vs ${weight}`);
    const best = Math.max(...Object.values(expected));
    assert.ok(Math.abs(expected[json.answer]! - best) < 1e-9, 'the heaviest answer wins');
    const [line] = historyLines(out);
    assert.equal(line!.weighting, 'probability');
    assert.deepEqual(line!.weights, json.weights);

    const text = runCli(['run', 'review.prompt', '--input', '{"review": "Fine."}', '--model', model, '--gpu', 'off', '--strategy', 'self-consistency',
        '--samples', '3', '--seed', '7', '--weighted', '--out', out]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /weighted by path probability: /);
});

test('--weighted outside self-consistency is a usage error', () => {
    const run = runCli(['run', '--text', 'x', '--weighted']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--weighted applies to --strategy self-consistency/);
});
