import { basename } from 'node:path';
import type { DatasetEvaluation, EvaluatedRow } from '../../core/reasoning/evaluateDataset';
import type { AnswerMetrics } from '../../core/reasoning/scoreAnswers';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import { reasoningTrace } from '../../core/reasoning/reasoningTrace';
import type { RowView, SummaryView } from '../../shared/protocols/evaluation';

/** A dataset row as the panel shows it (plain data: it crosses postMessage and goes into exports). No vscode import. */
export function rowView(row: EvaluatedRow): RowView {
    const { outcome } = row;
    return {
        index: row.index,
        input: row.input,
        expected: row.expected,
        rawExpected: row.rawExpected,
        answer: row.answer ?? null,
        rawAnswer: outcome.rawAnswer ?? null,
        correct: row.correct,
        ...(outcome.output !== undefined ? { output: outcome.output } : {}),
        ...(outcome.reasoning !== undefined ? { reasoning: outcome.reasoning } : {}),
        ...(outcome.votes !== undefined ? { votes: outcome.votes, tie: outcome.tie ?? false, agreement: outcome.agreement ?? 0, unmapped: outcome.unmapped ?? 0 } : {}),
        ...(outcome.paths ? {
            paths: outcome.paths.map(p => ({ text: p.text, answer: p.answer ?? null, rawAnswer: p.rawAnswer ?? null, meanLogprob: p.meanLogprob ?? null, seed: p.seed ?? null })),
        } : {}),
        ...(outcome.variants ? {
            variants: outcome.variants.map(v => ({ file: basename(v.file), text: v.text, answer: v.answer ?? null, rawAnswer: v.rawAnswer ?? null })),
        } : {}),
        trace: reasoningTrace(outcome),
        ms: outcome.ms,
    };
}

/** The scores of the rows done so far; the confusion matrix only for label tasks (a verbalizer's labels). */
export function summaryView(metrics: AnswerMetrics, labels: readonly string[] | undefined, tokens: { prompt: number; generated: number }, ms: number): SummaryView {
    return {
        n: metrics.n, correct: metrics.correct, accuracy: metrics.accuracy, unmapped: metrics.unmapped,
        ...(labels !== undefined ? { confusion: metrics.confusion, perLabel: metrics.perLabel } : {}),
        tokens: { ...tokens }, ms,
    };
}

/** The summary of a finished (or cancelled) evaluation; undefined when no row was done. */
export function evaluationSummary(evaluation: DatasetEvaluation): SummaryView | undefined {
    return evaluation.metrics === undefined ? undefined : summaryView(evaluation.metrics, evaluation.labels, evaluation.tokens, evaluation.ms);
}

export interface StrategyPick {
    label: string;
    description?: string;
    /** undefined: the prompt's own `promptscope.strategy` (else direct). */
    strategy: ReasoningStrategy | undefined;
}

/** The strategy choices of Evaluate Prompt on Dataset: the prompt's default first, then every strategy. */
export function strategyPicks(promptStrategy: ReasoningStrategy | undefined, samples: number | undefined, variants: number): StrategyPick[] {
    const fallback = promptStrategy ?? 'direct';
    return [
        { label: `Prompt default (${fallback})`, description: promptStrategy === undefined ? 'no promptscope.strategy: direct' : 'promptscope.strategy', strategy: undefined },
        { label: 'direct', description: 'one generation per row', strategy: 'direct' },
        { label: 'cot', description: 'chain of thought: reasoning turn, then the answer', strategy: 'cot' },
        { label: 'self-consistency', description: `${samples ?? 5} sampled paths per row, answers voted`, strategy: 'self-consistency' },
        { label: 'ensemble', description: variants > 0 ? `the prompt and ${variants} variant${variants > 1 ? 's' : ''}, answers voted` : 'needs variants (promptscope.variants or NAME.*.prompt)', strategy: 'ensemble' },
        { label: 'program-aided', description: `the model writes a program, a sandbox runs it${votedAs(samples, 'programs')}`, strategy: 'program-aided' },
        { label: 'tree-of-thought', description: `thoughts searched breadth-first, valued by the model${votedAs(samples, 'searches')}`, strategy: 'tree-of-thought' },
        { label: 'self-ask', description: `follow-up questions answered before the final answer${votedAs(samples, 'chains')}`, strategy: 'self-ask' },
    ];
}

/** How a strategy that runs once unless `samples` says more describes its votes. */
function votedAs(samples: number | undefined, what: string): string {
    return samples !== undefined && samples > 1 ? `; ${samples} ${what} voted` : '';
}
