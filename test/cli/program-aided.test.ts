// `run --strategy program-aided` on the real runtime: the fixture's random reply is a program that cannot run, which
// is recorded as a failure and an unmapped answer, never a crash; eval runs the strategy on every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

test('run and eval with program-aided: programs, their failures and the vote in --json', async () => {
    const model = await fixtureModelPath();
    const run = await runCli(['run', '--model', model, '--gpu', 'off', '--text', 'What is 2 + 3?', '--strategy', 'program-aided', '--max-tokens', '24',
        '--seed', '3', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { strategy: string; answer: string | null; programs: { code: string; printed: string[]; failure?: { kind: string; message: string } }[] };
    assert.equal(json.strategy, 'program-aided');
    assert.equal(json.programs.length, 1);
    const program = json.programs[0]!;
    // Random text is not JavaScript (or prints nothing a number could be read from): no answer, and the reason kept.
    if (program.failure) assert.match(program.failure.kind, /^(exception|timeout|resources|output)$/);
    if (program.failure) assert.equal(json.answer, null);

    const voted = await runCli(['run', '--model', model, '--gpu', 'off', '--text', 'What is 2 + 3?', '--strategy', 'program-aided', '--samples', '3',
        '--max-tokens', '16', '--seed', '3', '--no-history', '--json']);
    assert.equal(voted.code, 0, voted.stderr);
    const votedJson = JSON.parse(voted.stdout) as { programs: unknown[]; votes: Record<string, number>; unmapped: number };
    assert.equal(votedJson.programs.length, 3);
    assert.equal(Object.values(votedJson.votes).reduce((a, b) => a + b, 0) + votedJson.unmapped, 3);

    const dir = mkdtempSync(join(tmpdir(), 'promptscope-pal-'));
    writeFileSync(join(dir, 'sum.prompt'), '---\nconfig:\n  maxOutputTokens: 16\n  temperature: 0\ninput:\n  schema:\n    q: string\n---\n{{q}}\n');
    writeFileSync(join(dir, 'sums.jsonl'), '{"q": "What is 2 + 3?", "expected": "5"}\n{"q": "What is 4 + 4?", "expected": "8"}\n');
    const evaluated = await runCli(['eval', join(dir, 'sum.prompt'), '--dataset', join(dir, 'sums.jsonl'), '--strategy', 'program-aided', '--model', model, '--gpu', 'off', '--no-history', '--json']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.equal((JSON.parse(evaluated.stdout) as { n: number }).n, 2);
});
