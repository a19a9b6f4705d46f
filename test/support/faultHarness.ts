// The fault-injection harness (issue 15): one table row describes a hostile or broken situation, the CLI command a
// user would type in it, and what must come out. Each case gets a fresh temporary parent folder holding the case's
// work folder (the CLI's working directory, HOME and TMPDIR) and, beside it, an "outside" folder with a sentinel file
// that the case's links may point at. Everything outside the work folder (the parent's other files, the fixture models)
// is fingerprinted before and after, so a case also fails when the CLI wrote anywhere it must not.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, repoRoot } from './runCli';

const cli = join(repoRoot, 'dist', 'cli.js');

/** What a case's setup and hooks can use. */
export interface FaultContext {
    /** The case's work folder: the CLI's working directory (and HOME, TMPDIR). */
    readonly work: string;
    /** A folder beside the work folder, outside it: links made by a setup point here. */
    readonly outside: string;
    /** A file in `outside` whose bytes must not change. */
    readonly sentinel: string;
    /** The shared fixture model (read only). */
    readonly model: string;
    /** A LoRA for `model`. */
    readonly lora: string;
    /** A model of other dimensions, and its LoRA (which does not fit `model`). */
    readonly otherModel: string;
    readonly otherLora: string;
    /** Values a setup or hook keeps for the case's other fields (a server's URL, a pid, a time). */
    readonly vars: Record<string, unknown>;
    /** Writes `text` to `work/name` (folders made as needed) and returns its path. */
    file(name: string, text: string | Buffer): string;
    /** Runs `cleanup` after the case, whatever happened (servers, mounts). */
    defer(cleanup: () => unknown): void;
    /** Runs the CLI again in the work folder with the case's environment (for checks after the fault is gone). */
    cli(args: string[]): { code: number | null; stdout: string; stderr: string };
}

/** The running CLI, for hooks that act while it runs (a signal, a killed host). */
export interface RunningCli {
    readonly child: ChildProcess;
    /** Resolves when stdout first receives data. */
    readonly firstOutput: Promise<void>;
    /** Resolves when the child exits. */
    readonly exited: Promise<void>;
    /** Milliseconds since the spawn. */
    elapsedMs(): number;
}

export interface FaultResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
    timedOut: boolean;
}

export interface FaultCase {
    /** Says what is broken, e.g. "a partial that links to /dev/zero". */
    name: string;
    /** Why the case cannot run on this machine, if it cannot (the suite reports it as skipped, with the reason). */
    skip?: () => string | undefined;
    /** Makes the situation in the work folder; returns extra values the other fields read through `ctx`. */
    setup?: (ctx: FaultContext) => void | Promise<void>;
    /** The CLI's arguments (after `node dist/cli.js`). */
    args: (ctx: FaultContext) => string[];
    /** Added to the environment (HOME and TMPDIR point into the work folder; PROMPTSCOPE_MODEL is cleared); `undefined` removes a variable. */
    env?: (ctx: FaultContext) => Record<string, string | undefined>;
    stdin?: string;
    /**
     * A bash script run instead of the CLI itself, with the CLI's command line as "$@" (e.g. `"$@" | head -c 20`,
     * `ulimit -f 1; exec "$@"`); its status is the case's exit code.
     */
    shell?: string;
    /** Runs the CLI as this user (root reads and writes through any permission, so permission cases need another). */
    asUser?: { uid: number; gid: number };
    /** Acts while the CLI runs (signals, kills); the case's exit is awaited after it. */
    during?: (running: RunningCli, ctx: FaultContext) => Promise<void>;
    /** Kills the CLI after this long. Defaults to 60 s. */
    timeoutMs?: number;
    expect: {
        /** The exit status (either of several, where the fix may take one of two honest forms). */
        code: number | number[];
        /** Matched against stderr (and stdout, for `output`). */
        stderr?: RegExp | RegExp[];
        stdout?: RegExp | RegExp[];
        /** Matched against stdout + stderr, for messages that may go to either. */
        output?: RegExp | RegExp[];
        /** Nothing of the kind may appear on stderr or stdout. */
        not?: RegExp | RegExp[];
        /** The case must end within this many milliseconds (hangs and liveness bounds). */
        withinMs?: number;
    };
    /** Further checks on the result and on files in the work folder. */
    check?: (result: FaultResult, ctx: FaultContext) => void | Promise<void>;
}

