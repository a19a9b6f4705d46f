// `promptscope decode`: greedy, beam search and sampling from the command line, their figures and their flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

interface TreeNode { parent: number; token: number; group?: number; penalty?: number }

interface Decoded {
    method: string;
    results: { text: string; tokens: number[]; tokenLogprobs: number[]; logprob: number; perplexity: number; score?: number; finished?: boolean }[];
    steps?: { step: number; kept: TreeNode[]; pruned: TreeNode[] }[];
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
    assert.ok(beam.steps![0]!.kept.every(n => n.parent === -1), 'step 1 hangs under the prompt');
    // Diverse beam search: 2 groups of 2 beams; with a large λ the groups' first tokens differ, and the tree names groups.
    const diverse = await decode('--method', 'beam', '--beams', '4', '--beam-groups', '2', '--diversity', '50', '--n-best', '4');
    const [first, second] = [0, 1].map(g => diverse.steps![0]!.kept.filter(n => n.group === g).map(n => n.token));
    assert.equal(first!.length + second!.length, 4);
    assert.ok(first!.every(t => !second!.includes(t)), `group 1 ${first} and group 2 ${second} share a first token`);
    // Group 2 ranked group 1's first tokens 50 lower: they are among its pruned extensions, carrying the penalty.
    assert.ok(diverse.steps![0]!.pruned.some(n => n.group === 1 && n.penalty === 50 && first!.includes(n.token)), 'the penalty on group 1\'s tokens');
    const tree = await runCli(['decode', '--text', 'The quick brown fox', '--model', model, '--gpu', 'off', '--max-tokens', '2',
        '--method', 'beam', '--beams', '4', '--beam-groups', '2', '--diversity', '1', '--tree']);
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /step 1: kept g1:prompt→\d+ \(-[\d.]+\)/);
});

test('flags are checked before the model loads', async () => {
    const cases: [string[], RegExp][] = [
        [['--method', 'nucleus'], /--method must be one of greedy, beam, sample/],
        [['--method', 'beam', '--beams', '0'], /--beams must be a whole number from 1 to 32, got 0/],
        [['--method', 'greedy', '--beams', '3'], /--beams is for --method beam/],
        [['--method', 'beam', '--length-penalty', '-1'], /--length-penalty must be a number ≥ 0/],
        [['--method', 'beam', '--beams', '4', '--beam-groups', '3'], /--beam-groups must be a whole number ≥ 1 that divides --beams \(4\), got 3/],
        [['--method', 'beam', '--diversity', '-0.5'], /--diversity must be a number ≥ 0, got -0.5/],
        [['--method', 'greedy', '--diversity', '1'], /--diversity is for --method beam/],
        [['--method', 'sample', '--beam-groups', '2'], /--beam-groups is for --method beam/],
    ];
    for (const [args, message] of cases) {
        const run = await runCli(['decode', '--text', 'Hi', '--model', 'missing.gguf', ...args]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
    }
});

test('--rerank: candidates scored by a second prompt\'s label probability, ranked, the best picked; scores equal `score` on the same text', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-rerank-'));
    const scorer = join(dir, 'polite.prompt');
    writeFileSync(scorer, `---
promptscope.answer.labels:
  yes: [Yes]
  no: [No]
input:
  schema:
    candidate: string
    prompt: string
---
Question: {{prompt}}
Answer: {{candidate}}
Is this answer polite? Answer Yes or No.
`);
    const run = await runCli(['decode', '--text', 'The quick brown fox', '--model', model, '--gpu', 'off', '--max-tokens', '4', '--json',
        '--method', 'sample', '--seed', '5', '--temperature', '1.2', '--rerank', scorer, '--candidates', '4']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Decoded & { rerank: { label: string; pick: number; candidates: { index: number; text: string; score: number; logprob: number }[] } };
    assert.equal(result.results.length, 4);
    assert.equal(result.rerank.label, 'yes');
    const ranked = result.rerank.candidates;
    assert.deepEqual(ranked.map(c => c.index).sort(), [0, 1, 2, 3]);
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.score >= ranked[i]!.score);
    assert.equal(result.rerank.pick, ranked[0]!.index);
    // The pick's score, recomputed by `score` on the scorer rendered with the same candidate.
    const picked = ranked[0]!;
    const again = await runCli(['score', scorer, '--model', model, '--gpu', 'off', '--json', '--input', JSON.stringify({ candidate: picked.text, prompt: 'The quick brown fox' })]);
    assert.equal(again.code, 0, again.stderr);
    const yes = (JSON.parse(again.stdout) as { labels: { label: string; probability: number }[] }).labels.find(l => l.label === 'yes')!;
    assert.ok(Math.abs(yes.probability - picked.score) < 1e-9, `${yes.probability} vs ${picked.score}`);

    const beam = await runCli(['decode', '--text', 'The quick brown fox', '--model', model, '--gpu', 'off', '--max-tokens', '3', '--json',
        '--method', 'beam', '--beams', '3', '--rerank', scorer, '--rerank-label', 'no', '--candidates', '5']);
    assert.equal(beam.code, 0, beam.stderr);
    const beamResult = JSON.parse(beam.stdout) as { results: unknown[]; rerank: { label: string; candidates: unknown[] } };
    assert.equal(beamResult.results.length, 5);
    assert.equal(beamResult.rerank.label, 'no');

    const text = await runCli(['decode', '--text', 'The quick brown fox', '--model', model, '--gpu', 'off', '--max-tokens', '3', '--method', 'sample', '--rerank', scorer, '--candidates', '2']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^→ #\d P\(yes\) [\d.]+, log P -?[\d.]+ {2}".*"\n {2}#\d P\(yes\)/);
    assert.match(text.stdout, /picked #\d\nsample, 2 candidates reranked/);

    for (const [args, message] of [
        [['--rerank', scorer], /--rerank needs candidates: use --method sample or --method beam/],
        [['--method', 'sample', '--rerank', scorer, '--candidates', '1'], /--candidates must be a whole number from 2 to 32, got 1/],
        [['--method', 'sample', '--rerank', scorer, '--rerank-label', 'maybe'], /--rerank-label "maybe" is not a label of .*: its labels are yes, no/],
        [['--method', 'sample', '--candidates', '3'], /--candidates goes with --rerank SCORER.prompt/],
    ] as [string[], RegExp][]) {
        const bad = await runCli(['decode', '--text', 'Hi', '--model', 'missing.gguf', ...args]);
        assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
        assert.match(bad.stderr, message);
    }
});
