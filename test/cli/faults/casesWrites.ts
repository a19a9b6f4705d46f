// Files the CLI writes (run history, --out, fixtures) in a hostile or broken workspace: never through a link, never
// outside the workspace, whole lines only, and a history failure never hides the result.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nobody, runningAsRoot, type FaultCase } from '../../support/faultHarness';
import { assertWholeLines, missingModel, mkfifo, noModelMessage, printedJson, questionPrompt, quick, todaysHistory } from './caseHelpers';

const run = (ctx: Parameters<typeof quick>[0], ...more: string[]) => ['run', '--text', 'Count: 1, 2,', ...quick(ctx, ...more)];
const runsFolder = (work: string) => join(work, '.promptscope', 'runs');
let mountProbe: string | undefined | null = null;
/** Root in a container may still lack the right to mount (no CAP_SYS_ADMIN): asked once, by mounting a tmpfs. */
const cannotMount = (): string | undefined => {
    if (mountProbe !== null) return mountProbe;
    if (!runningAsRoot) return mountProbe = 'needs root (mounts a tmpfs)';
    const folder = mkdtempSync(join(tmpdir(), 'promptscope-mount-probe-'));
    try {
        const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', folder]);
        if (mounted.status !== 0) return mountProbe = `cannot mount a tmpfs here: ${String(mounted.stderr).trim() || `mount exited ${String(mounted.status)}`}`;
        spawnSync('umount', [folder]);
        return mountProbe = undefined;
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
};

export const writeCases: FaultCase[] = [
    {
        name: 'runs/<date>.jsonl is a committed symbolic link to a file outside: the result is printed, a warning names the file, the target is unchanged',
        setup: ctx => {
            mkdirSync(runsFolder(ctx.work), { recursive: true });
            symlinkSync(ctx.sentinel, todaysHistory(ctx.work));
        },
        args: ctx => run(ctx),
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /\d{4}-\d\d-\d\d\.jsonl/, /symbolic link/] },
    },
    {
        name: 'runs/<date>.jsonl links outside, run --json: the JSON is printed with history null and the reason',
        setup: ctx => {
            mkdirSync(runsFolder(ctx.work), { recursive: true });
            symlinkSync(ctx.sentinel, todaysHistory(ctx.work));
        },
        args: ctx => run(ctx, '--json'),
        expect: { code: 0, stderr: /symbolic link/ },
        check: result => {
            const printed = printedJson<{ output: string; history: unknown }>(result.stdout);
            assert.equal(typeof printed.output, 'string');
            assert.equal(printed.history, null);
        },
    },
    {
        name: '.promptscope/runs is a symbolic link to a folder outside: nothing is created there',
        setup: ctx => {
            mkdirSync(join(ctx.work, '.promptscope'), { recursive: true });
            symlinkSync(ctx.outside, runsFolder(ctx.work));
        },
        args: ctx => run(ctx),
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /runs/, /symbolic link/] },
    },
    {
        name: '.promptscope itself is a symbolic link to a folder outside: nothing is created there',
        setup: ctx => symlinkSync(ctx.outside, join(ctx.work, '.promptscope')),
        args: ctx => run(ctx),
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /\.promptscope/, /symbolic link/] },
    },
    {
        name: 'runs/<date>.jsonl is a FIFO: a warning, no hang, the result printed',
        setup: ctx => {
            mkdirSync(runsFolder(ctx.work), { recursive: true });
            mkfifo(todaysHistory(ctx.work));
        },
        args: ctx => run(ctx),
        timeoutMs: 30_000,
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /\.jsonl/, /FIFO|named pipe|not a regular file/] },
    },
    {
        name: 'runs/<date>.jsonl is a directory: a warning naming it, the result printed',
        setup: ctx => mkdirSync(todaysHistory(ctx.work), { recursive: true }),
        args: ctx => run(ctx),
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /\.jsonl/, /director|folder/] },
    },
    {
        name: 'read-only working directory, run --json: the JSON is printed, exit 0, the history problem is a warning',
        setup: ctx => chmodSync(ctx.work, 0o555),
        asUser: nobody,
        args: ctx => run(ctx, '--json'),
        expect: { code: 0, stderr: [/warning/, /\.jsonl/, /permission|EACCES/] },
        check: result => assert.equal(typeof printedJson<{ output: unknown }>(result.stdout).output, 'string'),
    },
    {
        name: 'read-only working directory with --no-history: no warning at all',
        setup: ctx => chmodSync(ctx.work, 0o555),
        asUser: nobody,
        args: ctx => run(ctx, '--json', '--no-history'),
        expect: { code: 0, stdout: /"history": null/, not: /warning/ },
    },
    {
        name: 'a history file the user may not write: a warning naming it, the result printed',
        setup: ctx => {
            mkdirSync(runsFolder(ctx.work), { recursive: true });
            writeFileSync(todaysHistory(ctx.work), '');
            chmodSync(todaysHistory(ctx.work), 0o444);
        },
        asUser: nobody,
        args: ctx => run(ctx),
        expect: { code: 0, stdout: /\S/, stderr: [/warning/, /\.jsonl/, /permission|EACCES/] },
    },
    {
        name: 'a full disk (a 64 KiB tmpfs under .promptscope): the result is printed, a warning says so, the next record is a whole line',
        skip: cannotMount,
        setup: ctx => {
            const folder = join(ctx.work, '.promptscope');
            mkdirSync(folder);
            const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', folder]);
            assert.equal(mounted.status, 0, `mount: ${String(mounted.stderr)}`);
            ctx.defer(() => spawnSync('umount', ['-l', folder]));
            mkdirSync(runsFolder(ctx.work));
            // One whole record from before, filling most of its page, then the rest of the disk filled up: the
            // next append has a few hundred bytes of room, less than any run record.
            writeFileSync(todaysHistory(ctx.work), `${JSON.stringify({ time: 'earlier', outputs: ['x'.repeat(3700)] })}\n`);
            const filler = join(folder, 'filler');
            try {
                for (let i = 0; i < 64; i++) writeFileSync(filler, Buffer.alloc(4096), { flag: 'a' });
            } catch {
                // ENOSPC: full.
            }
        },
        args: ctx => run(ctx, '--json'),
        expect: { code: 0, stderr: [/warning/, /\.jsonl/, /space|ENOSPC|full/i] },
        check: (result, ctx) => {
            assert.equal(typeof printedJson<{ output: unknown }>(result.stdout).output, 'string');
            const history = todaysHistory(ctx.work);
            const earlier = readFileSync(history, 'utf8').split('\n')[0]!;
            // With room again, the next run's record is a whole line of its own, whatever the full disk left.
            rmSync(join(ctx.work, '.promptscope', 'filler'));
            const next = ctx.cli(run(ctx, '--json'));
            assert.equal(next.code, 0, next.stderr);
            const lines = readFileSync(history, 'utf8').split('\n');
            assert.equal(lines[0], earlier, 'the earlier record is intact');
            assert.equal(lines.at(-1), '', 'the file ends with a line break');
            assert.deepEqual((JSON.parse(lines.at(-2)!) as { outputs: unknown[] }).outputs, [printedJson<{ output: string }>(next.stdout).output]);
        },
    },
    {
        name: 'a file size limit (ulimit -f 1, EFBIG) on --out: the result is printed first, the error names --out, exit 1',
        setup: ctx => { ctx.file('big.jsonl', `${JSON.stringify({ filler: 'x'.repeat(1000) })}\n`); },
        shell: 'ulimit -f 1 && exec "$@"',
        args: ctx => run(ctx, '--json', '--out', 'big.jsonl'),
        expect: { code: 1, stderr: [/--out/, /big\.jsonl/] },
        check: result => assert.equal(typeof printedJson<{ output: unknown }>(result.stdout).output, 'string'),
    },
    {
        name: 'a torn last line in the history (an earlier kill): the new record is a whole line of its own',
        setup: ctx => {
            mkdirSync(runsFolder(ctx.work), { recursive: true });
            writeFileSync(todaysHistory(ctx.work), '{"time":"earlier","outputs":["cut sho');
        },
        args: ctx => run(ctx, '--json'),
        expect: { code: 0 },
        check: (_result, ctx) => assertWholeLines(todaysHistory(ctx.work), 1, ['{"time":"earlier","outputs":["cut sho']),
    },
    {
        name: 'three runs at once append to one history: three whole lines',
        shell: 'pids=(); for i in 1 2 3; do "$@" > /dev/null & pids+=($!); done; s=0; for p in "${pids[@]}"; do wait "$p" || s=$?; done; exit $s',
        args: ctx => run(ctx, '--max-tokens', '8'),
        timeoutMs: 120_000,
        expect: { code: 0 },
        check: (_result, ctx) => assertWholeLines(todaysHistory(ctx.work), 3),
    },
    {
        name: '--out in a folder the user may not write (EACCES): a usage error naming --out, before the model loads',
        setup: ctx => {
            mkdirSync(join(ctx.work, 'locked'));
            chmodSync(join(ctx.work, 'locked'), 0o555);
        },
        asUser: nobody,
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--out', 'locked/runs.jsonl'],
        expect: { code: 2, stderr: [/--out/, /locked/, /permission|EACCES|not writable/i], not: noModelMessage },
    },
    {
        name: '--out names a directory: a usage error naming --out, before the model loads',
        setup: ctx => mkdirSync(join(ctx.work, 'adir')),
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--out', 'adir'],
        expect: { code: 2, stderr: [/--out .*adir/, /director|folder/], not: noModelMessage },
    },
    {
        name: '--out is a symbolic link to a file outside: refused, the target unchanged',
        setup: ctx => symlinkSync(ctx.sentinel, join(ctx.work, 'link.jsonl')),
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--out', 'link.jsonl'],
        expect: { code: 2, stderr: [/--out .*link\.jsonl/, /symbolic link/], not: noModelMessage },
    },
    {
        name: 'eval --out is a symbolic link to a file outside: refused, the target unchanged',
        setup: ctx => {
            symlinkSync(ctx.sentinel, join(ctx.work, 'link.jsonl'));
            questionPrompt(ctx);
            ctx.file('q.jsonl', '{"q": "1 + 1", "expected": "2"}\n');
        },
        args: ctx => ['eval', 'q.prompt', '--dataset', 'q.jsonl', ...missingModel(ctx), '--out', 'link.jsonl'],
        expect: { code: 2, stderr: [/--out .*link\.jsonl/, /symbolic link/], not: noModelMessage },
    },
    {
        name: '--out /dev/full (a device): refused as not a regular file',
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--out', '/dev/full'],
        expect: { code: 2, stderr: [/--out .*\/dev\/full/, /device|not a regular file/], not: noModelMessage },
    },
    {
        name: '--out is a FIFO: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'pipe.jsonl')); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--out', 'pipe.jsonl'],
        timeoutMs: 20_000,
        expect: { code: 2, stderr: [/--out .*pipe\.jsonl/, /FIFO|named pipe/] },
    },
    {
        name: 'fixture-model OUT.gguf is a symbolic link to a file outside: refused, the target unchanged',
        setup: ctx => symlinkSync(ctx.sentinel, join(ctx.work, 'model.gguf')),
        args: () => ['fixture-model', 'model.gguf'],
        expect: { code: [1, 2], stderr: [/model\.gguf/, /symbolic link/] },
    },
    {
        name: 'fixture-model --lora OUT is a symbolic link to a file outside: refused, the target unchanged',
        setup: ctx => symlinkSync(ctx.sentinel, join(ctx.work, 'lora.gguf')),
        args: () => ['fixture-model', 'model.gguf', '--lora', 'lora.gguf'],
        expect: { code: [1, 2], stderr: [/lora\.gguf/, /symbolic link/] },
    },
    {
        name: 'HOME unset: a run still works',
        args: ctx => run(ctx, '--no-history'),
        env: () => ({ HOME: undefined }),
        expect: { code: 0, stdout: /\S/ },
    },
];
