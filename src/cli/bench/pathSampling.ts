import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import type { SamplingOptions } from '../../shared/runtimeApi';

/**
 * Sampling of a self-consistency path as `promptscope run --strategy self-consistency` samples it by default
 * (temperature 0.7), with exactly `genTokens` tokens per path: no repeat penalty, and the end of generation banned
 * (random fixture weights may pick it early), so every path does the same number of decode steps.
 */
export function pathSampling(genTokens: number, seed: number, eosToken: number | undefined): SamplingOptions {
    return {
        temperature: selfConsistencyDefaults.temperature, repeatPenalty: 1, seed, maxTokens: genTokens,
        ...(eosToken !== undefined ? { logitBias: { [eosToken]: 'ban' as const } } : {}),
    };
}
