import { buildOptimizedRuntime, existingLocalBuilds, localBuildsFolder } from '../../runtime/build/buildRuntime';
import type { CliCommand } from '../CliCommand';
import { printJson } from '../printJson';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope build-runtime [--niceness N] [--json]

Builds node-llama-cpp's native llama.cpp binding for this CPU from the llama.cpp source node-llama-cpp ships
(llama/gitRelease.bundle), offline, with cmake and the system C++ compiler (Debian/Ubuntu: apt-get install
cmake build-essential git). About 5 minutes on 2 quiet cores; much longer on a busy machine. Progress lines are
printed as they come. The build lands in node-llama-cpp's own local builds folder
(node_modules/node-llama-cpp/llama/localBuilds/); the runtime prefers it from the next model load and falls
back to the prebuilt binaries when it is absent or fails to load (\`promptscope info MODEL\` says which is used).
On failure the prebuilt binaries stay in use. Reinstalling node-llama-cpp removes the build;
PROMPTSCOPE_RUNTIME_BINARY=prebuilt in the environment makes the runtime ignore it.

  --niceness N   CPU priority of the build, 0 (normal) to 19 (lowest); default 10
  --json         Print the result as one JSON object (progress still goes to stderr)
`;

export const buildRuntimeCommand: CliCommand = {
    name: 'build-runtime',
    summary: 'Build node-llama-cpp\'s native binding for this CPU from its bundled llama.cpp source (offline)',
    usage,
    options: {
        niceness: { type: 'string' },
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
                signal: controller.signal,
                onLine: line => progress.write(`${line}\n`),
            });
            if (json) {
                printJson({ ...result, localBuildsFolder: localBuildsFolder(), localBuilds: existingLocalBuilds() });
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
