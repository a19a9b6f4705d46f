// The runtime host, downloads, signals and output streams misbehaving: a refused or silent server, a stopped or killed
// host, Ctrl-C, a reader that goes away, a terminal. Every one ends within a bound, with a message and the usual status.
import assert from 'node:assert/strict';
import type { FaultCase, FaultContext, RunningCli } from '../../support/faultHarness';
import { waitForRuntimeHost } from '../../support/faultHarness';
import { refusedPort, silentServer, tricklingServer } from '../../support/localServers';
import { probsFlags, questionPrompt, quick } from './caseHelpers';

/** A generation that runs for seconds on the fixture model, streaming as it goes. */
const longRun = (ctx: FaultContext, ...more: string[]) => ['run', '--text', 'Once upon a time', ...quick(ctx), '--max-tokens', '3000', '--context-size', '4096', '--temperature', '1', '--no-history', ...more];
/** The fixture vocabulary's byte tokens start at id 3: id 30 is the byte 0x1B (ESC). */
const escapeToken = ['--logit-bias', 'id:30=+100', '--temperature', '0', '--no-history'];
const tty = 'script -qec "$(printf "%q " "$@")" /dev/null';
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Kills the runtime host under the running CLI with `signal` once the CLI has printed something; records when. */
async function signalHost(running: RunningCli, ctx: FaultContext, signal: NodeJS.Signals, afterOutput: boolean): Promise<void> {
    const host = await waitForRuntimeHost(running.child.pid!);
    // A stopped host must not outlive the case if the CLI fails to end it.
    ctx.defer(() => { try { process.kill(host, 'SIGKILL'); } catch { /* gone */ } });
    if (afterOutput) await running.firstOutput;
    else await sleep(300);
    ctx.vars.signalledAt = running.elapsedMs();
    process.kill(host, signal);
}

