// The reasoning trace in --json on the real runtime: `run` with self-ask chains and tree-of-thought searches voted
// (--samples), and every `eval` result: one `trace` shape (src/shared/reasoningTrace.ts) whose roots are the chains and
// searches the outcome holds, with their follow-ups and thoughts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReasoningTrace, TraceNode } from '../../src/shared/reasoningTrace';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

const count = (nodes: readonly TraceNode[], kind: TraceNode['kind']): number => nodes.reduce((n, node) => n + (node.kind === kind ? 1 : 0) + count(node.children, kind), 0);

test('run --strategy self-ask --samples 2: two chains voted, each a root of the trace with its follow-ups', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-trace-'));
    const prompt = join(dir, 'ask.prompt');
    // The fixture's random text seldom contains a marker, so the follow-up marker is a letter it writes often.
    writeFileSync(prompt, '---\nconfig:\n  maxOutputTokens: 10\npromptscope.strategy: self-ask\npromptscope.selfAsk:\n  followUp: "e"\n  maxFollowUps: 1\n---\nWhat is (3 + 4) × 2?\n');
    const run = await runCli(['run', prompt, '--samples', '2', '--model', model, '--gpu', 'off', '--seed', '4', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { chains: { followUps: unknown[]; answer: string | null; seed: number }[]; votes: Record<string, number>; unmapped: number; answer: string | null; trace: ReasoningTrace };
    assert.equal(json.chains.length, 2);
    assert.notEqual(json.chains[0]!.seed, json.chains[1]!.seed);
    assert.equal(Object.values(json.votes).reduce((a, b) => a + b, 0) + json.unmapped, 2);
    assert.equal(json.trace.strategy, 'self-ask');
    assert.equal(json.trace.answer, json.answer);
    assert.deepEqual(json.trace.vote?.votes, json.votes);
    assert.deepEqual(json.trace.roots.map(r => [r.kind, r.answer, r.seed, count(r.children, 'followUp')]), json.chains.map(c => ['chain', c.answer, c.seed, c.followUps.length]));
    const text = await runCli(['run', prompt, '--samples', '2', '--model', model, '--gpu', 'off', '--seed', '4', '--no-history']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Chain 1: \d follow-ups? → .*\[seed \d+\]$/m);
    assert.match(text.stdout, /^votes: .*agreement \d+% of 2 chains$/m);
});

test('run --strategy tree-of-thought --samples 2 and eval --json: searches and rows with their traces', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-trace-'));
    const prompt = join(dir, 'sum.prompt');
    writeFileSync(prompt, '---\nconfig:\n  maxOutputTokens: 8\npromptscope.strategy: tree-of-thought\npromptscope.tot:\n  thoughts: 2\n  beamWidth: 1\n  maxDepth: 2\n---\nWhat is {{a}} + 30?\n');
    const run = await runCli(['run', prompt, '--input', '{"a": 12}', '--samples', '2', '--weighted', '--model', model, '--gpu', 'off', '--seed', '2', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { searches: { tree: { steps: { kept: boolean }[][]; bestValue: number } }[]; weighting: string; trace: ReasoningTrace };
    assert.equal(json.searches.length, 2);
    assert.equal(json.weighting, 'probability');
    assert.deepEqual(json.trace.roots.map(r => r.kind), ['search', 'search']);
    json.searches.forEach((search, i) => {
        const root = json.trace.roots[i]!;
        assert.equal(count(root.children, 'thought'), search.tree.steps.flat().length, 'every candidate thought is in the trace');
        const thoughts: TraceNode[] = [];
        const walk = (nodes: readonly TraceNode[]) => nodes.forEach(n => { if (n.kind === 'thought') thoughts.push(n); walk(n.children); });
        walk(root.children);
        assert.equal(thoughts.filter(t => t.status === 'pruned').length, search.tree.steps.flat().filter(n => !n.kept).length);
        assert.ok(thoughts.every(t => t.value! >= 0 && t.value! <= 1));
    });

    const dataset = join(dir, 'rows.jsonl');
    writeFileSync(dataset, '{"a": 1, "expected": "31"}\n{"a": 2, "expected": "32"}\n');
    const evaluation = await runCli(['eval', prompt, '--dataset', dataset, '--model', model, '--gpu', 'off', '--seed', '3', '--no-history', '--json']);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    const results = (JSON.parse(evaluation.stdout) as { results: { answer: string | null; trace: ReasoningTrace }[] }).results;
    assert.equal(results.length, 2);
    for (const result of results) {
        assert.equal(result.trace.strategy, 'tree-of-thought');
        assert.equal(result.trace.answer, result.answer);
        assert.deepEqual(result.trace.roots.map(r => r.kind), ['search']);
    }
});
