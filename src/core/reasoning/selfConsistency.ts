import type { AnswerSettings } from '../prompt/settings/PromptscopeSettings';
import { AnswerSettingsError } from './errors/AnswerSettingsError';
import { answerExtractorFor, type ExtractAnswer } from './extractAnswer';
import { majorityVote, type VoteResult, type VoteWeighting } from './majorityVote';
import { normalizeAnswer } from './normalizeAnswer';
import { Verbalizer } from './Verbalizer';
import { maxSamplePaths } from '../../shared/limits';

/** One sampled reasoning path, as a generator returns it. */
export interface GeneratedPath {
    text: string;
    /** Mean natural-log probability of the path's tokens; needed only for probability-weighted votes. */
    meanLogprob?: number;
    seed?: number;
}

export interface GeneratePathsRequest {
    n: number;
    temperature: number;
    /** Seed of the whole request; undefined leaves it to the generator. */
    seed?: number;
}

/** Produces `n` sampled paths for the prompt it was made for (the runtime's `chatMany`, or a fake in tests). */
export interface PathGenerator {
    generate(request: GeneratePathsRequest): Promise<GeneratedPath[]>;
}

export const selfConsistencyDefaults = { samples: 5, temperature: 0.7 } as const;

export interface SelfConsistencyOptions {
    /** Paths to sample, an integer from 1 to `maxSamplePaths`. Defaults to `5` (Wang et al. 2022 report gains from 5 paths on). */
    samples?: number;
    /** Sampling temperature of every path. Defaults to `0.7`. */
    temperature?: number;
    /** Request seed; path seeds derive from it. Defaults to the generator's choice. */
    seed?: number;
    /** Pulls each path's answer out. Defaults to the last number. */
    extract?: ExtractAnswer;
    /** Maps answers to labels; without one, answers are compared folded (`foldAnswer`). Defaults to none. */
    verbalizer?: Verbalizer;
    /** Defaults to `"count"`. */
    weighting?: VoteWeighting;
}

export interface SelfConsistencyPath {
    text: string;
    /** What the extractor found, as written; undefined when it found nothing. */
    rawAnswer: string | undefined;
    /** The answer that votes: the label, or the folded raw answer; undefined when unmapped. */
    answer: string | undefined;
    meanLogprob: number | undefined;
    seed: number | undefined;
}

export interface SelfConsistencyResult {
    /** The winning answer; undefined when no path gave a mapped one. */
    answer: string | undefined;
    /** Answer → paths. */
    votes: Record<string, number>;
    agreement: number;
    tie: boolean;
    unmapped: number;
    paths: SelfConsistencyPath[];
    /** The full vote (tally with weights, tied answers, weighting). */
    vote: VoteResult;
    samples: number;
    temperature: number;
}

/**
 * Self-consistency (Wang et al. 2022): sample several reasoning paths, extract and normalise each answer, and
 * take the majority. Paths whose answer cannot be extracted or mapped are kept and counted as unmapped.
 */
export async function runSelfConsistency(generator: PathGenerator, options: SelfConsistencyOptions = {}): Promise<SelfConsistencyResult> {
    const samples = options.samples ?? selfConsistencyDefaults.samples;
    const temperature = options.temperature ?? selfConsistencyDefaults.temperature;
    if (!Number.isInteger(samples) || samples < 1 || samples > maxSamplePaths) {
        throw new AnswerSettingsError('samples', `must be an integer from 1 to ${maxSamplePaths}; got ${String(samples)}.`);
    }
    if (!Number.isFinite(temperature) || temperature < 0) throw new AnswerSettingsError('temperature', `must be a number ≥ 0; got ${String(temperature)}.`);
    const extract = options.extract ?? answerExtractorFor();
    const verbalizer = options.verbalizer;

    const generated = await generator.generate({ n: samples, temperature, seed: options.seed });
    if (generated.length !== samples) throw new Error(`The generator returned ${generated.length} paths for ${samples} requested.`);
    const paths = generated.map((path): SelfConsistencyPath => {
        const rawAnswer = extract(path.text);
        return { text: path.text, rawAnswer, answer: normalizeAnswer(rawAnswer, verbalizer), meanLogprob: path.meanLogprob, seed: path.seed };
    });
    const vote = majorityVote(paths.map(p => ({ answer: p.answer, meanLogprob: p.meanLogprob })), { weighting: options.weighting });
    return {
        answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, unmapped: vote.unmapped,
        paths, vote, samples, temperature,
    };
}

/** How a prompt's answers are read: pulled out of the text, then mapped to a label when it has labels. */
export interface AnswerHandling {
    extract: ExtractAnswer;
    verbalizer: Verbalizer | undefined;
}

/**
 * Extractor and verbalizer for a prompt's `promptscope.answer` settings. With labels and no extractor setting the
 * whole reply is the answer (the verbalizer finds the label in it), since the last-number default would find none.
 */
export function answerHandlingFor(answer: AnswerSettings | undefined): AnswerHandling {
    const labelsOnly = answer?.labels !== undefined && answer.extractor === undefined && answer.marker === undefined
        && answer.pattern === undefined && answer.field === undefined;
    return {
        extract: labelsOnly ? text => (text.trim() === '' ? undefined : text.trim()) : answerExtractorFor(answer),
        verbalizer: answer?.labels ? new Verbalizer(answer.labels) : undefined,
    };
}
