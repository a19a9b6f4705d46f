import { resolve } from 'node:path';
import type { SamplingOptions } from '../../runtime/api';
import { validateSampling } from '../../core/sampling/validateSampling';
import { integerFlag, numberFlag } from '../parseFlags';
import { UsageError } from '../UsageError';
import { reasoningStrategies, type ReasoningStrategy } from '../../core/reasoning/strategies';

/** `--strategy`, checked; undefined when absent. */
export function strategyFlag(values: Record<string, unknown>): ReasoningStrategy | undefined {
    const flag = values.strategy as string | undefined;
    if (flag !== undefined && !reasoningStrategies.includes(flag as ReasoningStrategy)) {
        throw new UsageError(`--strategy must be one of ${reasoningStrategies.join(', ')}; got "${flag}"`);
    }
    return flag as ReasoningStrategy | undefined;
}

/** The sampling flags shared by `run` and `eval` (not the seed), validated before a model is loaded. */
export function samplingFlags(values: Record<string, unknown>): SamplingOptions {
    const flags: SamplingOptions = {};
    const maxTokens = integerFlag(values, 'max-tokens');
    const temperature = numberFlag(values, 'temperature');
    const topK = integerFlag(values, 'top-k');
    const topP = numberFlag(values, 'top-p');
    const minP = numberFlag(values, 'min-p');
    if (maxTokens !== undefined) flags.maxTokens = maxTokens;
    if (temperature !== undefined) flags.temperature = temperature;
    if (topK !== undefined) flags.topK = topK;
    if (topP !== undefined) flags.topP = topP;
    if (minP !== undefined) flags.minP = minP;
    validateSampling(flags);
    return flags;
}

/** `--samples N`, at least 1. */
export function samplesFlag(values: Record<string, unknown>): number | undefined {
    const samples = integerFlag(values, 'samples');
    if (samples !== undefined && samples < 1) throw new UsageError(`--samples must be at least 1; got ${samples}`);
    return samples;
}

/** `--variants a.prompt,b.prompt`: ensemble files relative to the working directory. */
export function variantsFlag(values: Record<string, unknown>): string[] | undefined {
    const raw = values.variants as string | undefined;
    if (raw === undefined) return undefined;
    const files = raw.split(',').map(f => f.trim()).filter(f => f !== '');
    if (files.length === 0) throw new UsageError('--variants expects a comma-separated list of .prompt files');
    return files.map(f => resolve(f));
}
