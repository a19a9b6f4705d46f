// The trained fixtures committed under fixtures/trained/ (made by `promptscope train-fixture`, never retrained in CI):
// each file is the one its manifest entry describes (bytes, recipe, corpus), and still scores the held-out figures
// recorded there when its experiment runs again through `promptscope experiments --json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arithmeticProblems } from '../../src/core/training/arithmeticProblems';
import { plainValue, readGgufHeader } from '../../src/core/gguf';
import { repoRoot, runCli } from '../support/runCli';

interface ManifestEntry {
    file: string;
    sha256: string;
    command: string;
    seed: number;
    corpusSha256: string;
    /** The experiment re-run on it, and the correct answers per method it recorded. */
    heldOut: { experiment: string; problems: number; seed: number; correct: Record<string, number> };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'fixtures', 'trained', 'manifest.json'), 'utf8')) as { models: ManifestEntry[] };

/**
 * Float rounding differs between CPUs (SIMD widths, thread splits, kernels chosen by batch size): a close call may go
 * the other way on another machine, and one early token changes the rest of a greedy reply. The arithmetic model is
 * trained to be imperfect (greedy worked answers right about two times in three), so close calls are common: 10%
 * (6 of 60) allows for them; a model that no longer knows its task is off by tens.
 */
const tolerance = (problems: number) => Math.max(3, Math.round(problems * 0.1));

interface ExperimentFigures {
    methods?: { id: string; accuracy: { correct: number } }[];
    conditions?: { id: string; accuracy: { correct: number } }[];
    /** The arithmetic experiment's self-consistency curve: the majority vote of the first N paths. */
    selfConsistency?: { paths: number; majority: { right: number } }[];
}

/** Correct answers per method, condition and self-consistency vote (`selfConsistency8`: the majority of 8 paths). */
function correctCounts(figures: ExperimentFigures): Record<string, number> {
    return Object.fromEntries([
        ...[...figures.methods ?? [], ...figures.conditions ?? []].map(m => [m.id, m.accuracy.correct] as const),
        ...(figures.selfConsistency ?? []).map(c => [`selfConsistency${c.paths}`, c.majority.right] as const),
    ]);
}

for (const entry of manifest.models) {
    test(`${entry.file}: the bytes and recipe its manifest entry records`, async () => {
        const path = join(repoRoot, entry.file);
        assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), entry.sha256, `${entry.file} changed: retrain it or update the manifest`);
        const header = await readGgufHeader(path);
        const value = (key: string) => plainValue(header.metadata.get(key)!);
        assert.equal(value('promptscope.training.command'), entry.command);
        assert.equal(value('promptscope.training.seed'), entry.seed);
        assert.equal(value('promptscope.training.corpus_sha256'), entry.corpusSha256);
    });

    test(`${entry.file}: still scores its recorded held-out figures (${entry.heldOut.experiment}, ${entry.heldOut.problems} problems)`, async () => {
        const { experiment, problems, seed, correct } = entry.heldOut;
        const run = await runCli(['experiments', '--only', experiment, '--problems', String(problems), '--seed', String(seed), '--threads', '2', '--json']);
        assert.equal(run.code, 0, run.stderr);
        const figures = (JSON.parse(run.stdout) as { experiments: { id: string; figures: ExperimentFigures }[] }).experiments[0]!.figures;
        const measured = correctCounts(figures);
        for (const [method, recorded] of Object.entries(correct)) {
            assert.ok(measured[method] !== undefined, `${experiment} reports no ${method}`);
            assert.ok(Math.abs(measured[method]! - recorded) <= tolerance(problems), `${method}: ${measured[method]} right, ${recorded} recorded`);
        }
    });
}

// Program-aided reasoning on a model that writes programs (issue 21): the trained arithmetic model writes
// `print(a±b);`, QuickJS runs it, and the printed number is the answer: held-out problems come out right.
test('program-aided arithmetic on the trained model: its programs run in the sandbox and compute held-out answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-program-aided-'));
    try {
        const dataset = join(dir, 'held-out.jsonl');
        writeFileSync(dataset, arithmeticProblems(5, 20, true).map(p => JSON.stringify({ question: p.question, expected: String(p.answer) })).join('\n') + '\n');
        const run = await runCli(['eval', 'examples/arithmetic-direct.prompt', '--dataset', dataset, '--strategy', 'program-aided',
            '--model', join(repoRoot, 'fixtures', 'trained', 'arithmetic.gguf'), '--temperature', '0', '--threads', '2', '--no-history', '--json']);
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout) as { correct: number; n: number; results: { trace: { roots: { kind: string; text: string; children: { text: string }[] }[] } }[] };
        assert.equal(result.n, 20);
        assert.ok(result.correct >= 18, `${result.correct}/20 right`);
        const text = JSON.stringify(result.results[0]!.trace);
        assert.match(text, /print\(\d+[+-]\d+\);/, 'the trace holds the program');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
