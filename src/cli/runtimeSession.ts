import { resolve } from 'node:path';
import type { GpuSetting, LoadModelOptions, LoraAdapterSpec, ModelInfo } from '../shared/runtimeApi';
import { defaultResponseTimeoutSeconds, RuntimeClient } from '../runtime/client/RuntimeClient';
import { isRemoteModelUri } from '../core/model/modelUri';
import { UsageError } from './UsageError';
import { checkRuntimeSwitches } from '../shared/environmentSwitches';

export interface ModelChoice {
    /** `--model`, else the PROMPTSCOPE_MODEL environment variable. */
    model: string | undefined;
    threads?: number;
    gpu?: GpuSetting;
    contextSize?: number;
    lora?: LoraAdapterSpec[];
    /** `--runtime-timeout`, else the PROMPTSCOPE_RUNTIME_TIMEOUT environment variable (see {@link chooseResponseTimeout}). */
    runtimeTimeoutSeconds?: number;
}

/** The model to load: a path made absolute (relative to the working directory) or an `hf:` URI as given. */
export function chooseModel(flag: string | undefined): string {
    const model = flag ?? process.env.PROMPTSCOPE_MODEL;
    if (model === undefined || model.trim() === '') {
        throw new UsageError('no model given: pass --model PATH.gguf (or hf:owner/repo:quant), or set PROMPTSCOPE_MODEL. '
            + '`promptscope fixture-model model.gguf` writes a small test model.');
    }
    return isRemoteModelUri(model) ? model : resolve(model);
}

/**
 * Seconds the runtime may not respond (or a download send nothing) before the command fails: `--runtime-timeout`,
 * else PROMPTSCOPE_RUNTIME_TIMEOUT, else 30; 0 turns the check off.
 */
export function chooseResponseTimeout(flag: number | undefined): number {
    const fromEnvironment = process.env.PROMPTSCOPE_RUNTIME_TIMEOUT?.trim();
    const [value, source] = flag !== undefined ? [flag, '--runtime-timeout'] as const
        : fromEnvironment ? [Number(fromEnvironment), 'PROMPTSCOPE_RUNTIME_TIMEOUT'] as const
        : [defaultResponseTimeoutSeconds, ''] as const;
    if (!Number.isFinite(value) || value < 0) {
        const given = source === '--runtime-timeout' ? String(flag) : JSON.stringify(fromEnvironment);
        throw new UsageError(`${source} expects a number of seconds ≥ 0 (0 turns the check off; default ${defaultResponseTimeoutSeconds}), got ${given}`);
    }
    return value;
}

/**
 * A runtime client for one CLI invocation: llama.cpp's log goes to stderr with --verbose only, download
 * progress goes to stderr, and `close()` stops the host so the process can exit.
 */
export class RuntimeSession {
    readonly client: RuntimeClient;
    /** Set by {@link load}, from the choice's flag or the environment. */
    private responseTimeoutSeconds = defaultResponseTimeoutSeconds;

    /** `env`: added to the runtime host's environment (a training runtime's patched library). Defaults to none. */
    constructor(private readonly verbose: boolean, env?: NodeJS.ProcessEnv) {
        this.client = new RuntimeClient({
            ...(env ? { env } : {}),
            responseTimeoutSeconds: () => this.responseTimeoutSeconds,
            log: (level, message, source) => {
                if (verbose && level !== 'debug' && level !== 'trace') process.stderr.write(`[${source}] ${message}\n`);
            },
        });
    }

    async load(choice: ModelChoice, signal?: AbortSignal): Promise<ModelInfo> {
        const options: LoadModelOptions = { model: chooseModel(choice.model) };
        this.responseTimeoutSeconds = chooseResponseTimeout(choice.runtimeTimeoutSeconds);
        checkRuntimeSwitches(process.env);
        if (choice.threads !== undefined) options.threads = choice.threads;
        if (choice.gpu !== undefined) options.gpu = choice.gpu;
        if (choice.contextSize !== undefined) options.contextSize = choice.contextSize;
        if (choice.lora && choice.lora.length > 0) options.lora = choice.lora;
        let lastPercent = -1;
        return this.client.loadModel(options, {
            signal,
            onProgress: progress => {
                if (progress.phase !== 'download' || !process.stderr.isTTY && !this.verbose) return;
                const percent = Math.floor(progress.fraction * 100);
                if (percent === lastPercent) return;
                lastPercent = percent;
                process.stderr.write(`\rDownloading ${options.model}: ${percent}%${percent === 100 ? '\n' : ''}`);
            },
        });
    }

    close(): Promise<void> {
        return this.client.dispose();
    }
}
