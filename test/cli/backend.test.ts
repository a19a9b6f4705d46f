// `promptscope run/eval/score/probs --backend URL` as a user runs them: the built CLI against llama.cpp's own
// llama-server on the tiny fixture (two servers for round-robin, one with an API key), beside the same commands on
// the embedded runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';
import { freePort, startLlamaServer, type LlamaServer } from '../support/llamaServer';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let model: string;
let dir: string;
let first: LlamaServer;
let second: LlamaServer;
let keyed: LlamaServer;

function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, [cli, ...args], {
        cwd: dir, env: { ...process.env, PROMPTSCOPE_MODEL: '', PROMPTSCOPE_BACKEND_API_KEY: '', ...env }, encoding: 'utf8', timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
    model = await fixtureModelPath();
    first = await startLlamaServer(model, { parallel: 2 });
    second = await startLlamaServer(model, { parallel: 2 });
    keyed = await startLlamaServer(model, { parallel: 1, extraArgs: ['--api-key', 'sesame'] });
    dir = mkdtempSync(join(tmpdir(), 'promptscope-backend-'));
    writeFileSync(join(dir, 'story.prompt'), `---
config:
  temperature: 0
  maxOutputTokens: 12
promptscope.backend: ${first.url}
---
Tell me a story about {{animal}}
`);
    writeFileSync(join(dir, 'sum.prompt'), `---
config:
  maxOutputTokens: 8
promptscope.answer.labels:
  even: [" Air", even]
  odd: [" Yellow", odd]
---
Is {{n}} even or odd?
`);
    writeFileSync(join(dir, 'rows.jsonl'), Array.from({ length: 6 }, (_, i) => JSON.stringify({ n: i, expected: i % 2 ? 'odd' : 'even' })).join('\n'));
});

after(async () => {
    await Promise.all([first?.stop(), second?.stop(), keyed?.stop()]);
});

const greedyFlags = ['--temperature', '0', '--repeat-penalty', '1', '--max-tokens', '16'];

