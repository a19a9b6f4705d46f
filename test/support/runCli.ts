import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The repository, where the CLI tests run the built `dist/cli.js` from. */
export const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');

export interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs the built CLI as a user would, in the repository folder, with no model from the environment
 * (`PROMPTSCOPE_MODEL` cleared) unless `env` sets one; `env` is added to this process's environment.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, ...args], {
            cwd: repoRoot,
            env: { ...process.env, PROMPTSCOPE_MODEL: '', ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const output = collectOutput(child);
        child.on('error', reject);
        child.on('close', code => resolve({ code, stdout: output.stdout, stderr: output.stderr }));
    });
}

/** What a child process has printed so far, and a promise of its first output on stdout (tests act once it runs). */
export interface ChildOutput {
    stdout: string;
    stderr: string;
    readonly firstOutput: Promise<void>;
}

/** Collects `child`'s stdout and stderr (both piped) as text while it runs. */
export function collectOutput(child: ChildProcess): ChildOutput {
    let markOutput!: () => void;
    const output: ChildOutput = { stdout: '', stderr: '', firstOutput: new Promise<void>(resolve => { markOutput = resolve; }) };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output.stdout += chunk; markOutput(); });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output.stderr += chunk; });
    return output;
}
