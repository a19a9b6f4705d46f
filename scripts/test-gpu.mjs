// `npm run test:gpu`: the CUDA path, on a machine with an NVIDIA GPU. Runs the CUDA suite (test/gpu: the fixture
// models on node-llama-cpp's CUDA binaries against the CPU host and the reference forward pass), then the bench on
// CUDA beside llama.cpp's own llama-bench built with CUDA from the bundled source when `nvcc` exists (else the bench
// says it has no reference), writing the report to .cache/gpu/BENCHMARKS-cuda.md for BENCHMARKS.md. Without an
// NVIDIA GPU it says so and exits 0: nothing here can run, and `npm test` covers the CPU paths.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function findGpu() {
    const probe = spawnSync('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'], { encoding: 'utf8' });
    if (probe.error) return { reason: `nvidia-smi is not on PATH (${probe.error.code ?? probe.error.message}): no NVIDIA driver on this machine` };
    if (probe.status !== 0) return { reason: `nvidia-smi failed (exit ${probe.status}): ${(probe.stderr || probe.stdout).trim().split('\n')[0]}` };
    const gpus = probe.stdout.trim().split('\n').filter(line => line.trim() !== '');
    if (gpus.length === 0) return { reason: 'nvidia-smi lists no GPU' };
    return { gpus };
}

function run(label, command, args, env = {}) {
    console.log(`[test:gpu] ${label}: ${[command, ...args].join(' ')}`);
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    if (result.status !== 0) {
        console.error(`[test:gpu] ${label} failed (exit ${result.status ?? result.signal})`);
        process.exit(result.status ?? 1);
    }
}

const found = findGpu();
if (!found.gpus) {
    console.log(`[test:gpu] SKIPPED: ${found.reason}. The CUDA suite and the CUDA bench need an NVIDIA GPU; npm test covers the CPU paths.`);
    process.exit(0);
}
console.log(`[test:gpu] NVIDIA GPU: ${found.gpus.join('; ')}`);
const hasNvcc = spawnSync('nvcc', ['--version'], { stdio: 'ignore' }).status === 0;

run('build', process.execPath, ['scripts/build.mjs']);
run('CUDA suite', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', 'test/gpu/cuda.test.ts'],
    { PROMPTSCOPE_TEST_GPU: 'cuda' });

const out = join(root, '.cache', 'gpu');
mkdirSync(out, { recursive: true });
const benchArgs = ['dist/cli.js', 'bench', '--gpu', 'cuda', '--size', '100m', '--size', '400m', '--repeat', '3',
    '--arch', 'llama', '--arch', 'qwen2', '--markdown', join(out, 'BENCHMARKS-cuda.md')];
if (hasNvcc) benchArgs.push('--reference');
else console.log('[test:gpu] nvcc not found: the bench runs without the CUDA llama-bench reference (install the CUDA toolkit to compare)');
run('CUDA bench', process.execPath, benchArgs);
console.log(`[test:gpu] done: figures in ${join(out, 'BENCHMARKS-cuda.md')}`);
