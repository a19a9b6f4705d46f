import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CpuTarget } from './cpuTarget';

/** The library file of a native CPU backend build (ggml loads CPU backends named `libggml-cpu-*.so`). */
export const cpuBackendLibraryName = 'libggml-cpu-native.so';

/** What a finished build records beside its library (`build.json`). */
export interface CpuBackendBuildRecord {
    llamaCppTag: string;
    cpuModel: string;
    ggmlFeatures: string[];
    /** Why the CPU's AMX was left out of the build, when it was. */
    amxLeftOut?: string;
    /** Every cmake option the build was configured with, as `NAME=VALUE`. */
    cmakeOptions: string[];
    compiler: string;
    seconds: number;
    builtAt: string;
}

/**
 * Where native CPU backends are kept: one folder per llama.cpp tag and CPU, so a second clone of the project (or a
 * reinstall of node-llama-cpp) on the same machine reuses the build instead of compiling again. The folder is the
 * environment's `PROMPTSCOPE_CPU_BACKEND_CACHE` when set (tests point it elsewhere), else
 * `~/.cache/promptscope/cpu-backend`.
 */
export function cpuBackendCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
    return env.PROMPTSCOPE_CPU_BACKEND_CACHE || join(homedir(), '.cache', 'promptscope', 'cpu-backend');
}

/**
 * The revision of how a native build is made, part of its folder's name, so that a change that makes older builds
 * wrong retires them on every machine. 2: AMX only where the compiler passes amxToolchainCheck.ts (revision 1 builds
 * on an AMX CPU with GCC 12 crash in every quantized matrix product).
 */
export const nativeBuildRevision = 2;

/** The folder of the build for `tag` on `target`: `<root>/<tag>-<fingerprint>-r<revision>/`. */
export function cpuBackendFolder(root: string, tag: string, target: CpuTarget): string {
    return join(root, `${tag}-${target.fingerprint}-r${nativeBuildRevision}`);
}

/** A finished build: its library and what it recorded. */
export interface CachedCpuBackend {
    library: string;
    record: CpuBackendBuildRecord;
}

/** The finished build for `tag` on `target`, if there is one (a folder without its record is an unfinished build). */
export function findCachedCpuBackend(root: string, tag: string, target: CpuTarget): CachedCpuBackend | undefined {
    const folder = cpuBackendFolder(root, tag, target);
    const library = join(folder, cpuBackendLibraryName);
    const recordFile = join(folder, 'build.json');
    if (!existsSync(library) || !existsSync(recordFile)) return undefined;
    try {
        return { library, record: JSON.parse(readFileSync(recordFile, 'utf8')) as CpuBackendBuildRecord };
    } catch {
        return undefined;
    }
}
