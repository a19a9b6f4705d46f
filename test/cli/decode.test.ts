// `promptscope decode`: greedy, beam search and sampling from the command line, their figures and their flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

interface Decoded {
    method: string;
    results: { text: string; tokens: number[]; tokenLogprobs: number[]; logprob: number; perplexity: number; score?: number; finished?: boolean }[];
    steps?: { step: number; kept: unknown[]; pruned: unknown[] }[];
}

test('greedy, beam and sample: sequence log-probability and perplexity from the tokens\' raw log-probabilities', async () => {
    const model = await fixtureModelPath();
    const decode = async (...args: string[]) => {
        const run = await runCli(['decode', '--text', 'The quick brown fox', '--model', model, '--gpu', 'off', '--max-tokens', '5', '--json', ...args]);
        assert.equal(run.code, 0, run.stderr);
        return JSON.parse(run.stdout) as Decoded;
    };
    const greedy = await decode('--method', 'greedy');
    const beam = await decode('--method', 'beam', '--beams', '3', '--n-best', '2');
    const sample = await decode('--method', 'sample', '--seed', '3', '--temperature', '1.2');
    for (const result of [...greedy.results, ...beam.results, ...sample.results]) {
        assert.ok(Math.abs(result.logprob - result.tokenLogprobs.reduce((a, b) => a + b, 0)) < 1e-9);
        assert.ok(Math.abs(result.perplexity - Math.exp(-result.logprob / result.tokens.length)) < 1e-9);
    }
    assert.equal(beam.results.length, 2);
    assert.equal(beam.steps!.length, 5);
    assert.ok(beam.results[0]!.score! >= beam.results[1]!.score!);
    // A beam of 3 finds a sequence at least as likely as greedy's, of the same length.
    assert.ok(beam.results[0]!.logprob >= greedy.results[0]!.logprob - 1e-6, `${beam.results[0]!.logprob} < ${greedy.results[0]!.logprob}`);
    assert.notDeepEqual(sample.results[0]!.tokens, greedy.results[0]!.tokens);
});

test('flags are checked before the model loads', async () => {
    const cases: [string[], RegExp][] = [
        [['--method', 'nucleus'], /--method must be one of greedy, beam, sample/],
        [['--method', 'beam', '--beams', '0'], /--beams must be a whole number from 1 to 32, got 0/],
        [['--method', 'greedy', '--beams', '3'], /--beams is for --method beam/],
        [['--method', 'beam', '--length-penalty', '-1'], /--length-penalty must be a number ≥ 0/],
    ];
    for (const [args, message] of cases) {
        const run = await runCli(['decode', '--text', 'Hi', '--model', 'missing.gguf', ...args]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
    }
});
