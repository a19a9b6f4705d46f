import { evaluateDataset, type EvaluatedRow } from '../../core/reasoning/evaluateDataset';
import { ensembleFiles, readVariantSources } from '../../core/reasoning/ensembleFiles';
import type { PromptAdapter, PromptRun } from '../../core/reasoning/PromptRun';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import { preparePrompt, readPromptSource } from '../../core/prompt';
import { meanInterval, wilsonInterval, type Interval, type MeanEstimate } from '../../core/statistics/intervals';
import type { SamplingOptions } from '../../shared/sampling';
import { CancelledError } from '../../shared/errors/CancelledError';
import { installedFile } from '../installedFile';
import type { ExperimentContext } from './ExperimentContext';

/** One prompting condition of an experiment: a prompt file run with one strategy over the held-out rows. */
/** Greedy decoding: the conditions' default, so that each figure is one deterministic answer a problem. */
export const greedySampling: SamplingOptions = { temperature: 0 };

export interface ExperimentCondition {
    /** The condition's key in `--json`'s figures (`conditions[].id`), which the trained-fixture checks read. */
    id: string;
    label: string;
    /** The prompt file, from the repository root. */
    prompt: string;
    strategy: ReasoningStrategy;
    flags: SamplingOptions;
    /** Self-consistency paths (and chains, searches or programs that vote). Defaults to the strategy's own. */
    samples?: number;
    /** The temperature of sampled paths and thoughts. Defaults to the strategy's own (0.7). */
    temperature?: number;
    /** Adapters every request of the condition runs with, scales included. Defaults to none (the loaded model as it is). */
    lora?: PromptAdapter[];
}

/**
 * Runs `condition` over `rows` (each with `expected`) through the one dataset evaluation behind `promptscope eval`:
 * the same preparation, strategies, answer mapping and scoring as a user's run. An ensemble's members are the prompt's
 * own (`promptscope.variants` or `NAME.*.prompt` siblings), found as `eval --strategy ensemble` finds them.
 */
export async function evaluateCondition(ctx: ExperimentContext, condition: ExperimentCondition, rows: Record<string, unknown>[]): Promise<EvaluatedRow[]> {
    const file = installedFile(condition.prompt);
    const source = await readPromptSource(file);
    const withAdapters = (run: PromptRun): PromptRun => condition.lora === undefined ? run : { ...run, lora: condition.lora };
    let variantSources: ReturnType<typeof readVariantSources> | undefined;
    let done = 0;
    const evaluation = await evaluateDataset(ctx.model, {
        strategy: condition.strategy, flags: condition.flags, samples: condition.samples, temperature: condition.temperature, seed: ctx.seed,
        rows, expectedField: 'expected', verbalizer: undefined, file: condition.prompt, signal: ctx.signal,
        // Adapters travel with each request, so one loaded model serves every scale of the lora experiment.
        ...(condition.lora === undefined ? {} : { adapters: 'prompt' as const }),
        prepareRow: async input => {
            const run = withAdapters(await preparePrompt(source, { input }));
            if (condition.strategy !== 'ensemble') return { run };
            // The members are read once, from the first row's settings (the same front matter for every row).
            variantSources ??= ensembleFiles(file, run.settings).then(files => readVariantSources(files.slice(1)));
            const variants: PromptRun[] = [run];
            for (const variant of await variantSources) variants.push(withAdapters(await preparePrompt(variant, { input })));
            return { run, variants };
        },
        onRow: () => {
            done++;
            if (done % 25 === 0 || done === rows.length) ctx.progress(`  ${condition.label}: ${done}/${rows.length}`);
        },
    });
    if (evaluation.cancelled) throw new CancelledError(`the experiment (${condition.label})`);
    return evaluation.results;
}

/** A rate over the held-out rows: its Wilson 95% interval with the counts (`figures.conditions[].accuracy`). */
export type Accuracy = Interval & { correct: number; n: number };

/** The accuracy of per-row correctness flags. */
export function accuracyOf(correct: readonly boolean[]): Accuracy {
    const right = correct.filter(Boolean).length;
    return { ...wilsonInterval(right, correct.length), correct: right, n: correct.length };
}

export interface ConditionResult {
    id: string;
    label: string;
    prompt: string;
    strategy: ReasoningStrategy;
    /** Per row, in row order: what the paired comparisons read. Left out of the figures. */
    correct: boolean[];
    accuracy: Accuracy;
    /** Rows whose answer could not be extracted or mapped. */
    unmapped: number;
}

/** A condition's accuracy and unmapped count over its evaluated rows. */
export function summarizeCondition(condition: Pick<ExperimentCondition, 'id' | 'label' | 'prompt' | 'strategy'>, rows: readonly Pick<EvaluatedRow, 'correct' | 'answer'>[]): ConditionResult {
    const correct = rows.map(r => r.correct);
    return {
        id: condition.id, label: condition.label, prompt: condition.prompt, strategy: condition.strategy, correct,
        accuracy: accuracyOf(correct), unmapped: rows.filter(r => r.answer === undefined).length,
    };
}

/** What a condition cost per problem: generated tokens and wall time, each a mean with its 95% interval. */
export interface ConditionCost {
    /** Tokens the model generated for a problem, every generation of the strategy together (prompt tokens excluded). */
    generatedTokens: MeanEstimate;
    /** Milliseconds from a problem's first request to its answer, everything the strategy did included. */
    ms: MeanEstimate;
}

/** The mean generated tokens and time per problem of evaluated rows. */
export function conditionCost(rows: readonly Pick<EvaluatedRow, 'outcome'>[]): ConditionCost {
    return {
        generatedTokens: meanInterval(rows.map(r => r.outcome.tokens.generated)),
        ms: meanInterval(rows.map(r => r.outcome.ms)),
    };
}

/** A figure without its per-row flags, for `--json` (the flags are the report's working, not a result). */
export function withoutRows<T extends { correct: boolean[] }>(result: T): Omit<T, 'correct'> {
    const { correct: _correct, ...rest } = result;
    return rest;
}
