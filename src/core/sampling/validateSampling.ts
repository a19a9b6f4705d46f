import { watermarkDefaults, type WatermarkOptions } from '../../shared/watermark';
import { watermarkKeyHash } from '../watermark/greenList';
import { SamplingOptionsError } from '../../shared/errors/SamplingOptionsError';
import { maxSeed } from '../../shared/limits';
import { samplingDefaults, type SamplingOptions } from '../../shared/sampling';

/** Sampling options after validation, every default filled in. */
export interface ResolvedSampling {
    temperature: number;
    topK: number;
    topP: number;
    minP: number;
    repeatPenalty: number;
    repeatLastTokens: number;
    /** Undefined when the caller left the seed to chance; the runtime then draws one and reports it. */
    seed: number | undefined;
    maxTokens: number;
    stopSequences: string[];
    /** Token id → additive logit bias; `-Infinity` bans the token, `+Infinity` forces it. */
    logitBias: Map<number, number>;
    grammar: string | undefined;
    jsonSchema: object | undefined;
    /** The watermark with its key hashed (see core/watermark/greenList.ts); undefined for none. */
    watermark: ResolvedWatermark | undefined;
}

export interface ResolvedWatermark {
    key: string;
    keyHash: number;
    gamma: number;
    delta: number;
    hard: boolean;
}

export interface SamplingLimits {
    /** Vocabulary size of the loaded model: logit-bias token ids must be below it. Defaults to no check. */
    vocabularySize?: number;
}

/**
 * Checks every sampling value and fills in the defaults. Throws a {@link SamplingOptionsError} naming the
 * field, the value and the allowed range for the first impossible value, so a run never starts half-configured.
 */
export function validateSampling(options: SamplingOptions | undefined, limits: SamplingLimits = {}): ResolvedSampling {
    const o = options ?? {};
    const temperature = number(o.temperature, 'temperature', samplingDefaults.temperature, v => v >= 0, 'a finite number ≥ 0 (0 = greedy)');
    const topK = integer(o.topK, 'topK', samplingDefaults.topK, 0, Number.MAX_SAFE_INTEGER, 'an integer ≥ 0 (0 disables top-k)');
    const topP = number(o.topP, 'topP', samplingDefaults.topP, v => v > 0 && v <= 1, 'a number in (0, 1]');
    const minP = number(o.minP, 'minP', samplingDefaults.minP, v => v >= 0 && v < 1, 'a number in [0, 1)');
    const repeatPenalty = number(o.repeatPenalty, 'repeatPenalty', samplingDefaults.repeatPenalty, v => v > 0, 'a finite number > 0 (1 disables it)');
    const repeatLastTokens = integer(o.repeatLastTokens, 'repeatLastTokens', samplingDefaults.repeatLastTokens, 0, Number.MAX_SAFE_INTEGER, 'an integer ≥ 0');
    const seed = o.seed === undefined ? undefined : integer(o.seed, 'seed', 0, 0, maxSeed, `an integer in [0, ${maxSeed}]`);
    const maxTokens = integer(o.maxTokens, 'maxTokens', samplingDefaults.maxTokens, 0, Number.MAX_SAFE_INTEGER, 'an integer ≥ 0');

    let stopSequences: string[] = [];
    if (o.stopSequences !== undefined) {
        if (!Array.isArray(o.stopSequences)) throw new SamplingOptionsError('stopSequences', o.stopSequences, 'an array of non-empty strings');
        o.stopSequences.forEach((s, i) => {
            if (typeof s !== 'string' || s.length === 0) throw new SamplingOptionsError(`stopSequences[${i}]`, s, 'a non-empty string');
        });
        stopSequences = [...o.stopSequences];
    }

    const logitBias = new Map<number, number>();
    if (o.logitBias !== undefined) {
        if (o.logitBias === null || typeof o.logitBias !== 'object' || Array.isArray(o.logitBias)) {
            throw new SamplingOptionsError('logitBias', o.logitBias, 'an object mapping token ids to a number or "ban"');
        }
        for (const [key, bias] of Object.entries(o.logitBias as Record<string, unknown>)) {
            const id = Number(key);
            const vocab = limits.vocabularySize;
            if (!/^\d+$/.test(key) || !Number.isSafeInteger(id) || (vocab !== undefined && id >= vocab)) {
                throw new SamplingOptionsError('logitBias', key, vocab === undefined
                    ? 'token ids that are integers ≥ 0'
                    : `token ids that are integers in [0, ${vocab - 1}] (the model's vocabulary)`);
            }
            if (bias === 'ban') logitBias.set(id, -Infinity);
            else if (typeof bias === 'number' && !Number.isNaN(bias)) logitBias.set(id, bias);
            else throw new SamplingOptionsError(`logitBias[${key}]`, bias, 'a number (±Infinity allowed) or "ban"');
        }
    }

    if (o.grammar !== undefined && (typeof o.grammar !== 'string' || o.grammar.trim() === '')) {
        throw new SamplingOptionsError('grammar', o.grammar, 'a non-empty GBNF grammar string');
    }
    if (o.jsonSchema !== undefined && (o.jsonSchema === null || typeof o.jsonSchema !== 'object' || Array.isArray(o.jsonSchema))) {
        throw new SamplingOptionsError('jsonSchema', o.jsonSchema, 'a JSON schema object');
    }
    if (o.grammar !== undefined && o.jsonSchema !== undefined) {
        throw new SamplingOptionsError('grammar', '(with jsonSchema)', 'either grammar or jsonSchema, not both');
    }

    return {
        temperature, topK, topP, minP, repeatPenalty, repeatLastTokens, seed, maxTokens, stopSequences, logitBias,
        grammar: o.grammar,
        jsonSchema: o.jsonSchema as object | undefined,
        watermark: o.watermark === undefined ? undefined : validateWatermark(o.watermark),
    };
}

/** Checks a watermark's settings (key, γ in (0, 1), δ ≥ 0) and hashes its key. */
export function validateWatermark(w: WatermarkOptions): ResolvedWatermark {
    if (w === null || typeof w !== 'object') throw new SamplingOptionsError('watermark', w, 'an object {key, gamma?, delta?, hard?}');
    if (typeof w.key !== 'string' || w.key === '') throw new SamplingOptionsError('watermark.key', w.key, 'a non-empty string (detection needs the same key)');
    const gamma = number(w.gamma, 'watermark.gamma', watermarkDefaults.gamma, v => v > 0 && v < 1, 'a number in (0, 1): the green fraction of the vocabulary');
    const delta = number(w.delta, 'watermark.delta', watermarkDefaults.delta, v => v >= 0, 'a finite number ≥ 0: the bias added to green tokens');
    if (w.hard !== undefined && typeof w.hard !== 'boolean') throw new SamplingOptionsError('watermark.hard', w.hard, 'true or false');
    return { key: w.key, keyHash: watermarkKeyHash(w.key), gamma, delta, hard: w.hard ?? false };
}

function number(value: unknown, field: string, fallback: number, ok: (v: number) => boolean, allowed: string): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new SamplingOptionsError(field, value, allowed);
    return value;
}

function integer(value: unknown, field: string, fallback: number, min: number, max: number, allowed: string): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new SamplingOptionsError(field, value, allowed);
    return value;
}
