import { DecodingSettingsError } from '../../shared/errors/DecodingSettingsError';
import { maxBeams, maxLabTokens, type DecodingSettings } from '../../shared/decoding';

const isWhole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/**
 * Checks one decoding's settings before anything runs; throws {@link DecodingSettingsError} naming the first setting
 * that is out of range and what it allows. Settings come from a webview page, so their shape is checked too.
 */
export function validateDecodingSettings(settings: DecodingSettings): DecodingSettings {
    const fail = (field: string, value: unknown, allowed: string): never => {
        throw new DecodingSettingsError(field, value, allowed);
    };
    switch (settings?.method) {
        case 'greedy':
            return { method: 'greedy' };
        case 'beam': {
            const { beams, lengthPenalty, nBest, groups, diversityPenalty } = settings;
            if (!isWhole(beams) || beams < 1 || beams > maxBeams) fail('beams', beams, `a whole number from 1 to ${maxBeams}`);
            if (!isNumber(lengthPenalty) || lengthPenalty < 0) fail('lengthPenalty', lengthPenalty, 'a number ≥ 0 (α of score = log P / length^α)');
            if (!isWhole(nBest) || nBest < 1 || nBest > beams) fail('nBest', nBest, `a whole number from 1 to the beams (${beams})`);
            if (groups !== undefined && (!isWhole(groups) || groups < 1 || beams % groups !== 0)) fail('groups', groups, `a whole number ≥ 1 that divides the beams (${beams})`);
            if (diversityPenalty !== undefined && (!isNumber(diversityPenalty) || diversityPenalty < 0)) fail('diversityPenalty', diversityPenalty, 'a number ≥ 0 (the diversity penalty λ)');
            return {
                method: 'beam', beams, lengthPenalty, nBest,
                ...(groups !== undefined ? { groups } : {}), ...(diversityPenalty !== undefined ? { diversityPenalty } : {}),
            };
        }
        case 'sample': {
            const { temperature, topK, topP, minP, repeatPenalty, seed } = settings;
            if (!isNumber(temperature) || temperature < 0) fail('temperature', temperature, 'a number ≥ 0');
            if (!isWhole(topK) || topK < 0) fail('topK', topK, 'a whole number ≥ 0 (0: off)');
            if (!isNumber(topP) || topP <= 0 || topP > 1) fail('topP', topP, 'a number in (0, 1]');
            if (!isNumber(minP) || minP < 0 || minP >= 1) fail('minP', minP, 'a number in [0, 1)');
            if (!isNumber(repeatPenalty) || repeatPenalty <= 0) fail('repeatPenalty', repeatPenalty, 'a number > 0 (1: none)');
            if (!isWhole(seed) || seed < 0 || seed > 0xffffffff) fail('seed', seed, 'a whole number from 0 to 4294967295');
            return { method: 'sample', temperature, topK, topP, minP, repeatPenalty, seed };
        }
        default:
            return fail('method', (settings as { method?: unknown } | undefined)?.method, 'greedy, beam or sample');
    }
}

/** Checks the tokens one decoding generates at most. */
export function validateMaxTokens(maxTokens: number): number {
    if (!isWhole(maxTokens) || maxTokens < 1 || maxTokens > maxLabTokens) throw new DecodingSettingsError('maxTokens', maxTokens, `a whole number from 1 to ${maxLabTokens}`);
    return maxTokens;
}
