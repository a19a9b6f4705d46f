import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

export interface BuildProcessOptions {
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** Niceness of the process (0–19). */
    niceness: number;
    signal?: AbortSignal;
    /** One call per output line (ANSI colours removed, empty lines skipped). */
    onLine: (line: string) => void;
}

export interface BuildProcessResult {
    /** The exit status, or the signal or spawn error that ended it. */
    code: number | string;
    /** The last 30 lines of output, for a failure message. */
    tail: string[];
}

const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Runs one step of a build (git, cmake) in its own process group at lower priority, so that a cancel stops the
 * compilers it started too and the machine stays usable while it compiles.
 */
export function runBuildProcess(command: string, args: readonly string[], options: BuildProcessOptions): Promise<BuildProcessResult> {
    const tail: string[] = [];
    return new Promise(resolvePromise => {
        const child = spawn(command, args, {
            cwd: options.cwd,
            env: { ...options.env, FORCE_COLOR: '0', NO_COLOR: '1', CLICOLOR: '0' },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
        });
        if (child.pid !== undefined) {
            try { setPriority(child.pid, options.niceness); } catch { /* not permitted: normal priority */ }
        }
        const emit = (raw: string) => {
            const line = raw.replace(ansi, '').trimEnd();
            if (line.trim() === '') return;
            tail.push(line);
            if (tail.length > 30) tail.shift();
            options.onLine(line);
        };
        const lineReader = (stream: NodeJS.ReadableStream) => {
            let pending = '';
            stream.setEncoding('utf8');
            stream.on('data', (chunk: string) => {
                pending += chunk;
                const parts = pending.split(/\r?\n|\r/);
                pending = parts.pop() ?? '';
                for (const part of parts) emit(part);
            });
            stream.on('end', () => { if (pending !== '') emit(pending); });
        };
        lineReader(child.stdout!);
        lineReader(child.stderr!);
        const abort = () => {
            if (child.pid !== undefined) {
                try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
            }
        };
        options.signal?.addEventListener('abort', abort, { once: true });
        child.on('error', error => resolvePromise({ code: error.message, tail }));
        child.on('close', (status, signal) => {
            options.signal?.removeEventListener('abort', abort);
            resolvePromise({ code: status ?? signal ?? 'unknown', tail });
        });
    });
}
