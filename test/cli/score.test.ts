// `promptscope score` as a user runs it: label scoring on the fixture model through the built CLI.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

interface Scored { label: string; logprob: number; probability: number; uncalibrated?: number }

before(async () => {
    model = await fixtureModelPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-score-'));
    writeFileSync(join(dir, 'sentiment.prompt'), `---
promptscope.answer.labels:
  positive: [good]
  negative: [bad]
input:
  schema:
    review: string
---
Review: {{review}}
Is the review positive or negative?
`);
});

test('labels from the front matter: forms combined by log-sum-exp, probabilities a softmax over labels', () => {
    const input = ['--input', '{"review": "A delight from start to finish."}'];
    const run = runCli(['score', 'sentiment.prompt', ...input, '--model', model, '--gpu', 'off', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const labels = JSON.parse(run.stdout).labels as Scored[];
    assert.deepEqual(labels.map(l => l.label), ['positive', 'negative']);
    assert.ok(Math.abs(labels[0]!.probability + labels[1]!.probability - 1) < 1e-9);

    const forms = runCli(['score', 'sentiment.prompt', ...input, '--labels', 'positive,good,negative,bad', '--model', model, '--gpu', 'off', '--json']);
    assert.equal(forms.code, 0, forms.stderr);
    const single = Object.fromEntries((JSON.parse(forms.stdout).labels as Scored[]).map(l => [l.label, l.logprob]));
    const lse = (a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    assert.ok(Math.abs(labels[0]!.logprob - lse(single.positive!, single.good!)) < 1e-6);
    assert.ok(Math.abs(labels[1]!.logprob - lse(single.negative!, single.bad!)) < 1e-6);
    assert.ok(Math.abs(labels[0]!.probability - Math.exp(labels[0]!.logprob) / (Math.exp(labels[0]!.logprob) + Math.exp(labels[1]!.logprob))) < 1e-9);

    const calibrated = runCli(['score', 'sentiment.prompt', ...input, '--calibrate', '--model', model, '--gpu', 'off', '--json']);
    assert.equal(calibrated.code, 0, calibrated.stderr);
    const c = JSON.parse(calibrated.stdout);
    assert.equal(c.calibrated, true);
    const cl = c.labels as Scored[];
    assert.ok(Math.abs(cl[0]!.probability + cl[1]!.probability - 1) < 1e-9);
    assert.ok(Math.abs(cl[0]!.uncalibrated! - labels[0]!.probability) < 1e-6);

    const text = runCli(['score', 'sentiment.prompt', ...input, '--model', model, '--gpu', 'off']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^label\s+logprob\s+probability\n(positive|negative)\s+-\d/);
});

test('no labels is a clear usage error', () => {
    writeFileSync(join(dir, 'plain.prompt'), 'Hello\n');
    const run = runCli(['score', 'plain.prompt', '--model', model]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no labels: pass --labels/);
});
