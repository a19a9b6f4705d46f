// `promptscope build-runtime`: argument handling and the clear message when the build tools are missing. No test
// here ever starts the real build (minutes of compiling on a shared machine): the tool check comes before it,
// and these runs strip PATH so it always fails there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMissingTools, findOnPath, findOptimizedRuntime, missingBuildTools } from '../../src/runtime/build/buildRuntime';
import { fixtureModelPath } from '../support/fixtures';

const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
        child.on('error', reject);
        child.on('close', code => resolve({ code, stdout, stderr }));
    });
}

/** A PATH with nothing on it: no cmake, compiler or git, so the command stops at its tool check. */
const noTools = { ...process.env, PATH: join(tmpdir(), 'promptscope-no-tools-here') };

function fakeTools(names: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-tools-'));
    for (const name of names) {
        writeFileSync(join(dir, name), '#!/bin/sh\nexit 1\n');
        chmodSync(join(dir, name), 0o755);
    }
    return dir;
}

describe('promptscope build-runtime', () => {
    test('rejects a bad --niceness in one line, then where the options are (exit 2)', async () => {
        const run = await runCli(['build-runtime', '--niceness', '42'], noTools);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^promptscope build-runtime: --niceness must be an integer from 0 to 19, got 42\nsee `promptscope build-runtime --help`\n$/);
    });

    test('rejects positional arguments and unknown options (exit 2)', async () => {
        assert.equal((await runCli(['build-runtime', 'extra'], noTools)).code, 2);
        assert.equal((await runCli(['build-runtime', '--gpu', 'cuda'], noTools)).code, 2);
    });

    test('--help prints where the build lands', async () => {
        const run = await runCli(['build-runtime', '--help'], noTools);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /\.cache\/promptscope\/cpu-backend/);
    });

    test('without cmake on PATH: a clear message naming the Debian package, exit 1, nothing built', async () => {
        const run = await runCli(['build-runtime', '--force'], noTools);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /cmake.* not found on PATH/);
        assert.match(run.stderr, /apt-get install cmake/);
        assert.match(run.stderr, /prebuilt runtime stays in use/);
        assert.doesNotMatch(run.stdout + run.stderr, /Compiling|Cloning/);
    });

    test('--json reports the failure as an object', async () => {
        const run = await runCli(['build-runtime', '--force', '--json'], noTools);
        assert.equal(run.code, 1);
        const result = JSON.parse(run.stdout) as { ok: boolean; message: string; cacheFolder: string };
        assert.equal(result.ok, false);
        assert.match(result.message, /cmake/);
        assert.match(result.cacheFolder, /promptscope[\\/]cpu-backend$/);
    });
});

describe('build tool checks', () => {
    test('findOnPath finds executables only', () => {
        const dir = fakeTools(['cmake']);
        writeFileSync(join(dir, 'git'), 'not executable');
        chmodSync(join(dir, 'git'), 0o644);
        assert.equal(findOnPath('cmake', { PATH: dir }), join(dir, 'cmake'));
        assert.equal(findOnPath('git', { PATH: dir }), undefined);
        assert.equal(findOnPath('cmake', { PATH: '' }), undefined);
    });

    test('missingBuildTools names each missing tool and its package', () => {
        assert.deepEqual(missingBuildTools({ PATH: fakeTools(['cmake', 'gcc', 'g++', 'make', 'git']) }), []);
        assert.deepEqual(missingBuildTools({ PATH: fakeTools(['clang', 'clang++', 'ninja', 'git']) }).map(m => m.debianPackage), ['cmake']);
        assert.deepEqual(missingBuildTools({ PATH: fakeTools(['cmake']) }).map(m => m.debianPackage), ['build-essential', 'build-essential', 'build-essential', 'git']);
        const message = describeMissingTools(missingBuildTools({ PATH: fakeTools(['g++', 'git']) }));
        assert.match(message, /cmake, .*not found on PATH/);
        assert.match(message, /sudo apt-get install cmake\b/);
    });
});

describe('which binary the runtime loads', () => {
    const run = async (env: NodeJS.ProcessEnv) => {
        const model = await fixtureModelPath();
        const result = await runCli(['info', model, '--json'], { ...process.env, PROMPTSCOPE_MODEL: '', ...env });
        assert.equal(result.code, 0, result.stderr);
        return (JSON.parse(result.stdout) as { info: { runtimeBinary: string; cpuBackend?: string; runtimeBinaryReason?: string } }).info;
    };

    test('the optimized CPU backend built for this CPU is the one loaded', async (t) => {
        const found = findOptimizedRuntime();
        if ('missing' in found) {
            // Only a machine without the tools may lack it: npm install builds it wherever it can.
            if (missingBuildTools().length > 0) return t.skip(`no compiler here: ${found.missing}`);
            assert.fail(`${found.missing}: run npm install or promptscope build-runtime`);
        }
        const info = await run({});
        assert.equal(info.runtimeBinary, 'optimized', info.runtimeBinaryReason);
        assert.equal(info.cpuBackend, found.library);
    });

    test('without a build for this CPU: node-llama-cpp\'s prebuilt variant, and why', async () => {
        const info = await run({ PROMPTSCOPE_CPU_BACKEND_CACHE: mkdtempSync(join(tmpdir(), 'promptscope-no-cpu-backend-')) });
        assert.equal(info.runtimeBinary, 'prebuilt');
        assert.match(info.runtimeBinaryReason ?? '', /no CPU backend has been built for this CPU/);
        assert.equal(info.cpuBackend, undefined);
    });

    test('PROMPTSCOPE_RUNTIME_BINARY=prebuilt loads the prebuilt binary even beside a build', async () => {
        const info = await run({ PROMPTSCOPE_RUNTIME_BINARY: 'prebuilt' });
        assert.equal(info.runtimeBinary, 'prebuilt');
        assert.match(info.runtimeBinaryReason ?? '', /PROMPTSCOPE_RUNTIME_BINARY=prebuilt/);
    });
});
