/**
 * Every message of the dataset evaluation panel, shared by the webview (src/webview/evaluation/main.ts) and the host
 * (src/vscode/evaluation/EvaluationPanel.ts). The host turns core's evaluation into these plain shapes
 * (src/vscode/evaluation/evaluationState.ts), so the page needs no runtime or extension code.
 */
import { IpcNotification, IpcRequest } from './ipc';
import type { ReasoningTrace } from '../reasoningTrace';

const scope = 'evaluation';

/** Panel type id. */
export const evaluationViewType = 'promptscope.evaluation';

export type EvaluationStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble' | 'program-aided' | 'tree-of-thought' | 'self-ask';

/** One self-consistency path. */
export interface PathView {
    text: string;
    /** The mapped answer (label or folded); null when unmapped. */
    answer: string | null;
    rawAnswer: string | null;
    meanLogprob: number | null;
    seed: number | null;
}

/** One ensemble variant's answer. */
export interface VariantView {
    /** The variant's file name. */
    file: string;
    text: string;
    answer: string | null;
    rawAnswer: string | null;
}

/** One evaluated dataset row. */
export interface RowView {
    /** 0-based row index in the dataset. */
    index: number;
    input: Record<string, unknown>;
    /** The expected answer mapped like the model's. */
    expected: string;
    rawExpected: string;
    /** The model's mapped answer; null when unmapped. */
    answer: string | null;
    rawAnswer: string | null;
    correct: boolean;
    /** direct and cot: the (answer turn's) text. */
    output?: string;
    /** cot: the reasoning. */
    reasoning?: string;
    /** self-consistency and ensemble: answer → paths (or variants). */
    votes?: Record<string, number>;
    tie?: boolean;
    agreement?: number;
    /** Paths or variants without a mapped answer. */
    unmapped?: number;
    paths?: PathView[];
    variants?: VariantView[];
    /** The row's reasoning trace (chains, searches, programs, paths…), as `eval --json` prints it. */
    trace?: ReasoningTrace;
    ms: number;
}

export interface LabelCountsView {
    expected: number;
    predicted: number;
    correct: number;
    precision: number;
    recall: number;
}

export interface SummaryView {
    n: number;
    correct: number;
    accuracy: number;
    unmapped: number;
    /** Label tasks only: expected down, answered across, the last column counting unmapped answers. */
    confusion?: { labels: string[]; matrix: number[][] };
    perLabel?: Record<string, LabelCountsView>;
    tokens: { prompt: number; generated: number };
    ms: number;
}

export type EvaluationPhase = 'running' | 'done' | 'cancelled' | 'failed';

/** Everything the panel shows; the host sends it whole after `ready` and on every change. */
export interface EvaluationState {
    /** The prompt file's name. */
    prompt: string;
    /** The dataset file's name. */
    dataset: string;
    strategy: EvaluationStrategy;
    /** Self-consistency paths per row; program-aided, self-ask and tree-of-thought: programs, chains or searches voted. */
    samples?: number;
    model?: string;
    phase: EvaluationPhase;
    message?: string;
    /** Rows to evaluate. */
    total: number;
    rows: RowView[];
    /** Scores of the rows done; absent until one is. */
    summary?: SummaryView;
    /** The run history file the rows were appended to. */
    history?: string;
}

export type ExportFormat = 'json' | 'csv';

// Webview → host
/** Answers with the saved file's path, or nothing when the user cancelled. */
export const exportRequest = new IpcRequest<{ format: ExportFormat }, { path?: string }>(scope, 'export');

// Host → webview
export const stateNotification = new IpcNotification<EvaluationState>(scope, 'state');
