import { buildOptimizedRuntime } from '../../runtime/build/buildRuntime';
import { cpuBackendCacheRoot } from '../../runtime/build/cpuBackendCache';
import type { CliCommand } from '../CliCommand';
import { printJson } from '../printJson';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope build-runtime [--force] [--niceness N] [--json]

Builds the optimized runtime: ggml's CPU backend (libggml-cpu) for this CPU, from the llama.cpp source node-llama-cpp
ships (llama/gitRelease.bundle), offline, with cmake and the system compilers (Debian/Ubuntu: apt-get install cmake
build-essential git), as llama.cpp's own reference build: -march=native, OpenMP, llamafile. About 1.5 minutes on 2
quiet cores; longer on a busy machine. \`npm install\` already does this when a compiler is there; this command
is for a machine that got one later. The build is kept per llama.cpp tag and CPU in ~/.cache/promptscope/cpu-backend/
(PROMPTSCOPE_CPU_BACKEND_CACHE overrides it) and the runtime registers it in place of node-llama-cpp's prebuilt CPU
variant from its next start (\`promptscope info MODEL\` says which is used, and why). On failure the prebuilt
binaries stay in use; PROMPTSCOPE_RUNTIME_BINARY=prebuilt in the environment makes the runtime ignore the build.

  --force        Build again even when this CPU already has a build
  --niceness N   CPU priority of the build, 0 (normal) to 19 (lowest); default 10
  --json         Print the result as one JSON object (progress still goes to stderr)
`;

export const buildRuntimeCommand: CliCommand = {
    name: 'build-runtime',
    summary: 'Build the optimized runtime: llama.cpp\'s CPU backend for this CPU, from node-llama-cpp\'s bundled source (offline)',
    usage,
    options: {
        niceness: { type: 'string' },
        force: { type: 'boolean' },
    },
    async run({ values, json }) {
        let niceness = 10;
        if (values.niceness !== undefined) {
            niceness = Number(values.niceness);
            if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) {
                throw new UsageError(`--niceness must be an integer from 0 to 19, got ${String(values.niceness)}`);
            }
        }
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const progress = json ? process.stderr : process.stdout;
        try {
            const result = await buildOptimizedRuntime({
                niceness,
                force: values.force === true,
                signal: controller.signal,
                onLine: line => progress.write(`${line}\n`),
            });
            if (json) {
                printJson({ ...result, cacheFolder: cpuBackendCacheRoot() });
            } else {
                (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
            }
            return result.ok ? 0 : 1;
        } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        }
    },
};