/** The shared models a case reads. */
export interface FaultModels {
    model: string;
    lora: string;
    otherModel: string;
    otherLora: string;
}

/** The user unprivileged cases run as when the suite runs as root. */
export const nobody = { uid: 65534, gid: 65534 };
export const runningAsRoot = process.getuid?.() === 0;

/**
 * Runs one case: a fresh parent folder with `work/` and `outside/sentinel.txt`, the setup, the CLI, the hooks, then
 * `inspect` with the result and `outsideChanges`, every path outside the work folder (in the parent, and the shared
 * models) that changed, appeared or disappeared; then removes the folders.
 */
export async function runFaultCase(
    fault: FaultCase,
    models: FaultModels,
    inspect: (result: FaultResult, ctx: FaultContext, outsideChanges: string[]) => Promise<void>,
): Promise<void> {
    const parent = mkdtempSync(join(tmpdir(), 'promptscope-fault-'));
    // mkdtemp makes the folder private to its owner; a case run as another user must reach its work folder.
    chmodSync(parent, 0o755);
    const work = join(parent, 'work');
    const outside = join(parent, 'outside');
    mkdirSync(join(work, 'home'), { recursive: true });
    mkdirSync(join(work, 'tmp'), { recursive: true });
    // Open to everyone: a case run as another user still has a HOME and a TMPDIR it can write.
    chmodSync(join(work, 'home'), 0o777);
    chmodSync(join(work, 'tmp'), 0o777);
    mkdirSync(outside);
    const sentinel = join(outside, 'sentinel.txt');
    writeFileSync(sentinel, 'export PATH=/usr/bin # a file the case must never change\n');
    const cleanups: (() => unknown)[] = [];
    const ctx: FaultContext = {
        work, outside, sentinel, ...models, vars: {},
        file(name, text) {
            const path = join(work, name);
            mkdirSync(join(path, '..'), { recursive: true });
            writeFileSync(path, text);
            return path;
        },
        defer(cleanup) { cleanups.push(cleanup); },
        cli(args) {
            const run = spawnSync(process.execPath, [cli, ...args], { cwd: work, env: caseEnvironment(fault, ctx), encoding: 'utf8', timeout: 60_000 });
            return { code: run.status, stdout: run.stdout, stderr: run.stderr };
        },
    };
    try {
        await fault.setup?.(ctx);
        const before = fingerprint(parent, work, models);
        const result = await spawnCli(fault, ctx);
        const after = fingerprint(parent, work, models);
        const outsideChanges = [...new Set([...before.keys(), ...after.keys()])].filter(key => before.get(key) !== after.get(key)).sort();
        await inspect(result, ctx, outsideChanges);
    } finally {
        for (const cleanup of cleanups.reverse()) {
            try { await cleanup(); } catch { /* the next cleanup still runs */ }
        }
        // A case may leave read-only folders (for another user): make them removable first.
        try { chmodTree(parent); } catch { /* removed below as far as possible */ }
        rmSync(parent, { recursive: true, force: true });
    }
}

