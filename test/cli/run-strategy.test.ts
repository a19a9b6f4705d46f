// `promptscope run --strategy self-consistency` as a user runs it: the built CLI in a child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';

const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');
let model: string;

function runCli(args: string[]) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
    model = await fixtureModelPath();
});

test('self-consistency prints the vote as JSON, reproducibly with a seed', () => {
    const args = ['run', '--text', 'What is 1 + 2?', '--model', model, '--gpu', 'off', '--strategy', 'self-consistency', '--samples', '3', '--seed', '5', '--max-tokens', '8', '--json'];
    const run = runCli(args);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.strategy, 'self-consistency');
    assert.equal(out.samples, 3);
    assert.equal(out.temperature, 0.7);
    assert.equal(out.paths.length, 3);
    assert.equal(out.paths[0].seed, 5);
    const voted = Object.values(out.votes as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(voted + out.unmapped, 3);
    // Same texts and answers; log-probs only to float noise (llama.cpp's threads may sum in another order).
    const pick = (paths: { text: string; answer: string | null; seed: number }[]) => paths.map(p => [p.text, p.answer, p.seed]);
    assert.deepEqual(pick(JSON.parse(runCli(args).stdout).paths), pick(out.paths));
});

test('unknown strategies and misplaced --samples are usage errors', () => {
    const bad = runCli(['run', '--text', 'x', '--strategy', 'magic']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--strategy must be one of direct, cot, self-consistency, ensemble/);
    const samples = runCli(['run', '--text', 'x', '--samples', '3']);
    assert.notEqual(samples.code, 0);
    assert.match(samples.stderr, /--samples applies to --strategy self-consistency, program-aided, self-ask, tree-of-thought/);
});
