import { spawn } from 'node:child_process';

/**
 * Runs a program to completion and resolves with its stdout (when `capture`; and its stderr after it with
 * `withStderr`, where llama.cpp's tools log their figures), else with nothing; rejects with the last lines of its stderr
 * when it fails. Used for the reference builds (git, cmake) and llama.cpp's bench tools.
 */
export function runProcess(command: string, args: string[], cwd: string | undefined, capture = false, withStderr = false): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('error', reject);
        child.on('close', code => {
            if (code === 0) resolve(capture ? (withStderr ? stdout + stderr : stdout) : '');
            else reject(new Error(`${command} ${args.slice(0, 3).join(' ')}… failed (exit ${code}):\n${stderr.split('\n').slice(-15).join('\n')}`));
        });
    });
}
