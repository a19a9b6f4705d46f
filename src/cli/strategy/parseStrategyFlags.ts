import { resolve } from 'node:path';
import { writeFailure } from '../../core/files';
import { RunHistory } from '../../core/reasoning/history/RunHistory';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag } from '../parseFlags';
import { UsageError } from '../UsageError';
import { maxSamplePaths } from '../../shared/limits';
import { reasoningStrategies, type ReasoningStrategy } from '../../core/reasoning/strategies';

/**
 * The flags of `run` and `eval` that pick and tune a reasoning strategy, and `--out` / `--no-history` for the run
 * history they append to.
 */
export const strategyOptions = { ...stringOptions('strategy', 'samples', 'variants', 'out'), ...booleanOptions('weighted', 'no-history') };

/** `--strategy`, checked; undefined when absent. */
export function strategyFlag(values: Record<string, unknown>): ReasoningStrategy | undefined {
    const flag = values.strategy as string | undefined;
    if (flag !== undefined && !reasoningStrategies.includes(flag as ReasoningStrategy)) {
        throw new UsageError(`--strategy must be one of ${reasoningStrategies.join(', ')}; got "${flag}"`);
    }
    return flag as ReasoningStrategy | undefined;
}

/** `--samples N`: 1 to `maxSamplePaths`, the runtime's bound on one request's paths, checked before a model loads. */
export function samplesFlag(values: Record<string, unknown>): number | undefined {
    const samples = integerFlag(values, 'samples');
    if (samples !== undefined && (samples < 1 || samples > maxSamplePaths)) {
        throw new UsageError(`--samples expects an integer from 1 to ${maxSamplePaths} (the most self-consistency paths one request samples), got ${samples}`);
    }
    return samples;
}

/** The strategies `--samples` applies to: self-consistency's paths, and N programs, chains or searches voted. */
export const samplingStrategies: readonly ReasoningStrategy[] = ['self-consistency', 'program-aided', 'self-ask', 'tree-of-thought'];

/**
 * `--weighted`: votes weighted by path probability (self-consistency) or by each search's best value (tree-of-thought);
 * undefined (counted votes) when absent. Self-ask's and program-aided's chat turns carry no probabilities to weigh by.
 */
export function weightingFlag(values: Record<string, unknown>, strategy: ReasoningStrategy): 'probability' | undefined {
    if (values.weighted !== true) return undefined;
    if (strategy !== 'self-consistency' && strategy !== 'tree-of-thought') throw new UsageError('--weighted applies to --strategy self-consistency and tree-of-thought');
    return 'probability';
}

/** `--variants a.prompt,b.prompt`: ensemble files relative to the working directory. */
export function variantsFlag(values: Record<string, unknown>): string[] | undefined {
    const raw = values.variants as string | undefined;
    if (raw === undefined) return undefined;
    const files = raw.split(',').map(f => f.trim()).filter(f => f !== '');
    if (files.length === 0) throw new UsageError('--variants expects a comma-separated list of .prompt files');
    return files.map(f => resolve(f));
}

/**
 * The run history `--out PATH` names, else the day's file under .promptscope/runs/; undefined with `--no-history`.
 * A named file is checked now, before any model loads: a directory, a link, a FIFO or an unwritable folder is a usage
 * error naming `--out` and the path, not a failure after the generation.
 */
export function historyFlag(values: Record<string, unknown>): RunHistory | undefined {
    if (values['no-history'] === true) {
        if (values.out !== undefined) throw new UsageError('--out names the run history file and --no-history skips it: give one of the two');
        return undefined;
    }
    const history = new RunHistory(values.out as string | undefined);
    if (history.named) {
        try {
            history.check();
        } catch (error) {
            const failure = writeFailure(error, history.path);
            throw new UsageError(`--out ${history.path}: ${failure.problem}. ${failure.fix}`);
        }
    }
    return history;
}
