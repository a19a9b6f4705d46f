// `promptscope run --draft-model / --lookup`: the plain run's output with the speculation figures, and the flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpeculativeStats } from '../../src/shared/runtimeApi';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

test('run --draft-model and --lookup print the plain run\'s output and what speculation did', async () => {
    const model = await fixtureModelPath();
    const base = ['run', '--model', model, '--gpu', 'off', '--text', 'The river ran past the old mill', '--raw', '--temperature', '0', '--repeat-penalty', '1', '--max-tokens', '40', '--json'];
    const plain = await runCli(base);
    assert.equal(plain.code, 0, plain.stderr);
    const plainOutput = (JSON.parse(plain.stdout) as { output: string }).output;
    for (const flags of [['--draft-model', model, '--draft-min-p', '0'], ['--lookup', '--draft-max', '4']]) {
        const run = await runCli([...base, ...flags]);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as { output: string; speculative: SpeculativeStats };
        assert.equal(json.output, plainOutput, flags.join(' '));
        assert.equal(json.speculative.tokenSources.length, 40);
        assert.equal(json.speculative.method, flags[0] === '--lookup' ? 'lookup' : 'draft-model');
    }
    const text = await runCli([...base.filter(arg => arg !== '--json'), '--draft-model', model, '--draft-min-p', '0']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /speculative \(draft .*\): (\d+) of \1 drafted tokens accepted \(100\.0% accepted\) in \d+ rounds; drafting \d+ ms, verifying \d+ ms/);
});

test('speculative flags are checked before the model loads', async () => {
    const cases: [string[], RegExp][] = [
        [['--draft-model', 'a.gguf', '--lookup'], /give either --draft-model or --lookup, not both/],
        [['--draft-max', '4'], /--draft-max and --draft-min-p go with --draft-model or --lookup/],
        [['--lookup', '--draft-max', '0'], /--draft-max must be a whole number from 1 to 64, got 0/],
        [['--draft-model', 'a.gguf', '--draft-min-p', '2'], /--draft-min-p must be a number from 0 to 1, got 2/],
        [['--lookup', '--draft-min-p', '0.5'], /--draft-min-p is for --draft-model, not --lookup/],
        [['--lookup', '--strategy', 'self-consistency'], /apply to one generation \(--strategy direct\), not to self-consistency/],
    ];
    for (const [flags, message] of cases) {
        const run = await runCli(['run', '--model', 'missing.gguf', '--text', 'Hi', ...flags]);
        assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
    }
});
