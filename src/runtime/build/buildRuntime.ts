import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describeMissingTools, findOnPath, missingBuildTools } from './buildTools';
import { cpuBackendCacheRoot, cpuBackendFolder, cpuBackendLibraryName, findCachedCpuBackend, type CachedCpuBackend, type CpuBackendBuildRecord } from './cpuBackendCache';
import { checkAmxToolchain } from './amxToolchainCheck';
import { codeFlagsOf, currentCpuTarget, hasAmx, withoutAmx, type CpuTarget } from './cpuTarget';
import { nodeLlamaCppFolder } from './nodeLlamaCppFolder';
import { runBuildProcess } from './runBuildProcess';

/**
 * The optimized runtime: ggml's CPU backend (libggml-cpu) compiled for this CPU from the llama.cpp source node-llama-cpp
 * ships (`llama/gitRelease.bundle`), offline, with the options of the reference llama-bench build (native instruction
 * sets, OpenMP, llamafile's sgemm). Only that one library is built (about 1.5 minutes on 2 cores, against 12 for
 * node-llama-cpp's whole binding): the prompt-processing gap between node-llama-cpp's prebuilt binaries and llama.cpp's
 * own tools is all in the CPU backend, and everything else (libllama, libggml, libggml-base, node-llama-cpp's binding
 * and our addon) stays node-llama-cpp's prebuilt one, so the process keeps one consistent set of libraries. The runtime
 * registers it before node-llama-cpp loads its own CPU variant (LlamaBackend, cpuBackendChoice.ts). It is built at
 * `npm install` (scripts/build-cpu-backend.mjs), by `promptscope build-runtime` and by the VS Code command, and kept
 * per llama.cpp tag and CPU in ~/.cache/promptscope/cpu-backend/ (cpuBackendCache.ts), so a second clone reuses it.
 */

export { describeMissingTools, findOnPath, missingBuildTools, type MissingTool } from './buildTools';

export interface BuildRuntimeOptions {
    /** One call per line of the build's output (ANSI colours removed, empty lines skipped). */
    onLine?: (line: string) => void;
    signal?: AbortSignal;
    /** Environment the build runs in (PATH decides which cmake and compiler are found). Defaults to process.env. */
    env?: NodeJS.ProcessEnv;
    /** Niceness of the build (0–19). Defaults to 10: the machine stays usable while it compiles. */
    niceness?: number;
    /** node-llama-cpp's package folder. Defaults to the one found next to this file. */
    nodeLlamaCppDir?: string;
    /** Build again even when this CPU already has a build for this llama.cpp tag. Defaults to false. */
    force?: boolean;
}

export interface BuildRuntimeResult {
    ok: boolean;
    /** What happened, in one or two sentences a user can act on. */
    message: string;
    seconds: number;
    /** The CPU backend library, when the build succeeded or was already there. */
    library?: string;
    /** The build was already in the cache: nothing was compiled. */
    cached?: boolean;
    cancelled?: boolean;
}

