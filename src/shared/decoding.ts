/**
 * How one decoding of a prompt is asked for, the same for `promptscope decode` and the Decoding Lab panel: greedy,
 * beam search, or one sample with explicit settings. Pure types and limits; src/core/decoding/decodeMethod.ts runs them.
 */
import { maxBeams } from './runtimeApi';

export type DecodingMethod = 'greedy' | 'beam' | 'sample';

export interface GreedyDecoding {
    method: 'greedy';
}

export interface BeamDecoding {
    method: 'beam';
    /** Beams kept per step, 1 to {@link maxBeams}. */
    beams: number;
    /** α of score = log-probability / length^α, ≥ 0. */
    lengthPenalty: number;
    /** Hypotheses shown, 1 to `beams`. */
    nBest: number;
    /** Diverse beam search: groups of beams / groups beams each (a divisor of `beams`). Defaults to 1 (plain beam search). */
    groups?: number;
    /** Diverse beam search: λ of the Hamming diversity penalty between groups, ≥ 0. Defaults to 0. */
    diversityPenalty?: number;
}

/** One sample, every setting explicit (a column of the lab says exactly what drew it). */
export interface SampleDecoding {
    method: 'sample';
    /** ≥ 0; 0 is greedy. */
    temperature: number;
    /** 0 disables top-k. */
    topK: number;
    /** (0, 1]. */
    topP: number;
    /** [0, 1). */
    minP: number;
    /** ≥ 1 in practice (1: none); > 0. */
    repeatPenalty: number;
    /** A whole number ≥ 0: the same seed draws the same sample. */
    seed: number;
}

export type DecodingSettings = GreedyDecoding | BeamDecoding | SampleDecoding;

export { maxBeams };

/** The most tokens one decoding of the lab generates: its columns are for reading side by side. */
export const maxLabTokens = 128;

/** The most columns the lab holds at once. */
export const maxLabColumns = 8;