export const runtimeCases: FaultCase[] = [
    {
        name: 'a model URL on a refused connection: fails within seconds, naming the URL',
        setup: async ctx => { ctx.vars.url = `http://127.0.0.1:${await refusedPort()}/model.gguf`; },
        args: ctx => ['run', '--text', 'hi', '--model', String(ctx.vars.url), '--no-history'],
        timeoutMs: 90_000,
        expect: { code: 1, stderr: [/127\.0\.0\.1:\d+/, /refused|unreachable|connect/i], withinMs: 15_000 },
    },
    {
        name: 'a model URL on a server that accepts and never answers (timeout 2 s): fails, naming the URL and the bound',
        setup: async ctx => {
            const server = await silentServer();
            ctx.defer(() => server.close());
            ctx.vars.url = `${server.origin}/model.gguf`;
        },
        args: ctx => ['run', '--text', 'hi', '--model', String(ctx.vars.url), '--no-history', '--runtime-timeout', '2'],
        timeoutMs: 90_000,
        expect: { code: 1, stderr: [/127\.0\.0\.1:\d+/, /sent nothing|timed out|no answer|not respond/i], withinMs: 20_000 },
    },
    {
        name: 'Ctrl-C (SIGINT) during a download that trickles: "cancelled", exit 130',
        setup: async ctx => {
            const server = await tricklingServer();
            ctx.defer(() => server.close());
            ctx.vars.url = `${server.origin}/model.gguf`;
            ctx.vars.hits = server.hits;
        },
        args: ctx => ['run', '--text', 'hi', '--model', String(ctx.vars.url), '--no-history'],
        during: async (running, ctx) => {
            const hits = ctx.vars.hits as () => number;
            while (hits() === 0) await sleep(50);
            await sleep(700);
            running.child.kill('SIGINT');
        },
        timeoutMs: 60_000,
        expect: { code: 130, stderr: /cancel/i, not: /does not exist/ },
    },
    {
        name: 'the runtime host stops answering (SIGSTOP), bound 2 s: "not responding" reported, exit 1, no hang',
        args: ctx => longRun(ctx),
        env: () => ({ PROMPTSCOPE_RUNTIME_TIMEOUT: '2' }),
        during: (running, ctx) => signalHost(running, ctx, 'SIGSTOP', false),
        timeoutMs: 60_000,
        expect: { code: 1, stderr: [/not respond|did not answer/i, /2 s/] },
        check: (result, ctx) => {
            const after = result.ms - (ctx.vars.signalledAt as number);
            assert.ok(after < 2000 + 3000, `reported ${Math.round(after)} ms after the host stopped (bound 2 s)`);
        },
    },
    {
        name: 'the runtime host killed mid-run (SIGKILL): reported within a second, exit 1',
        args: ctx => longRun(ctx),
        during: (running, ctx) => signalHost(running, ctx, 'SIGKILL', true),
        timeoutMs: 60_000,
        expect: { code: 1, stderr: /runtime|host/i },
        check: (result, ctx) => {
            const after = result.ms - (ctx.vars.signalledAt as number);
            assert.ok(after < 1500, `reported ${Math.round(after)} ms after the kill`);
        },
    },
    {
        name: 'Ctrl-C (SIGINT) during a generation: what was generated is printed, exit 130',
        args: ctx => longRun(ctx),
        during: async running => {
            await running.firstOutput;
            running.child.kill('SIGINT');
        },
        timeoutMs: 60_000,
        expect: { code: 130, stdout: /\S/ },
    },
    {
        name: 'run | head -c 20 (EPIPE): ends quietly with status 0',
        shell: '"$@" | head -c 20 > /dev/null; exit "${PIPESTATUS[0]}"',
        args: ctx => longRun(ctx, '--max-tokens', '400'),
        timeoutMs: 60_000,
        expect: { code: 0, not: /EPIPE|Unhandled|Error:/ },
    },
    {
        name: 'run --json | head -c 1 (EPIPE on the JSON): ends quietly with status 0',
        shell: '"$@" | head -c 1 > /dev/null; exit "${PIPESTATUS[0]}"',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--json', '--no-history'],
        expect: { code: 0, not: /EPIPE|Unhandled|Error:/ },
    },
    {
        name: 'probs | head -c 10 (EPIPE on a long table): ends quietly with status 0',
        shell: '"$@" | head -c 10 > /dev/null; exit "${PIPESTATUS[0]}"',
        args: ctx => ['probs', '--text', 'word '.repeat(200), ...probsFlags(ctx), '--generate', '4'],
        expect: { code: 0, not: /EPIPE|Unhandled|Error:/ },
    },
    {
        name: 'eval | head -c 1 (EPIPE): ends quietly with status 0',
        setup: ctx => {
            questionPrompt(ctx);
            ctx.file('rows.jsonl', '{"q": "1 + 1", "expected": "2"}\n{"q": "2 + 2", "expected": "4"}\n');
        },
        shell: '"$@" | head -c 1 > /dev/null; exit "${PIPESTATUS[0]}"',
        args: ctx => ['eval', 'q.prompt', '--dataset', 'rows.jsonl', ...quick(ctx), '--no-history'],
        expect: { code: 0, not: /EPIPE|Unhandled|Error:/ },
    },
    {
        name: 'stdout on a full device (/dev/full): reported once, exit 1',
        shell: 'exec "$@" > /dev/full',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--no-history'],
        expect: { code: 1, stderr: /cannot write|no space|ENOSPC/i },
    },
    {
        name: 'control characters in the output, on a terminal: shown escaped (\\u001b), never raw',
        shell: tty,
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), ...escapeToken],
        expect: { code: 0, stdout: /\\u001b/, not: /\x1b/ },
    },
    {
        name: 'control characters in the output, on a terminal with --raw: printed as is',
        shell: tty,
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), ...escapeToken, '--raw'],
        expect: { code: 0, stdout: /\x1b/ },
    },
    {
        name: 'control characters in the output, piped: the exact text',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), ...escapeToken],
        expect: { code: 0, stdout: /^\x1b\x1b\x1b\n$/ },
    },
    {
        name: 'control characters in run --json on a terminal: escaped by JSON itself',
        shell: tty,
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), ...escapeToken, '--json'],
        expect: { code: 0, stdout: /"output": "\\u001b\\u001b\\u001b"/, not: /\x1b/ },
    },
];
