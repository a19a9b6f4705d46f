/**
 * Token sampling as every layer states it: the options a request, a `.prompt` file's config, a CLI flag or the
 * playground's form sets, and the defaults the runtime fills in for those left out. Validation is core's
 * (src/core/sampling/validateSampling.ts); inline completion has defaults of its own (InlineCompletionRequest).
 */
import type { WatermarkOptions } from './watermark';

/** Token sampling. Every field is validated before decoding starts; impossible values are rejected with a clear error. */
export interface SamplingOptions {
    /** 0 means greedy. Defaults to `0.8`. */
    temperature?: number;
    /** 0 disables top-k. Defaults to `40`. */
    topK?: number;
    /** In (0, 1]. Defaults to `0.95`. */
    topP?: number;
    /** In [0, 1). Defaults to `0.05`. */
    minP?: number;
    /** Repeat penalty; 1 disables it. Defaults to `1.1` over the last 64 tokens. */
    repeatPenalty?: number;
    /** How many recent tokens the repeat penalty looks at. Defaults to `64`. */
    repeatLastTokens?: number;
    /** Seed for sampling, an integer in [0, `maxSeed`]; fixing it makes generation reproducible. Defaults to a random seed. */
    seed?: number;
    /** Maximum tokens to generate. Defaults to `256`. */
    maxTokens?: number;
    /** Generation stops before any of these strings. Defaults to none. */
    stopSequences?: string[];
    /** Additive bias per token id; `"ban"` (or `-Infinity`) forbids the token. Defaults to none. */
    logitBias?: Record<number, number | 'ban'>;
    /** A GBNF grammar constraining the output. Defaults to none. */
    grammar?: string;
    /** A JSON schema constraining the output (turned into a grammar). Defaults to none. */
    jsonSchema?: unknown;
    /** A watermark on the generated tokens (one generation on the native loop). Defaults to none. */
    watermark?: WatermarkOptions;
}


/** What validation fills in for the sampling options a request leaves out (not for inline completion). */
export const samplingDefaults = {
    temperature: 0.8,
    topK: 40,
    topP: 0.95,
    minP: 0.05,
    repeatPenalty: 1.1,
    repeatLastTokens: 64,
    maxTokens: 256,
} as const;