function spawnCli(fault: FaultCase, ctx: FaultContext): Promise<FaultResult> {
    const args = [cli, ...fault.args(ctx)];
    const [command, commandArgs] = fault.shell === undefined
        ? [process.execPath, args]
        : ['bash', ['-c', fault.shell, 'bash', process.execPath, ...args]];
    const env = caseEnvironment(fault, ctx);
    const started = performance.now();
    const child = spawn(command, commandArgs, {
        cwd: ctx.work, env, stdio: ['pipe', 'pipe', 'pipe'], ...fault.asUser,
    });
    const output = collectOutput(child);
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(fault.stdin ?? '');
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; killTree(child.pid); }, fault.timeoutMs ?? 60_000);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
        child.on('close', (code, signal) => resolve({ code, signal }));
        child.on('error', error => { output.stderr += `spawn failed: ${error.message}`; resolve({ code: null, signal: null }); });
    });
    const running: RunningCli = { child, firstOutput: output.firstOutput, exited: exited.then(() => undefined), elapsedMs: () => performance.now() - started };
    return (async () => {
        try {
            if (fault.during) await Promise.race([fault.during(running, ctx), running.exited]);
            const { code, signal } = await exited;
            return { code, signal, stdout: output.stdout, stderr: output.stderr, ms: performance.now() - started, timedOut };
        } finally {
            clearTimeout(timer);
            // A runtime host left behind (the CLI killed by the timeout) must not outlive the case.
            killTree(child.pid);
        }
    })();
}

function caseEnvironment(fault: FaultCase, ctx: FaultContext): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PROMPTSCOPE_MODEL: '', HOME: join(ctx.work, 'home'), TMPDIR: join(ctx.work, 'tmp') };
    for (const [key, value] of Object.entries(fault.env?.(ctx) ?? {})) {
        if (value === undefined) delete env[key];
        else env[key] = value;
    }
    return env;
}

/** The pids of `pid`'s children, from /proc (Linux). */
export function childPids(pid: number): number[] {
    const pids: number[] = [];
    try {
        for (const task of readdirSync(`/proc/${pid}/task`)) {
            const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
            if (children !== '') pids.push(...children.split(/\s+/).map(Number));
        }
    } catch {
        // The process is gone.
    }
    return pids;
}

/** The command line of a process, or '' once it is gone. */
export function commandLine(pid: number): string {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
        return '';
    }
}

/** Waits (up to `timeoutMs`) for the CLI's runtime host child process (`runtime-host.js`) and returns its pid. */
export async function waitForRuntimeHost(cliPid: number, timeoutMs = 20_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
        const host = childPids(cliPid).find(pid => commandLine(pid).includes('runtime-host'));
        if (host !== undefined) return host;
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    throw new Error(`no runtime host appeared under pid ${cliPid} within ${timeoutMs} ms`);
}

function killTree(pid: number | undefined): void {
    if (pid === undefined) return;
    for (const child of childPids(pid)) killTree(child);
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

/**
 * Every path under `parent` except the work folder, and the shared models, each with what identifies its content
 * (a hash, a link's target, a kind), so any write, creation or removal outside the work folder shows as a change.
 */
function fingerprint(parent: string, work: string, models: FaultModels): Map<string, string> {
    const prints = new Map<string, string>();
    const visit = (path: string): void => {
        if (path === work) return;
        let stat;
        try { stat = lstatSync(path); } catch { return; }
        if (stat.isSymbolicLink()) prints.set(path, `link → ${readlinkSync(path)}`);
        else if (stat.isDirectory()) {
            prints.set(path, `dir ${stat.mode.toString(8)}`);
            for (const name of readdirSync(path)) visit(join(path, name));
        } else if (stat.isFile()) prints.set(path, `file ${stat.mode.toString(8)} ${hashFile(path)}`);
        else prints.set(path, `special ${stat.mode.toString(8)}`);
    };
    visit(parent);
    for (const model of Object.values(models)) prints.set(model, hashFile(model));
    return prints;
}

function hashFile(path: string): string {
    try {
        return createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch (error) {
        return `unreadable (${(error as NodeJS.ErrnoException).code})`;
    }
}

function chmodTree(path: string): void {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return;
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) chmodTree(join(path, name));
}
