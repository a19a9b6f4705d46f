// `promptscope run --strategy cot | ensemble` as a user runs it: the built CLI on the fixture model. The fixture's
// text is noise, so grammars in the front matter make every answer a real, votable one.
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

const labelsPrompt = (body: string) => `---
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
${body} {{review}}
`;

before(async () => {
    model = await fixtureModelPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-cot-'));
    writeFileSync(join(dir, 'sum.prompt'), `---
config:
  temperature: 0
  maxOutputTokens: 12
  grammar: 'root ::= " " [1-4] "."'
---
What is 1 + 2?
`);
    writeFileSync(join(dir, 'fewshot.prompt'), `---
promptscope.cot: few-shot
promptscope.answer.marker: The answer is
config:
  temperature: 0
  maxOutputTokens: 16
  grammar: 'root ::= [a-z ]{1,8} "The answer is " [1-4] "."'
---
Q: Ann has 1 apple and gets 1 more. A: 1 and 1 make 2. The answer is 2.
Q: What is 1 + 2? A:
`);
    writeFileSync(join(dir, 'review.prompt'), labelsPrompt('Is this review positive or negative?'));
    writeFileSync(join(dir, 'review.terse.prompt'), labelsPrompt('Sentiment:'));
    writeFileSync(join(dir, 'review.polite.prompt'), labelsPrompt('Please classify the review.'));
});

test('cot keeps the reasoning and the answer apart; the grammar shapes the answer turn only; the run is in the history', () => {
    const out = join(dir, 'history.jsonl');
    const run = runCli(['run', 'sum.prompt', '--model', model, '--gpu', 'off', '--strategy', 'cot', '--seed', '3', '--json', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.strategy, 'cot');
    assert.equal(typeof result.reasoning, 'string');
    assert.match(result.output, /^[1-4]\.$/);
    assert.match(result.answer, /^[1-4]$/);
    assert.equal(result.answer, result.output.slice(0, 1));
    const lines = readFileSync(out, 'utf8').trim().split('\n').map(line => JSON.parse(line));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].strategy, 'cot');
    assert.equal(lines[0].messages.length, 2);
    assert.match(lines[0].messages[0].at(-1).text, /Let's think step by step\.$/);
    assert.match(lines[0].messages[1].at(-1).text, /Therefore, the answer is$/);
    assert.match(lines[0].model.hash, /^sha256-edges:[0-9a-f]{64}$/);
    assert.equal(lines[0].answer, result.answer);

    const text = runCli(['run', 'sum.prompt', '--model', model, '--gpu', 'off', '--strategy', 'cot', '--seed', '3', '--out', out]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /── reasoning\n[\s\S]*── answer\n[1-4]\.\nanswer: [1-4]\n/);
});

test('few-shot cot adds no trigger and splits the output at the answer marker', () => {
    const run = runCli(['run', 'fewshot.prompt', '--model', model, '--gpu', 'off', '--strategy', 'cot', '--json', '--out', join(dir, 'h2.jsonl')]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.match(result.output, /^The answer is [1-4]\.$/);
    assert.equal(result.answer, result.output.slice(14, 15));
    const line = JSON.parse(readFileSync(join(dir, 'h2.jsonl'), 'utf8').trim());
    assert.equal(line.messages.length, 1);
    assert.doesNotMatch(JSON.stringify(line.messages), /think step by step/);
});

test('ensemble runs the NAME.*.prompt siblings on the same input and votes over mapped labels', () => {
    const run = runCli(['run', 'review.prompt', '--input', '{"review": "Loved it"}', '--model', model, '--gpu', 'off', '--strategy', 'ensemble', '--seed', '9', '--json', '--out', join(dir, 'h3.jsonl')]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.deepEqual(result.variants.map((v: { file: string }) => v.file), ['review.prompt', 'review.polite.prompt', 'review.terse.prompt'].map(f => join(dir, f)));
    for (const variant of result.variants) {
        assert.match(variant.text, /^(good|bad|fine)$/);
        assert.equal(variant.answer, variant.text === 'bad' ? 'negative' : 'positive');
    }
    const counts: Record<string, number> = {};
    for (const v of result.variants) counts[v.answer] = (counts[v.answer] ?? 0) + 1;
    assert.deepEqual(result.votes, counts);
    const top = Math.max(...Object.values(counts));
    assert.equal(result.votes[result.answer], top);
    assert.equal(result.agreement, top / 3);

    const listed = runCli(['run', 'review.prompt', '--input', '{"review": "Meh"}', '--model', model, '--gpu', 'off', '--strategy', 'ensemble', '--variants', 'review.terse.prompt', '--json', '--out', join(dir, 'h3.jsonl')]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).variants.map((v: { file: string }) => v.file), [join(dir, 'review.prompt'), join(dir, 'review.terse.prompt')]);
});

test('an ensemble without variants is a clear usage error', () => {
    const run = runCli(['run', 'sum.prompt', '--model', model, '--strategy', 'ensemble']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /an ensemble needs prompt variants/);
});
