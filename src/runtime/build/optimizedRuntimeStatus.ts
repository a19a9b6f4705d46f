import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { llamaCppTag } from './buildRuntime';
import { missingBuildTools, describeMissingTools } from './buildTools';
import { cpuBackendCacheRoot, cpuBackendFolder, findCachedCpuBackend } from './cpuBackendCache';
import { currentCpuTarget } from './cpuTarget';
import { nodeLlamaCppFolder } from './nodeLlamaCppFolder';

/**
 * Where this machine stands with the CPU backend built for its CPU: built (the runtime registers it at its next start),
 * buildable now (everything the build needs is here), or unavailable (the platform, node-llama-cpp's bundled source or
 * the build tools are missing), each with why, for the log.
 */
export type OptimizedRuntimeStatus =
    | { kind: 'built'; library: string }
    | { kind: 'buildable'; why: string }
    | { kind: 'unavailable'; why: string };

export function optimizedRuntimeStatus(options: { env?: NodeJS.ProcessEnv; nodeLlamaCppDir?: string } = {}): OptimizedRuntimeStatus {
    const env = options.env ?? process.env;
    const dir = options.nodeLlamaCppDir ?? nodeLlamaCppFolder();
    if (dir === undefined) return { kind: 'unavailable', why: 'node-llama-cpp is not installed next to Promptscope' };
    const target = currentCpuTarget();
    if ('unsupported' in target) return { kind: 'unavailable', why: target.unsupported };
    const tag = llamaCppTag(dir);
    const root = cpuBackendCacheRoot(env);
    const cached = findCachedCpuBackend(root, tag, target);
    if (cached !== undefined) return { kind: 'built', library: cached.library };
    if (!existsSync(join(dir, 'llama', 'gitRelease.bundle'))) {
        return { kind: 'unavailable', why: `node-llama-cpp's bundled llama.cpp source (${join(dir, 'llama', 'gitRelease.bundle')}) is missing` };
    }
    const missing = missingBuildTools(env);
    if (missing.length > 0) return { kind: 'unavailable', why: describeMissingTools(missing) };
    return { kind: 'buildable', why: `no CPU backend has been built for this CPU and llama.cpp ${tag} yet (${cpuBackendFolder(root, tag, target)})` };
}
