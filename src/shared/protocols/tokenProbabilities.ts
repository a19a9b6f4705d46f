/**
 * Every message of the token probabilities panel, shared by the webview (src/webview/tokenProbabilities/main.ts)
 * and the host (src/vscode/probabilities/TokenProbabilitiesPanel.ts). The report types mirror the runtime's
 * `tokenProbabilities` result structurally: webview code may not import src/runtime, and the host passes the
 * runtime's object through unchanged, so the compiler checks that the two stay compatible.
 */
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'tokenProbabilities';

/** Panel type id: the serializer and `onWebviewPanel:` activation event use it. */
export const tokenProbabilitiesViewType = 'promptscope.tokenProbabilities';

export interface RawAlternative {
    id: number;
    text: string;
    /** Natural log of the raw model probability (temperature 1, no filters). */
    logprob: number;
}

export interface SampledAlternative {
    id: number;
    text: string;
    /** Probability after the sampler chain (temperature, top-k, top-p, min-p, penalties), renormalized. */
    prob: number;
}

export interface ProbabilityToken {
    index: number;
    id: number;
    text: string;
    source: 'prompt' | 'generated';
    /** log P(token | earlier tokens) under the raw model; null for the first token. */
    logprob: number | null;
    /** Entropy in nats of the distribution this token was drawn from; null for the first token. */
    entropy: number | null;
    top: RawAlternative[];
    sampledTop?: SampledAlternative[];
}

export interface ProbabilityReport {
    model: string;
    tokens: ProbabilityToken[];
    promptPerplexity: number | null;
    exact: boolean;
    /** Sampling seed of the generated tokens; branches reuse it. */
    seed?: number;
}

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

/** Everything the host knows about one panel; also what a reload restores. */
export interface PanelState {
    /** The prompt file's name. */
    title: string;
    /** The prompt's URI, so a restored panel can recompute. */
    promptUri?: string;
    /**
     * Computed from a run given as a request (the playground's last run) rather than a prompt file: Recompute computes
     * that run again while the panel lives (a reload forgets the request).
     */
    inspected?: boolean;
    phase: PanelPhase;
    message?: string;
    /** Sampling of the run, as shown in the header (e.g. `temperature 0.7, topK 40`). */
    sampling?: string;
    report?: ProbabilityReport;
    branches: Branch[];
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

// Host → webview
export const stateNotification = new IpcNotification<PanelState>(scope, 'state');
export const branchNotification = new IpcNotification<Branch>(scope, 'branch');
