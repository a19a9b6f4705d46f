import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { compilableCpuTarget } from '../../runtime/build/buildRuntime';
import { nativeBuildRevision } from '../../runtime/build/cpuBackendCache';
import { codeFlagsOf, currentCpuTarget } from '../../runtime/build/cpuTarget';
import { runProcess } from './runProcess';

/** llama.cpp's own programs the bench and the tests compare with, by their cmake target (and binary) name. */
export type ReferenceTool = 'llama-bench' | 'llama-batched-bench' | 'llama-quantize' | 'llama-perplexity' | 'llama-speculative-simple' | 'llama-server';

/** Tools under llama.cpp's examples/, configured only with LLAMA_BUILD_EXAMPLES. */
const exampleTools: ReadonlySet<ReferenceTool> = new Set(['llama-speculative-simple']);

/**
 * The server (tools/server), configured only with LLAMA_BUILD_SERVER. Its web UI is left out: the prebuilt one is a
 * download (no network here, none needed: the tests speak its HTTP API) and building it needs npm.
 */
const serverOptions = ['-DLLAMA_BUILD_SERVER=ON', '-DLLAMA_USE_PREBUILT_UI=OFF', '-DLLAMA_BUILD_UI=OFF'];

export interface ReferenceBuildOptions {
    /** node-llama-cpp's package folder; its `llama/gitRelease.bundle` holds the exact llama.cpp source it ships. */
    nodeLlamaCppDir: string;
    /** Where the reference build is cached. Defaults to `~/.cache/promptscope/reference`. */
    cacheDir?: string;
    /** Progress lines (cmake output is long; we only report phases). */
    onLine?: (line: string) => void;
    /**
     * Build with ggml's CUDA backend (`-DGGML_CUDA=ON`, needs `nvcc`), in a folder of its own, so that a run on an NVIDIA
     * GPU compares with llama.cpp on the same GPU. Defaults to false (the native CPU build).
     */
    cuda?: boolean;
}

/**
 * One native build of llama.cpp's tools from the source node-llama-cpp ships (`<cache>/<tag>/src`, built in
 * `<cache>/<tag>/build`), so that our runtime is compared with llama.cpp itself at the same commit. Each tool is a cmake
 * target of the same configured build: the first one cloned, configured and compiled the libraries (minutes); a tool
 * added later compiles only its own sources (seconds).
 */
export class ReferenceBuild {
    static cacheFolder(options: ReferenceBuildOptions): string {
        return options.cacheDir ?? join(homedir(), '.cache', 'promptscope', 'reference');
    }

