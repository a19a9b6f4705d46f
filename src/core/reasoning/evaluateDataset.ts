import { datasetInput, type DatasetRow } from './dataset';
import { executeStrategy, type StrategyModel, type StrategyOptions, type StrategyOutcome } from './executeStrategy';
import { foldAnswer } from './foldAnswer';
import { normalizeAnswer } from './normalizeAnswer';
import type { PromptRun } from './PromptRun';
import { scoreAnswers, type AnswerMetrics } from './scoreAnswers';
import type { Verbalizer } from './Verbalizer';
import { DatasetRowError } from './errors/DatasetRowError';
import { DatasetRowOverflowError } from './errors/DatasetRowOverflowError';
import { ContextOverflowError } from '../../shared/errors/ContextOverflowError';
import { CancelledError } from '../../shared/errors/CancelledError';
import pLimit from 'p-limit';

/** One row's prompt, rendered with the row's input (and, for an ensemble, its variants, the main prompt first). */
export interface PreparedRow {
    run: PromptRun;
    variants?: PromptRun[];
}

export interface DatasetEvaluationOptions extends Omit<StrategyOptions, 'variants' | 'signal'> {
    rows: readonly DatasetRow[];
    /** The field holding the expected answer (`expected`, or `promptscope.expected`). */
    expectedField: string;
    /** The main prompt's verbalizer: expected answers are mapped through it like the model's. Defaults to folding. */
    verbalizer: Verbalizer | undefined;
    /** The dataset file, named with the row in a row's error. Defaults to none ("dataset: row N: …"). */
    file?: string;
    /** Renders the prompt (and variants) for a row's input: the CLI reads the files, the editor its documents. */
    prepareRow(input: Record<string, unknown>, index: number): Promise<PreparedRow>;
    /** After each row, in row order, before the next starts (with `concurrency` N: the one N rows later); awaited. */
    onRow?(row: EvaluatedRow, done: number, total: number): Promise<void> | void;
    /** Stops before the next row (and aborts the row in progress); what was done is scored. */
    signal?: AbortSignal;
    /**
     * Rows in progress at once (a server backend's slots; each row's requests also wait for the backend's own limit).
     * Results and `onRow` stay in row order, so the outcome equals a one-at-a-time run with the same seeds. Defaults to 1.
     */
    concurrency?: number;
}

export interface EvaluatedRow {
    /** 0-based index into the rows. */
    index: number;
    input: Record<string, unknown>;
    /** The expected answer as the dataset wrote it. */
    rawExpected: string;
    /** The expected answer mapped like the model's (label, or folded). */
    expected: string;
    /** The model's mapped answer; undefined when unmapped or none. */
    answer: string | undefined;
    correct: boolean;
    run: PromptRun;
    outcome: StrategyOutcome;
}

export interface DatasetEvaluation {
    /** Rows evaluated (fewer than asked for when cancelled). */
    results: EvaluatedRow[];
    /** Undefined when no row finished. */
    metrics: AnswerMetrics | undefined;
    /** The verbalizer's labels, for a label task's confusion matrix; undefined otherwise. */
    labels: string[] | undefined;
    tokens: { prompt: number; generated: number };
    ms: number;
    /** Whether the signal stopped it before every row was done. */
    cancelled: boolean;
}

/**
 * A prompt and strategy over dataset rows, one row at a time (or `concurrency` at a time, reported in row order): each row's answer is compared with its expected answer
 * after both went through the same mapping, and the rows are scored (accuracy, unmapped, confusion matrix). The one
 * implementation behind `promptscope eval` and the editor's Evaluate Prompt on Dataset.
 */
export async function evaluateDataset(model: StrategyModel, options: DatasetEvaluationOptions): Promise<DatasetEvaluation> {
    const { rows, expectedField, verbalizer, prepareRow, onRow, signal, file, concurrency, ...strategy } = options;
    const startedAt = performance.now();
    const results: EvaluatedRow[] = [];
    const tokens = { prompt: 0, generated: 0 };
    // A failed row stops the rows still running, as Ctrl-C does; what finished before it in row order is kept.
    const stop = new AbortController();
    const rowSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const limit = pLimit(Math.max(1, concurrency ?? 1));
    const evaluateRow = async (row: DatasetRow, index: number): Promise<EvaluatedRow | undefined> => {
        if (rowSignal.aborted) return undefined;
        const input = datasetInput(row, expectedField);
        const { run, variants } = await prepareRow(input, index).catch((error: unknown) => { throw new DatasetRowError(index + 1, error, file); });
        const outcome = await executeStrategy(model, run, { ...strategy, variants, signal: rowSignal }).catch((error: unknown) => {
            // A stopped request may end in a CancelledError rather than a partial result: either way the row has no answer.
            if (error instanceof CancelledError && rowSignal.aborted) return undefined;
            // The row's own values made the prompt too long for the context: name the row, as for one that cannot be prepared.
            if (error instanceof ContextOverflowError) throw new DatasetRowOverflowError(index + 1, error, file);
            throw error;
        });
        // A row cut short has no answer to score.
        if (outcome === undefined || rowSignal.aborted) return undefined;
        const rawExpected = String(row[expectedField]);
        const expected = expectedAnswer(rawExpected, verbalizer);
        return {
            index, input, rawExpected, expected, answer: outcome.answer,
            correct: outcome.answer !== undefined && outcome.answer === expected, run, outcome,
        };
    };
    // A row holds its place among the `concurrency` in progress until it has been reported (onRow, in row order), so
    // one at a time (the default) starts a row only after the previous one's onRow, and a stop in onRow runs no other.
    const done = rows.map(() => settleLater<EvaluatedRow | undefined>());
    const reported = rows.map(() => settleLater<void>());
    rows.forEach((row, index) => void limit(async () => {
        try {
            const evaluated = await evaluateRow(row, index);
            done[index]!.resolve(evaluated);
            if (evaluated !== undefined) await reported[index]!.promise;
        } catch (error) {
            done[index]!.reject(error);
        }
    }));
    // Rows left behind after a failure or a stop settle on their own; their errors are not the run's.
    for (const row of done) row.promise.catch(() => {});
    let cancelled = false;
    try {
        for (const [index, row] of done.entries()) {
            const evaluated = await row.promise;
            if (evaluated === undefined) {
                cancelled = true;
                break;
            }
            tokens.prompt += evaluated.outcome.tokens.prompt;
            tokens.generated += evaluated.outcome.tokens.generated;
            results.push(evaluated);
            await onRow?.(evaluated, results.length, rows.length);
            reported[index]!.resolve();
        }
    } finally {
        limit.clearQueue();
        stop.abort();
        for (const r of reported) r.resolve();
    }
    const metrics = results.length === 0 ? undefined : scoreAnswers(results.map(r => ({ expected: r.expected, answer: r.answer })), { labels: verbalizer?.labels });
    return { results, metrics, labels: verbalizer ? [...verbalizer.labels] : undefined, tokens, ms: performance.now() - startedAt, cancelled };
}

/** A promise with its settling functions at hand. */
function settleLater<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
}

/** Expected answers go through the same mapping as the model's, so "Positive" matches label positive. */
export function expectedAnswer(raw: string, verbalizer: Verbalizer | undefined): string {
    return normalizeAnswer(raw, verbalizer) ?? foldAnswer(raw);
}
