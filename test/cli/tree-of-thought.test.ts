// `run --strategy tree-of-thought` on the real runtime (thoughts through chatMany, values through scoreContinuations):
// the search's shape follows promptscope.tot, every value is a probability-weighted label value in [0, 1].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

test('tree-of-thought: steps, candidates per kept state, beam and values in --json', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-tot-'));
    const prompt = join(dir, 'sum.prompt');
    writeFileSync(prompt, '---\nconfig:\n  maxOutputTokens: 12\npromptscope.strategy: tree-of-thought\npromptscope.tot:\n  thoughts: 3\n  beamWidth: 2\n  maxDepth: 2\n---\nWhat is 12 + 30 + 5?\n');
    const run = await runCli(['run', prompt, '--model', model, '--gpu', 'off', '--seed', '2', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { strategy: string; tree: { steps: { parent: number; value: number; kept: boolean; thought: string }[][]; best: string[] } };
    assert.equal(json.strategy, 'tree-of-thought');
    assert.ok(json.tree.steps.length >= 1 && json.tree.steps.length <= 2);
    for (const step of json.tree.steps) {
        assert.ok(step.length <= 2 * 3, 'at most thoughts × beam candidates');
        assert.ok(step.filter(n => n.kept).length <= 2);
        for (const node of step) assert.ok(node.value >= 0 && node.value <= 1 && node.thought !== '');
        // Kept ones are the best valued.
        const kept = step.filter(n => n.kept).map(n => n.value);
        const pruned = step.filter(n => !n.kept).map(n => n.value);
        if (kept.length > 0 && pruned.length > 0) assert.ok(Math.min(...kept) >= Math.max(...pruned));
    }
    assert.equal(json.tree.best.length, json.tree.steps.length);
    const text = await runCli(['run', prompt, '--model', model, '--gpu', 'off', '--seed', '2', '--no-history']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /── step 1\n {2}(kept {2}|pruned) \d\.\d{3} {2}\(from 1\) /);
});

test('tree-of-thought depth-first on the real runtime: visit order, pruning below the threshold, the expansion bound', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-tot-dfs-'));
    const prompt = join(dir, 'sum.prompt');
    const pruneBelow = 0.3;
    writeFileSync(prompt, `---\nconfig:\n  maxOutputTokens: 12\npromptscope.strategy: tree-of-thought\npromptscope.tot:\n  thoughts: 3\n  beamWidth: 2\n  maxDepth: 3\n  search: depth\n  pruneBelow: ${pruneBelow}\n---\nWhat is 12 + 30 + 5?\n`);
    const run = await runCli(['run', prompt, '--model', model, '--gpu', 'off', '--seed', '2', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
        strategy: string;
        tree: { search: string; expansions: number; best: string[]; steps: { parent: number; value: number; kept: boolean; visit?: number; unexplored?: boolean; thought: string }[][] };
    };
    assert.equal(json.tree.search, 'depth');
    assert.ok(json.tree.expansions >= 1 && json.tree.expansions <= 2 * 3, `${json.tree.expansions} expansions`);
    const nodes = json.tree.steps.flat();
    assert.ok(nodes.length <= json.tree.expansions * 3, 'at most thoughts a expansion');
    for (const node of nodes) {
        assert.ok(node.value >= 0 && node.value <= 1 && node.thought !== '');
        // Visited or left unexplored only at or above the threshold; pruned ones below it.
        if (node.kept || node.unexplored) assert.ok(node.value >= pruneBelow, `${node.value} visited`);
        else assert.ok(node.value < pruneBelow, `${node.value} pruned`);
    }
    const visits = nodes.filter(n => n.kept).map(n => n.visit!).sort((a, b) => a - b);
    assert.deepEqual(visits, visits.map((_, i) => i + 1), 'each visited state has its own place in the visit order');
    assert.ok(json.tree.best.length <= 3);
});

test('self-ask on the real runtime: the turns and follow-ups in --json, bounded by maxFollowUps', async () => {
    const model = await fixtureModelPath();
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-self-ask-'));
    const prompt = join(dir, 'ask.prompt');
    // The fixture's random text seldom contains a marker, so the markers are tokens it writes often: follow-ups happen.
    writeFileSync(prompt, '---\nconfig:\n  maxOutputTokens: 12\n  temperature: 1\npromptscope.strategy: self-ask\npromptscope.selfAsk:\n  followUp: "e"\n  maxFollowUps: 2\n---\nWho was president when the inventor of the telephone was born?\n');
    const run = await runCli(['run', prompt, '--model', model, '--gpu', 'off', '--seed', '4', '--no-history', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { strategy: string; followUps: { question: string; answer: string }[]; timing: { generatedTokens: number } };
    assert.equal(json.strategy, 'self-ask');
    assert.ok(json.followUps.length <= 2);
    assert.ok(json.timing.generatedTokens > 0);
});
