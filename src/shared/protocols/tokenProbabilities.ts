/**
 * Every message of the token probabilities panel, shared by the webview (src/webview/tokenProbabilities/main.ts)
 * and the host (src/vscode/probabilities/TokenProbabilitiesPanel.ts). The report is the runtime's
 * `tokenProbabilities` result as the host passes it through, less what the panel does not show.
 */
import type { CompareModelsResult, TokenProbabilitiesResult, TokenProbability } from '../runtimeApi';
import type { InspectionPanelState } from './inspectionPanel';
import type { ProbabilityView } from '../backends';
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'tokenProbabilities';

/** Panel type id: the serializer and `onWebviewPanel:` activation event use it. */
export const tokenProbabilitiesViewType = 'promptscope.tokenProbabilities';

/** One position of the report: the prompt's or a generated token, with its alternatives. */
export type ProbabilityToken = TokenProbability;

/** What the panel shows of the runtime's result; `seed` (the sampling seed of the generated tokens) is what branches reuse. */
export type ProbabilityReport = Pick<TokenProbabilitiesResult, 'model' | 'tokens' | 'promptPerplexity' | 'exact'> & Partial<Pick<TokenProbabilitiesResult, 'seed'>> & {
    /**
     * Set when an OpenAI-compatible server computed the report (generated tokens only): whether its log-probabilities
     * are the model's (`raw`) or what its sampler chain left (`server, after its sampler`), as the server reports them.
     * Defaults to none: the embedded runtime's own distribution.
     */
    view?: ProbabilityView;
};

export type BranchStatus = 'running' | 'done' | 'cancelled' | 'failed';

/** A continuation generated from an alternative token picked at `fromIndex` instead of the original one. */
export interface Branch {
    id: number;
    fromIndex: number;
    token: { id: number; text: string };
    text: string;
    status: BranchStatus;
    error?: string;
}

export type PanelPhase = 'computing' | 'done' | 'failed';

/** What the comparison view shows of `compareModels`' result (the per-position arrays; not the timing). */
export type ComparisonReport = Pick<CompareModelsResult, 'base' | 'other' | 'tokens' | 'tokenTexts' | 'kl' | 'baseTop' | 'otherTop'
    | 'baseLogprob' | 'otherLogprob' | 'baseEntropy' | 'otherEntropy' | 'exact'> & {
    /** Vocabulary pieces of the top tokens (`baseTop`, `otherTop`), by token id, for the details. */
    topTexts: Record<number, string>;
};

/** An estimate with its 95% interval. */
export interface SummaryInterval {
    estimate: number;
    low: number;
    high: number;
}

/**
 * The summary the view shows: what src/core/comparison/summarizeModelComparison returns (declared here again because
 * protocols import only src/shared; the host's assignment checks the two agree).
 */
export interface ComparisonSummary {
    positions: number;
    meanKl: SummaryInterval;
    medianKl: number;
    maxKl: number;
    top1Agreement: SummaryInterval & { agreeing: number };
    deltaLogprob: SummaryInterval;
    basePerplexity: number;
    otherPerplexity: number;
}

/**
 * "Compare with model…": the loaded model (base) and another GGUF of its vocabulary on the panel's tokens. `summary`
 * is `summarizeModelComparison(report)`, computed by the host.
 */
export interface ModelComparison {
    phase: PanelPhase;
    /** Path of the other model. */
    other: string;
    /** Why it failed (the runtime's message, e.g. another vocabulary), or what it is doing. */
    message?: string;
    report?: ComparisonReport;
    summary?: ComparisonSummary;
}

/** Everything the host knows about one panel; also what a reload restores. */
export interface PanelState extends InspectionPanelState<PanelPhase> {
    /** Sampling of the run, as shown in the header (e.g. `temperature 0.7, topK 40`). */
    sampling?: string;
    report?: ProbabilityReport;
    branches: Branch[];
    /** The comparison with another model, while the panel is in its "Compare with model…" mode. */
    comparison?: ModelComparison;
    /** Per generated token, in order: where a speculative run's token came from (an inspected playground run's). */
    speculation?: TokenSpeculation[];
}

/** A generated token of a speculative run: its source, and the texts of the draft tokens it replaced. */
export interface TokenSpeculation {
    source: 'accepted' | 'sampled';
    rejected?: string[];
}

export type ColorMetric = 'probability' | 'surprisal' | 'entropy';

/** What the webview persists with setState: the host's state plus the user's view of it. */
export interface ViewState {
    panel: PanelState;
    metric: ColorMetric;
    selected?: number;
}

export type ExportFormat = 'json' | 'csv';

// Webview → host
export const branchCommand = new IpcCommand<{ index: number; tokenId: number }>(scope, 'branch');
export const cancelBranchCommand = new IpcCommand<{ id: number }>(scope, 'cancelBranch');
export const recomputeCommand = new IpcCommand(scope, 'recompute');
/** Answers with the saved file's path, or undefined when the user cancelled. */
export const exportRequest = new IpcRequest<{ format: ExportFormat }, { path?: string }>(scope, 'export');

/**
 * "Compare with model…": the host asks for the other GGUF and compares it with the loaded model on the panel's tokens
 * (the result arrives as state). Answers once the comparison ended, with the other model's path; none when the user
 * cancelled the file dialog.
 */
export const compareModelRequest = new IpcRequest<void, { other?: string }>(scope, 'compareModel');
/** Leaves the comparison mode. */
export const closeComparisonCommand = new IpcCommand(scope, 'closeComparison');

// Host → webview
export const stateNotification = new IpcNotification<PanelState>(scope, 'state');
export const branchNotification = new IpcNotification<Branch>(scope, 'branch');
