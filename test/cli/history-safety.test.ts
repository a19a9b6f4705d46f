// The run history and `--out` as a hostile or broken workspace meets them (issue 15): the built CLI on the fixture model
// never writes through a committed symbolic link, never loses a finished result to the history, and reports `--out`
// mistakes before the model loads.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let model: string;

function runCli(cwd: string, args: string[], options: SpawnSyncOptions & { fileSizeKib?: number } = {}) {
    const { fileSizeKib, ...spawnOptions } = options;
    const command = fileSizeKib === undefined ? [process.execPath, cli, ...args] : ['bash', '-c', `ulimit -f ${fileSizeKib} && exec "$@"`, 'bash', process.execPath, cli, ...args];
    const r = spawnSync(command[0]!, command.slice(1), {
        cwd, env: { ...process.env, PROMPTSCOPE_MODEL: '', HOME: tmpdir() }, encoding: 'utf8', timeout: 120_000, ...spawnOptions,
    });
    return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function workFolder(): string {
    return mkdtempSync(join(tmpdir(), 'promptscope-history-safety-'));
}

/** Today's default history file under `folder`, as RunHistory names it. */
function todaysHistory(folder: string): string {
    return join(folder, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
}

const textRun = (...more: string[]) => ['run', '--text', 'Count: 1, 2,', '--model', model, '--gpu', 'off', '--seed', '1', '--max-tokens', '3', ...more];

before(async () => {
    model = await fixtureModelPath();
});

test('a committed runs/<date>.jsonl linking outside: the run prints its result, warns naming the file, the target is unchanged', () => {
    const folder = workFolder();
    const outside = join(workFolder(), 'bashrc');
    writeFileSync(outside, 'export PATH=/usr/bin\n');
    mkdirSync(join(folder, '.promptscope', 'runs'), { recursive: true });
    symlinkSync(outside, todaysHistory(folder));

    const streamed = runCli(folder, textRun());
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.ok(streamed.stdout.length > 1, 'the output is printed');
    assert.match(streamed.stderr, /^promptscope run: warning: run history: the run was not recorded: Refusing to write .*\.jsonl: it is a symbolic link \(to .*bashrc\)\..*--no-history/m);
    assert.ok(streamed.stderr.includes(todaysHistory(folder)), streamed.stderr);

    const json = runCli(folder, textRun('--json'));
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as { output: string; history: string | null; historyError?: string };
    assert.equal(printed.history, null);
    assert.match(printed.historyError ?? '', /symbolic link/);
    assert.equal(printed.output, streamed.stdout.replace(/\n$/, ''), 'same seed, same result');

    // eval: every row's record is refused, the summary still printed, one warning counting them.
    writeFileSync(join(folder, 'q.prompt'), '---\nconfig:\n  maxOutputTokens: 2\ninput:\n  schema:\n    q: string\n---\n{{q}}\n');
    writeFileSync(join(folder, 'q.jsonl'), '{"q": "1 + 1", "expected": "2"}\n{"q": "2 + 2", "expected": "4"}\n');
    const evaluation = runCli(folder, ['eval', 'q.prompt', '--dataset', 'q.jsonl', '--model', model, '--gpu', 'off', '--seed', '1']);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(evaluation.stdout, /accuracy .*; history: not written \(see below\)\n$/s);
    assert.match(evaluation.stderr, /^promptscope eval: warning: run history: 2 of 2 runs were not recorded: Refusing to write .*symbolic link/m);
    assert.equal(evaluation.stderr.match(/warning/g)?.length, 1, 'one warning, not one a row');
    assert.equal(readFileSync(outside, 'utf8'), 'export PATH=/usr/bin\n', 'nothing was appended to the link target');
});

test('a read-only working directory: run --json prints the JSON and exits 0, with a warning', () => {
    const folder = workFolder();
    // Root writes anywhere, so the run goes as an unprivileged user there; the folder is read-only to it either way.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    chmodSync(folder, 0o555);
    const run = runCli(folder, textRun('--json'), user);
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { output: string; history: string | null };
    assert.equal(typeof printed.output, 'string');
    assert.equal(printed.history, null);
    assert.match(run.stderr, /warning: run history: the run was not recorded: Cannot write .*\.jsonl: permission denied \(EACCES\)/);
    assert.ok(!existsSync(join(folder, '.promptscope')));
});

test('--out naming a directory, a symbolic link or a FIFO is a usage error naming --out and the path, before the model loads', () => {
    const folder = workFolder();
    mkdirSync(join(folder, 'adir'));
    writeFileSync(join(folder, 'target'), 'keep\n');
    symlinkSync(join(folder, 'target'), join(folder, 'link.jsonl'));
    assert.equal(spawnSync('mkfifo', [join(folder, 'fifo.jsonl')]).status, 0);
    writeFileSync(join(folder, 'q.prompt'), '---\ninput:\n  schema:\n    q: string\n---\n{{q}}\n');
    writeFileSync(join(folder, 'q.jsonl'), '{"q": "1 + 1", "expected": "2"}\n');
    // A model that does not exist: a check made after loading would report the model instead.
    const missingModel = ['--model', join(folder, 'missing.gguf')];
    for (const [out, problem] of [['adir', /it is a directory/], ['link.jsonl', /it is a symbolic link \(to .*target\)/], ['fifo.jsonl', /FIFO/]] as const) {
        const run = runCli(folder, ['run', '--text', 'hi', ...missingModel, '--out', out]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, new RegExp(`^promptscope run: --out ${join(folder, out).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        assert.match(run.stderr, problem);
        assert.doesNotMatch(run.stderr, /missing\.gguf/);
        const evaluation = runCli(folder, ['eval', 'q.prompt', '--dataset', 'q.jsonl', ...missingModel, '--out', out]);
        assert.equal(evaluation.code, 2, evaluation.stderr);
        assert.match(evaluation.stderr, /^promptscope eval: --out /);
        assert.match(evaluation.stderr, problem);
    }
    assert.equal(readFileSync(join(folder, 'target'), 'utf8'), 'keep\n');
});

test('--out failing after the generation (file size limit): the result is printed, the error after it, exit 1', () => {
    const folder = workFolder();
    const out = join(folder, 'full.jsonl');
    writeFileSync(out, `${JSON.stringify({ filler: 'x'.repeat(1000) })}\n`);
    const run = runCli(folder, textRun('--json', '--out', out), { fileSizeKib: 1 });
    assert.equal(run.code, 1, run.stderr);
    const printed = JSON.parse(run.stdout) as { output: string; history: string | null; historyError?: string };
    assert.equal(typeof printed.output, 'string');
    assert.equal(printed.history, null);
    assert.match(run.stderr, new RegExp(`^promptscope run: --out ${out.replace(/[.]/g, '\\.')}: the run was not recorded: only \\d+ of \\d+ bytes were written`, 'm'));
});

test('a torn last line in the day\'s history (a full disk, a kill) is left alone: the next record is a whole line of its own', () => {
    const folder = workFolder();
    const history = todaysHistory(folder);
    mkdirSync(join(folder, '.promptscope', 'runs'), { recursive: true });
    writeFileSync(history, '{"time":"earlier","outputs":["cut sho');
    const run = runCli(folder, textRun('--json'));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = readFileSync(history, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[0], '{"time":"earlier","outputs":["cut sho');
    assert.deepEqual((JSON.parse(lines[1]!) as { outputs: string[] }).outputs, [(JSON.parse(run.stdout) as { output: string }).output]);
    assert.equal(lines[2], '');
});
