import type { GpuSetting } from '../../../shared/runtimeApi';
import { findOptimizedRuntime } from '../../build/buildRuntime';
import { loadCpuBackend } from './llamaExtrasAddon';
import { loadLlamaModule } from './llamaModule';

/** Which CPU backend this process computes with, and why. */
export interface CpuBackendChoice {
    runtimeBinary: 'optimized' | 'prebuilt';
    /** The optimized library; for the prebuilt binaries ggml picks a variant when node-llama-cpp loads (LlamaBackend logs it). */
    library?: string;
    reason: string;
}

/** What the choice consults; each defaults to the real thing (tests replace them). */
export interface CpuBackendChoiceDeps {
    env?: NodeJS.ProcessEnv;
    /** Defaults to node-llama-cpp's `getLlamaGpuTypes('supported')`. */
    supportedGpuTypes?: () => Promise<readonly (string | false)[]>;
    /** Defaults to the cached build for this CPU (src/runtime/build). */
    findLibrary?: () => { library: string; builtWith: string } | { missing: string };
    /** Defaults to the addon's loadCpuBackend: undefined once registered, else why not. */
    register?: (library: string) => string | undefined;
}

/** The one optimized backend registered in this process: ggml's registry keeps it until the process ends. */
let registered: CpuBackendChoice | undefined;

function cachedLibrary(env: NodeJS.ProcessEnv): { library: string; builtWith: string } | { missing: string } {
    const found = findOptimizedRuntime({ env });
    if ('missing' in found) return found;
    const { record } = found;
    return { library: found.library, builtWith: `built ${record.builtAt.slice(0, 10)} for ${record.cpuModel} with -march=native, OpenMP and llamafile by ${record.compiler}` };
}

/**
 * Decides, before node-llama-cpp creates its Llama, whether this process computes on the CPU backend built for this
 * CPU, and registers it if so. Why a process keeps node-llama-cpp's prebuilt CPU variant: PROMPTSCOPE_RUNTIME_BINARY
 * is `prebuilt` (to compare), a GPU is asked for or may be used (node-llama-cpp then loads its GPU build with its own
 * CPU variant: two CPU backends must not be registered), no build exists for this CPU and llama.cpp tag (no compiler at
 * install, or not built yet), or ggml refused the library (see cpuBackend.cc); each with its reason for the log.
 */
export async function chooseCpuBackend(gpu: GpuSetting, deps: CpuBackendChoiceDeps = {}): Promise<CpuBackendChoice> {
    if (registered) return registered;
    const env = deps.env ?? process.env;
    const prebuilt = (reason: string): CpuBackendChoice => ({ runtimeBinary: 'prebuilt', reason });
    if (env.PROMPTSCOPE_RUNTIME_BINARY === 'prebuilt') return prebuilt('PROMPTSCOPE_RUNTIME_BINARY=prebuilt is set');
    if (gpu !== 'off' && gpu !== 'auto') return prebuilt(`promptscope.gpu is "${gpu}": node-llama-cpp's GPU build brings its own CPU backend`);
    if (gpu === 'auto') {
        const supported = await (deps.supportedGpuTypes ?? (async () => (await loadLlamaModule()).getLlamaGpuTypes('supported')))();
        const gpus = supported.filter(type => type !== false);
        if (gpus.length > 0) return prebuilt(`a GPU backend (${gpus.join(', ')}) may be used with promptscope.gpu "auto"; set it to "off" to compute on the optimized CPU backend`);
    }
    const found = (deps.findLibrary ?? (() => cachedLibrary(env)))();
    if ('missing' in found) return prebuilt(found.missing);
    const refused = (deps.register ?? loadCpuBackend)(found.library);
    if (refused !== undefined) return prebuilt(`the optimized CPU backend ${found.library} was not loaded: ${refused}`);
    registered = { runtimeBinary: 'optimized', library: found.library, reason: found.builtWith };
    return registered;
}
