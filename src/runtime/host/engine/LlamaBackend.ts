import type { Llama, LlamaLogLevel } from 'node-llama-cpp';
import type { GpuSetting, LogLevel, ModelInfo, RuntimeLogSink } from '../../../shared/runtimeApi';
import { chooseCpuBackend, type CpuBackendChoice } from './cpuBackendChoice';
import { loadLlamaModule } from './llamaModule';
import { LlamaLogTail } from './LlamaLogTail';

/**
 * Where the native llama.cpp binding comes from: node-llama-cpp's prebuilt binaries (`@node-llama-cpp/<platform>`),
 * never compiled at load time (`auto` would, when nothing loads: minutes, and a toolchain). Their CPU backend is
 * replaced by the one built for this CPU when there is one (cpuBackendChoice.ts); ModelInfo.runtimeBinary says which.
 */
export const llamaBuildMode: 'never' | 'auto' = 'never';

/**
 * Makes node-llama-cpp skip local builds of its whole binding (in `llama/localBuilds`, made by its own `source
 * download`, or by earlier Promptscope versions): our addon links the prebuilt libllama/libggml, and a process must
 * hold one set of llama.cpp libraries. node-llama-cpp 3.22.1 has no option for that; a custom cmake option does it:
 * local builds are looked up under a folder name that includes custom cmake options (no such folder exists), prebuilt
 * binaries under the name without them.
 */
export const prebuiltOnlyCmakeOptions: Readonly<Record<string, string>> = { PROMPTSCOPE_PREBUILT_ONLY: 'ON' };

/** ggml's line naming the CPU backend library it loaded (node-llama-cpp's prebuilt variant, when it loads one). */
const loadedCpuBackendLine = /load_backend: loaded CPU backend from (.+)$/;

/** The prebuilt variant ggml loaded in this process: it logs that once, and the registry keeps it for later Llamas. */
let prebuiltVariant: string | undefined;

/** The CPU backend each live Llama computes with (for ModelInfo; see {@link describeRuntimeBinary}). */
const choices = new WeakMap<Llama, CpuBackendChoice>();

/** ModelInfo's runtimeBinary, cpuBackend and runtimeBinaryReason for a Llama made by {@link LlamaBackend.create}. */
export function describeRuntimeBinary(llama: Llama): Pick<ModelInfo, 'runtimeBinary' | 'cpuBackend' | 'runtimeBinaryReason'> {
    const choice = choices.get(llama);
    // node-llama-cpp hands log lines over in a later microtask: the prebuilt variant's line comes after getLlama returns.
    const library = choice?.runtimeBinary === 'optimized' ? choice.library : prebuiltVariant;
    return { runtimeBinary: choice?.runtimeBinary ?? 'prebuilt', cpuBackend: library, runtimeBinaryReason: choice?.reason };
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
        // Registered before getLlama, so that node-llama-cpp finds a CPU backend and loads none of its own.
        const choice: CpuBackendChoice = { ...await chooseCpuBackend(gpu) };
        const logger = (level: LlamaLogLevel, message: string) => {
            tail.record(level, message);
            const text = message.replace(/\s+$/, '');
            const loaded = loadedCpuBackendLine.exec(text);
            if (loaded !== null && choice.runtimeBinary === 'prebuilt') prebuiltVariant = loaded[1];
            if (text !== '') log(levelOf[level] ?? 'info', text, 'llama.cpp');
        };
        let llama: Llama;
        try {
            llama = await getLlama({
                gpu: gpu === 'off' ? false : gpu,
                build: llamaBuildMode,
                cmakeOptions: { ...prebuiltOnlyCmakeOptions },
                logLevel: Levels.info,
                logger,
                progressLogs: false,
            });
        } catch (error) {
            throw new Error(`The llama.cpp backend for gpu = "${gpu}" is not available: ${(error as Error).message}. `
                + 'Set promptscope.gpu to "auto" (or "off" for CPU only).');
        }
        choices.set(llama, choice);
        log('info', choice.runtimeBinary === 'optimized'
            ? `llama.cpp CPU backend: optimized for this CPU, ${choice.library} (${choice.reason})`
            : `llama.cpp CPU backend: node-llama-cpp's prebuilt variant (ggml names it at node-llama-cpp's log level "log"), because ${choice.reason}`, 'runtime');
        return new LlamaBackend(llama, gpu, tail);
    }

    dispose(): Promise<void> {
        return this.llama.dispose();
    }
}
