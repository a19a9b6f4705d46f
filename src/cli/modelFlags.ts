import type { GpuSetting, LoraAdapterSpec } from '../shared/runtimeApi';
import { stringOptions } from './optionTables';
import { integerFlag, loraFlags, numberFlag, threadsFlag } from './parseFlags';
import type { ModelChoice } from './runtimeSession';

/**
 * The flags that choose and load the model: `--model`, `--threads`, `--gpu`, `--lora PATH[:SCALE]` (repeatable), and
 * `--runtime-timeout SECONDS`, how long the runtime may not respond before the command fails.
 */
export const modelOptions = {
    ...stringOptions('model', 'threads', 'gpu', 'runtime-timeout'),
    lora: { type: 'string', multiple: true },
} as const;

/** `--context-size N`, for the commands whose prompts may need a larger context than the default. */
export const contextSizeOption = stringOptions('context-size');

/**
 * The model to load as the flags say. The prompt's own adapters (`promptscope.lora`) come before those of
 * `--lora`. `--context-size` is read only where a command declares it (parseArgs rejects it elsewhere).
 */
export function modelChoice(values: Record<string, unknown>): ModelChoice & { lora: LoraAdapterSpec[] } {
    return {
        model: values.model as string | undefined,
        threads: threadsFlag(values),
        gpu: values.gpu as GpuSetting | undefined,
        contextSize: integerFlag(values, 'context-size'),
        lora: loraFlags(values),
        runtimeTimeoutSeconds: numberFlag(values, 'runtime-timeout'),
    };
}
