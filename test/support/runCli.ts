import { spawn } from 'node:child_process';
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
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
        child.on('error', reject);
        child.on('close', code => resolve({ code, stdout, stderr }));
    });
}
