import type { GpuSetting, LoraAdapterSpec } from '../runtime/api';
import { integerFlag, loraFlags } from './parseFlags';
import { RuntimeSession } from './runtimeSession';

/**
 * Loads the model named by the common flags (`--model`, `--threads`, `--gpu`, `--lora`, plus a prompt file's own
 * adapters), runs `work` on it and closes the runtime. Ctrl-C aborts through the signal instead of killing the
 * process, so the host is stopped cleanly and a partial result can still be printed.
 */
export async function withFlagModel<T>(
    values: Record<string, unknown>,
    verbose: boolean,
    promptLora: readonly LoraAdapterSpec[],
    work: (session: RuntimeSession, signal: AbortSignal) => Promise<T>,
): Promise<T> {
    const session = new RuntimeSession(verbose);
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    try {
        await session.load({
            model: values.model as string | undefined,
            threads: integerFlag(values, 'threads'),
            gpu: values.gpu as GpuSetting | undefined,
            lora: [...promptLora, ...loraFlags(values)],
        }, controller.signal);
        return await work(session, controller.signal);
    } finally {
        process.off('SIGINT', onInterrupt);
        await session.close();
    }
}
