import type { Llama, LlamaLogLevel } from 'node-llama-cpp';
import type { GpuSetting, LogLevel, RuntimeLogSink } from '../../../shared/runtimeApi';
import { loadLlamaModule } from './llamaModule';
import { LlamaLogTail } from './LlamaLogTail';

/**
 * Where the native llama.cpp binding comes from. `never`: a local build when one exists (node-llama-cpp 3.22.1's
 * loadExistingLlamaBinary tries `llama/localBuilds/<platform-arch>` first, as `promptscope build-runtime` makes it),
 * else — also when that build fails to load — the prebuilt binaries shipped in `@node-llama-cpp/<platform>`; never
 * compile at load time (`auto` would, when nothing loads: minutes, and a toolchain). ModelInfo.runtimeBinary says
 * which one was loaded.
 */
export const llamaBuildMode: 'never' | 'auto' = 'never';

/**
 * `PROMPTSCOPE_RUNTIME_BINARY=prebuilt` skips a local build (to compare with it, or when it misbehaves without
 * failing to load). node-llama-cpp 3.22.1 has no option for that; a custom cmake option does it: local builds are
 * looked up under a folder name that includes custom cmake options (no such folder exists), prebuilt binaries
 * under the name without them.
 */
export function prebuiltOnlyCmakeOptions(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
    return env.PROMPTSCOPE_RUNTIME_BINARY === 'prebuilt' ? { PROMPTSCOPE_PREBUILT_ONLY: 'ON' } : undefined;
}

/** Our log levels for node-llama-cpp's (which adds `fatal`, `log` and `disabled`). */
const levelOf: Record<string, LogLevel> = {
    fatal: 'error', error: 'error', warn: 'warn', info: 'info', log: 'info', debug: 'debug',
};

/**
 * The node-llama-cpp `Llama` instance for one GPU setting, with llama.cpp's own log routed to the
 * runtime's log sink and its recent errors kept for error messages.
 */
export class LlamaBackend {
    private constructor(readonly llama: Llama, readonly gpu: GpuSetting, readonly logTail: LlamaLogTail) {}

    static async create(gpu: GpuSetting, log: RuntimeLogSink): Promise<LlamaBackend> {
        const { getLlama, LlamaLogLevel: Levels } = await loadLlamaModule();
        const tail = new LlamaLogTail();
        const logger = (level: LlamaLogLevel, message: string) => {
            tail.record(level, message);
            const text = message.replace(/\s+$/, '');
            if (text !== '') log(levelOf[level] ?? 'info', text, 'llama.cpp');
        };
        let llama: Llama;
        try {
            llama = await getLlama({
                gpu: gpu === 'off' ? false : gpu,
                build: llamaBuildMode,
                cmakeOptions: prebuiltOnlyCmakeOptions(),
                logLevel: Levels.info,
                logger,
                progressLogs: false,
            });
        } catch (error) {
            throw new Error(`The llama.cpp backend for gpu = "${gpu}" is not available: ${(error as Error).message}. `
                + 'Set promptscope.gpu to "auto" (or "off" for CPU only).');
        }
        return new LlamaBackend(llama, gpu, tail);
    }

    dispose(): Promise<void> {
        return this.llama.dispose();
    }
}