    static llamaCppTag(nodeLlamaCppDir: string): string {
        const info = JSON.parse(readFileSync(join(nodeLlamaCppDir, 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string };
        return info.tag;
    }

    /**
     * The folder of node-llama-cpp's llama.cpp tag and this CPU in the cache: `src` and `build` live in it. Per CPU
     * because the build is native: a cache folder that outlives the machine (CI's) may meet another CPU next time.
     */
    static tagFolder(options: ReferenceBuildOptions): string {
        const target = currentCpuTarget();
        const cpu = 'unsupported' in target ? '' : `-${target.fingerprint}-r${nativeBuildRevision}`;
        return join(ReferenceBuild.cacheFolder(options), ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir) + cpu + (options.cuda ? '-cuda' : ''));
    }

    /**
     * cmake's CPU options: those of our native CPU backend (buildRuntime.ts), `-march=native` with ggml's feature options
     * spelled out and AMX left out where the compiler cannot build it, so that both sides of a comparison run the same
     * kernels; GGML_NATIVE where no such target is known (not Linux x64).
     */
    static cpuOptions(env: NodeJS.ProcessEnv = process.env): string[] {
        const found = currentCpuTarget();
        if ('unsupported' in found) return ['-DGGML_NATIVE=ON'];
        const target = compilableCpuTarget(found, env);
        const flags = codeFlagsOf(target).join(' ');
        return ['-DGGML_NATIVE=OFF', ...target.ggmlFeatures.map(feature => `-D${feature}=ON`), `-DCMAKE_C_FLAGS=${flags}`, `-DCMAKE_CXX_FLAGS=${flags}`];
    }

    /** The cached binary of `tool`, if it was built for node-llama-cpp's llama.cpp tag on this CPU. */
    static find(options: ReferenceBuildOptions, tool: ReferenceTool): string | undefined {
        const binary = join(ReferenceBuild.tagFolder(options), 'build', 'bin', tool);
        return existsSync(binary) ? binary : undefined;
    }

    /**
     * Builds `tool` unless cached: in the tag's configured build when there is one (only the tool's own sources
     * compile), else from a fresh clone of the bundled source (about 5 minutes on 2 cores). Returns the binary.
     */
    static async build(options: ReferenceBuildOptions, tool: ReferenceTool): Promise<string> {
        const existing = ReferenceBuild.find(options, tool);
        if (existing) return existing;
        const say = options.onLine ?? (() => {});
        const folder = ReferenceBuild.tagFolder(options);
        const source = join(folder, 'src');
        const build = join(folder, 'build');
        const configured = existsSync(join(build, 'CMakeCache.txt')) && existsSync(join(source, 'CMakeLists.txt'));
        for (const program of [...configured ? ['cmake', 'c++'] : ['git', 'cmake', 'c++'], ...options.cuda ? ['nvcc'] : []]) {
            if (spawnSync(program, ['--version'], { stdio: 'ignore' }).status !== 0) {
                throw new Error(`building the reference ${tool} needs \`${program}\` on PATH (${program === 'nvcc'
                    ? 'the CUDA toolkit: Debian\'s nvidia-cuda-toolkit, or NVIDIA\'s'
                    : 'Debian: apt-get install git cmake g++'})`);
            }
        }
        const started = Date.now();
        if (!configured) {
            // A half-made folder (an interrupted clone or configure) is started over.
            rmSync(folder, { recursive: true, force: true });
            mkdirSync(folder, { recursive: true });
            say(`cloning llama.cpp ${ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir)} from node-llama-cpp's bundled source`);
            await runProcess('git', ['clone', '--quiet', join(options.nodeLlamaCppDir, 'llama', 'gitRelease.bundle'), source], folder);
            say(`configuring (cmake, Release, native CPU${options.cuda ? ', CUDA' : ''})`);
            await runProcess('cmake', ['-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release', ...ReferenceBuild.cpuOptions(), '-DLLAMA_CURL=OFF',
                '-DLLAMA_OPENSSL=OFF', '-DLLAMA_BUILD_TESTS=OFF', ...serverOptions, '-DLLAMA_BUILD_EXAMPLES=ON',
                ...options.cuda ? ['-DGGML_CUDA=ON'] : []], folder);
            say(`compiling ${tool} and llama.cpp's libraries (a few minutes)`);
        } else {
            // A build configured before examples were wanted (an older cache) gets them added; its libraries stay built.
            if (exampleTools.has(tool) && !/^LLAMA_BUILD_EXAMPLES:BOOL=ON$/m.test(readFileSync(join(build, 'CMakeCache.txt'), 'utf8'))) {
                say('adding llama.cpp\'s examples to the configured reference build');
                await runProcess('cmake', ['-S', source, '-B', build, '-DLLAMA_BUILD_EXAMPLES=ON'], folder);
            }
            if (tool === 'llama-server' && !/^LLAMA_BUILD_SERVER:BOOL=ON$/m.test(readFileSync(join(build, 'CMakeCache.txt'), 'utf8'))) {
                say('adding llama.cpp\'s server to the configured reference build');
                await runProcess('cmake', ['-S', source, '-B', build, ...serverOptions], folder);
            }
            say(`compiling ${tool} in the existing reference build (llama.cpp's libraries are already built)`);
        }
        await runProcess('cmake', ['--build', build, '-j', String(Math.max(1, availableParallelism())), '--target', tool], folder);
        const built = ReferenceBuild.find(options, tool);
        if (!built) throw new Error(`the reference build finished but ${join(build, 'bin', tool)} is missing; see the output above`);
        say(`reference ${tool} built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${built}`);
        return built;
    }
}