test('run --backend URL: the embedded runtime\'s greedy output, streamed the same, and --json names the server', () => {
    const local = runCli(['run', '--text', 'Tell me a story', ...greedyFlags, '--model', model, '--gpu', 'off', '--json', '--no-history']);
    const remote = runCli(['run', '--text', 'Tell me a story', ...greedyFlags, '--backend', first.url, '--json', '--no-history']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(remote.code, 0, remote.stderr);
    const l = JSON.parse(local.stdout);
    const r = JSON.parse(remote.stdout);
    assert.equal(r.output, l.output);
    assert.equal(r.timing.generatedTokens, 16);
    assert.deepEqual({ model: r.model, modelPath: r.modelPath, backend: r.backend, urls: r.server.urls }, { model: 'fixture', modelPath: null, backend: 'openai-compatible', urls: [first.url] });
    const streamed = runCli(['run', '--text', 'Tell me a story', ...greedyFlags, '--backend', first.url, '--no-history', '--raw']);
    const rawJson = JSON.parse(runCli(['run', '--text', 'Tell me a story', ...greedyFlags, '--backend', first.url, '--no-history', '--raw', '--json']).stdout);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(streamed.stdout, `${rawJson.output}\n`);
});

test('a .prompt file\'s promptscope.backend picks the server; --backend embedded overrides it; the history records the server', () => {
    const out = join(dir, 'runs.jsonl');
    const onServer = runCli(['run', 'story.prompt', '--input', '{"animal": "cats"}', '--json', '--out', out]);
    assert.equal(onServer.code, 0, onServer.stderr);
    assert.equal(JSON.parse(onServer.stdout).backend, 'openai-compatible');
    const line = JSON.parse(readFileSync(out, 'utf8').trim().split('\n').at(-1)!);
    assert.deepEqual(line.model, { name: 'fixture', backend: { kind: 'openai-compatible', model: 'fixture', urls: [first.url], server: JSON.parse(onServer.stdout).server.server } });
    const local = runCli(['run', 'story.prompt', '--input', '{"animal": "cats"}', '--backend', 'embedded', '--model', model, '--gpu', 'off', '--json', '--no-history']);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(JSON.parse(local.stdout).modelPath, model);
    assert.equal(JSON.parse(local.stdout).output, JSON.parse(onServer.stdout).output, 'greedy: the same text either way');
});

test('self-consistency over two servers round-robin equals the one-request-at-a-time run', () => {
    const args = ['run', '--text', 'Count to five', '--strategy', 'self-consistency', '--samples', '4', '--seed', '11', '--max-tokens', '8', '--json', '--no-history'];
    const both = runCli([...args, '--backend', `${first.url},${second.url}`]);
    const one = runCli([...args, '--backend', first.url, '--concurrency', '1']);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(one.code, 0, one.stderr);
    const texts = (out: string) => (JSON.parse(out).paths as { text: string; seed: number }[]).map(p => [p.text, p.seed]);
    assert.deepEqual(texts(both.stdout), texts(one.stdout));
    assert.equal(JSON.parse(both.stdout).paths.length, 4);
});

test('eval --backend with 4 rows in flight equals --concurrency 1, row for row; history lines name the server', () => {
    const out = join(dir, 'eval-runs.jsonl');
    const args = ['eval', 'sum.prompt', '--dataset', 'rows.jsonl', '--strategy', 'self-consistency', '--samples', '3', '--seed', '5', '--json'];
    const parallel = runCli([...args, '--backend', `${first.url},${second.url}`, '--out', out]);
    const sequential = runCli([...args, '--backend', first.url, '--concurrency', '1', '--no-history']);
    assert.equal(parallel.code, 0, parallel.stderr);
    assert.equal(sequential.code, 0, sequential.stderr);
    const p = JSON.parse(parallel.stdout);
    const s = JSON.parse(sequential.stdout);
    assert.equal(p.concurrency, 4, 'both servers\' slots');
    assert.equal(s.concurrency, 1);
    assert.deepEqual(p.results, s.results);
    assert.deepEqual([p.accuracy, p.unmapped], [s.accuracy, s.unmapped]);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map(l => JSON.parse(l));
    assert.deepEqual(lines.map(l => l.dataset.row), [0, 1, 2, 3, 4, 5], 'history in row order');
    assert.ok(lines.every(l => l.model.backend.urls.length === 2));
});

test('eval --compare-backend: the same rows on the embedded runtime and on the server, paired; greedy answers agree', () => {
    const ab = runCli(['eval', 'sum.prompt', '--dataset', 'rows.jsonl', '--temperature', '0', '--repeat-penalty', '1', '--model', model, '--gpu', 'off',
        '--compare-backend', first.url, '--json', '--no-history']);
    assert.equal(ab.code, 0, ab.stderr);
    const r = JSON.parse(ab.stdout);
    assert.equal(r.compared.backend, first.url);
    assert.equal(r.compared.model, 'fixture');
    assert.deepEqual(r.compared.results.map((row: { answer: string | null }) => row.answer), r.results.map((row: { answer: string | null }) => row.answer));
    assert.equal(r.compared.paired.onlyBase + r.compared.paired.onlyOther, 0);
    assert.equal(r.compared.paired.n, 6);
    const both = runCli(['eval', 'sum.prompt', '--dataset', 'rows.jsonl', '--compare-backend', 'embedded']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--compare-backend embedded compares a server with the embedded runtime/);
});

test('score --backend: label probabilities, and the labels the server\'s top-k could not reach said to be bounds', () => {
    const remote = runCli(['score', 'sum.prompt', '--input', '{"n": 2}', '--backend', first.url, '--json']);
    assert.equal(remote.code, 0, remote.stderr);
    const r = JSON.parse(remote.stdout);
    assert.equal(r.labels.length, 2);
    assert.ok(Math.abs(r.labels.reduce((sum: number, l: { probability: number }) => sum + l.probability, 0) - 1) < 1e-9);
    // " Air" and " Yellow" are among the 100 most likely first tokens on the fixture, even and odd are not.
    assert.deepEqual(r.bounded.map((b: { text: string }) => b.text), ['even', 'odd']);
    for (const b of r.bounded) assert.match(remote.stderr, new RegExp(`"${b.text}" is not exact: its token ${b.tokenIndex + 1} is below the ${b.listed} alternatives`));
    const local = runCli(['score', 'sum.prompt', '--input', '{"n": 2}', '--model', model, '--gpu', 'off', '--json']);
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(JSON.parse(local.stdout).bounded, []);
});

test('probs --backend: generated tokens with the view marked; prompt tokens refused by name', () => {
    const raw = runCli(['probs', '--text', 'Once upon a time', '--generate', '3', '--temperature', '0', '--backend', first.url, '--json']);
    assert.equal(raw.code, 0, raw.stderr);
    const r = JSON.parse(raw.stdout);
    assert.equal(r.view, 'raw');
    assert.equal(r.logitsSource, 'server');
    assert.equal(r.tokens.length, 3);
    const after = runCli(['probs', '--text', 'Once upon a time', '--generate', '2', '--temperature', '0', '--backend', first.url, '--after-sampler']);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /probabilities server, after its sampler, generated tokens only/);
    const prompt = runCli(['probs', '--text', 'Once upon a time', '--backend', first.url]);
    assert.equal(prompt.code, 1);
    assert.match(prompt.stderr, /probabilities of the prompt's own tokens need the embedded runtime/);
});

test('mistakes and failures: specific messages naming the flag, the URL or the feature', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const cases: [string[], RegExp][] = [
        [['run', '--text', 'hi', '--backend', down], new RegExp(`cannot reach the server at ${down.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`)],
        [['run', '--text', 'hi', '--backend', 'ftp://example.com'], /--backend "ftp:\/\/example\.com" is not an http\(s\) URL/],
        [['run', '--text', 'hi', '--backend', first.url, '--model', model], /--model configures the embedded runtime; the server at .* runs its own model/],
        [['run', '--text', 'hi', '--backend', first.url, '--backend-model', 'llama-70b'], /does not serve a model named "llama-70b"; it serves "fixture"/],
        [['run', '--text', 'hi', '--backend', first.url, '--watermark', 'key=k'], /watermarking needs the embedded runtime/],
        [['run', '--text', 'hi', '--concurrency', '2', '--model', model], /--concurrency applies to a server backend/],
        [['attention', '--text', 'hi', '--backend', first.url], /attention needs the embedded runtime; http:\/\/127\.0\.0\.1:\d+ does not offer it/],
        [['run', '--text', 'hi', '--backend', keyed.url], /answered HTTP 401: Invalid API Key: check the API key \(PROMPTSCOPE_BACKEND_API_KEY\)/],
    ];
    for (const [args, message] of cases) {
        const r = runCli(args);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, message, args.join(' '));
    }
    const withKey = runCli(['run', '--text', 'hi', '--max-tokens', '4', '--backend', keyed.url, '--json', '--no-history'], { PROMPTSCOPE_BACKEND_API_KEY: 'sesame' });
    assert.equal(withKey.code, 0, withKey.stderr);
});