/** The llama.cpp release tag node-llama-cpp ships (its bundled source and prebuilt binaries), e.g. `v0.5.0`. */
export function llamaCppTag(nodeLlamaCppDir: string): string {
    return (JSON.parse(readFileSync(join(nodeLlamaCppDir, 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string }).tag;
}

/**
 * cmake options of the CPU backend build for `target`. As the reference llama-bench build (GGML_NATIVE, OpenMP,
 * llamafile): `-march=native` for the code, with GGML_NATIVE's equivalent spelled out as feature options because
 * ggml refuses GGML_NATIVE with GGML_BACKEND_DL (which a library loaded at run time needs: it exports
 * ggml_backend_init and a score). Unversioned sonames and no build rpath: the library must bind to the
 * `libggml-base.so` node-llama-cpp has already loaded, never to one of its own.
 */
export function cpuBackendCmakeOptions(target: CpuTarget): string[] {
    return [
        'CMAKE_BUILD_TYPE=Release',
        'BUILD_SHARED_LIBS=ON',
        'GGML_BACKEND_DL=ON',
        'GGML_NATIVE=OFF',
        'GGML_CPU_ALL_VARIANTS=OFF',
        ...target.ggmlFeatures.map(feature => `${feature}=ON`),
        `CMAKE_C_FLAGS=${codeFlagsOf(target).join(' ')}`,
        `CMAKE_CXX_FLAGS=${codeFlagsOf(target).join(' ')}`,
        'GGML_OPENMP=ON',
        'GGML_LLAMAFILE=ON',
        'GGML_CCACHE=OFF',
        'CMAKE_PLATFORM_NO_VERSIONED_SONAME=ON',
        'CMAKE_SKIP_BUILD_RPATH=ON',
        'LLAMA_BUILD_COMMON=OFF',
        'LLAMA_BUILD_TESTS=OFF',
        'LLAMA_BUILD_EXAMPLES=OFF',
        'LLAMA_BUILD_TOOLS=OFF',
        'LLAMA_BUILD_SERVER=OFF',
        'LLAMA_CURL=OFF',
        'LLAMA_OPENSSL=OFF',
    ];
}

/**
 * What a native build for `target` is compiled for: `target` itself, or `target` without AMX when the compiler cannot
 * compile ggml's AMX code right (checked only on CPUs with AMX; the reference tools get the same, so both sides of a
 * comparison run the same kernels).
 */
export function compilableCpuTarget(target: CpuTarget, env: NodeJS.ProcessEnv = process.env): CpuTarget {
    if (!hasAmx(target)) return target;
    const verdict = checkAmxToolchain('c++', env);
    return verdict.usable ? target : withoutAmx(target, verdict.reason);
}

/** The cached CPU backend for this CPU and node-llama-cpp's llama.cpp tag, or why there is none. */
export function findOptimizedRuntime(options: { env?: NodeJS.ProcessEnv; nodeLlamaCppDir?: string } = {}): CachedCpuBackend | { missing: string } {
    const dir = options.nodeLlamaCppDir ?? nodeLlamaCppFolder();
    if (dir === undefined) return { missing: 'node-llama-cpp is not installed next to Promptscope' };
    const target = currentCpuTarget();
    if ('unsupported' in target) return { missing: target.unsupported };
    const root = cpuBackendCacheRoot(options.env);
    const tag = llamaCppTag(dir);
    return findCachedCpuBackend(root, tag, target)
        ?? { missing: `no CPU backend has been built for this CPU and llama.cpp ${tag} yet (looked in ${cpuBackendFolder(root, tag, target)}); \`promptscope build-runtime\` or \`npm install\` builds it` };
}

function firstLine(command: string, env: NodeJS.ProcessEnv): string {
    const run = spawnSync(command, ['--version'], { encoding: 'utf8', env });
    return (run.stdout ?? '').split('\n')[0]?.trim() || command;
}

export async function buildOptimizedRuntime(options: BuildRuntimeOptions = {}): Promise<BuildRuntimeResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const env = options.env ?? process.env;
    const onLine = options.onLine ?? (() => undefined);
    const failed = (message: string): BuildRuntimeResult => ({ ok: false, seconds: seconds(), message: `${message} The prebuilt runtime stays in use.` });

    const dir = options.nodeLlamaCppDir ?? nodeLlamaCppFolder();
    if (dir === undefined) return failed('Cannot build the optimized runtime: node-llama-cpp is not installed next to Promptscope.');
    const target = currentCpuTarget();
    if ('unsupported' in target) return failed(`Cannot build the optimized runtime: ${target.unsupported}.`);
    const bundle = join(dir, 'llama', 'gitRelease.bundle');
    if (!existsSync(bundle)) {
        return failed(`Cannot build the optimized runtime offline: ${bundle} (the llama.cpp source node-llama-cpp ships) is missing; reinstall node-llama-cpp.`);
    }
    const tag = llamaCppTag(dir);
    const root = cpuBackendCacheRoot(env);
    const cached = findCachedCpuBackend(root, tag, target);
    if (cached && !options.force) {
        return {
            ok: true, cached: true, seconds: seconds(), library: cached.library,
            message: `The optimized CPU backend for this CPU (${target.model}) and llama.cpp ${tag} is already built: ${cached.library}.`,
        };
    }
    const missing = missingBuildTools(env);
    if (missing.length > 0) return { ok: false, seconds: seconds(), message: describeMissingTools(missing) };
    if (options.signal?.aborted) return { ...failed('Build cancelled before it started.'), cancelled: true };

    const step = (command: string, args: string[], cwd: string) =>
        runBuildProcess(command, args, { cwd, env, niceness: options.niceness ?? 10, signal: options.signal, onLine });
    const why = (tail: string[]) => tail.filter(line => /error|fail|not found/i.test(line)).slice(-3).join(' | ') || tail.slice(-3).join(' | ') || 'no output';

    mkdirSync(root, { recursive: true });
    // One source clone per tag, shared by the CPUs' builds; a clone without ggml's CPU sources is half made.
    const source = join(root, `src-${tag}`);
    if (!existsSync(join(source, 'ggml', 'src', 'ggml-cpu', 'CMakeLists.txt'))) {
        rmSync(source, { recursive: true, force: true });
        onLine(`Cloning llama.cpp ${tag} from node-llama-cpp's bundled source (offline) into ${source}`);
        const clone = await step('git', ['clone', '--quiet', '--depth', '1', bundle, source], root);
        if (options.signal?.aborted) return { ...failed('Build cancelled.'), cancelled: true };
        if (clone.code !== 0) return failed(`The optimized runtime build failed: git clone of ${bundle} exited ${String(clone.code)}: ${why(clone.tail)}.`);
    }

    const build = join(root, `build-${tag}-${target.fingerprint}-${process.pid}`);
    rmSync(build, { recursive: true, force: true });
    const buildTarget = compilableCpuTarget(target, env);
    if (buildTarget.amxLeftOut) onLine(`AMX left out: ${buildTarget.amxLeftOut}`);
    const cmakeOptions = cpuBackendCmakeOptions(buildTarget);
    const generator = findOnPath('ninja', env) ? ['-G', 'Ninja'] : [];
    onLine(`Configuring ggml's CPU backend for ${target.model} (${buildTarget.ggmlFeatures.map(f => f.replace(/^GGML_/, '')).join(' ')}; ${codeFlagsOf(buildTarget).join(' ')}, OpenMP, llamafile)`);
    try {
        const configure = await step('cmake', ['-S', source, '-B', build, ...generator, ...cmakeOptions.map(option => `-D${option}`)], root);
        if (options.signal?.aborted) return { ...failed('Build cancelled.'), cancelled: true };
        if (configure.code !== 0) return failed(`The optimized runtime build failed: cmake configure exited ${String(configure.code)}: ${why(configure.tail)}.`);
        onLine(`Compiling libggml-cpu (about 30 files; ~1.5 minutes on 2 cores, longer on a busy machine)`);
        const compile = await step('cmake', ['--build', build, '--target', 'ggml-cpu', '-j', String(Math.max(1, availableParallelism()))], root);
        if (options.signal?.aborted) return { ...failed('Build cancelled (a partial build is never loaded).'), cancelled: true };
        const product = join(build, 'bin', 'libggml-cpu.so');
        if (compile.code !== 0 || !existsSync(product)) {
            return failed(`The optimized runtime build failed: cmake --build exited ${String(compile.code)}: ${why(compile.tail)}.`);
        }

        // Written beside the final folder, then renamed into place: a reader never sees a library without its record.
        const folder = cpuBackendFolder(root, tag, target);
        const staging = `${folder}.partial-${process.pid}`;
        rmSync(staging, { recursive: true, force: true });
        mkdirSync(staging, { recursive: true });
        copyFileSync(product, join(staging, cpuBackendLibraryName));
        const record: CpuBackendBuildRecord = {
            llamaCppTag: tag,
            cpuModel: target.model,
            ggmlFeatures: buildTarget.ggmlFeatures,
            ...buildTarget.amxLeftOut ? { amxLeftOut: buildTarget.amxLeftOut } : {},
            cmakeOptions,
            compiler: firstLine('c++', env),
            seconds: Math.round(seconds()),
            builtAt: new Date().toISOString(),
        };
        writeFileSync(join(staging, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
        rmSync(folder, { recursive: true, force: true });
        try {
            renameSync(staging, folder);
        } catch (error) {
            // Another install finished the same build first: theirs is as good as ours.
            rmSync(staging, { recursive: true, force: true });
            if (!findCachedCpuBackend(root, tag, target)) throw error;
        }
        const library = join(folder, cpuBackendLibraryName);
        return {
            ok: true,
            seconds: seconds(),
            library,
            message: `Built the optimized CPU backend for ${target.model} in ${seconds().toFixed(0)} s: ${library}. Promptscope uses it from the `
                + 'next start of its runtime (reload the model in a new window, or rerun the CLI); the prebuilt one is used when it is absent or fails to load.',
        };
    } finally {
        rmSync(build, { recursive: true, force: true });
    }
}
