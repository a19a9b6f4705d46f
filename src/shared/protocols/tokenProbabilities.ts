/**
 * Every message of the token probabilities panel, shared by the webview (src/webview/tokenProbabilities/main.ts)
 * and the host (src/vscode/probabilities/TokenProbabilitiesPanel.ts). The report is the runtime's
 * `tokenProbabilities` result as the host passes it through, less what the panel does not show.
 */
import type { TokenProbabilitiesResult, TokenProbability } from '../runtimeApi';
import type { InspectionPanelState } from './inspectionPanel';
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'tokenProbabilities';

/** Panel type id: the serializer and `onWebviewPanel:` activation event use it. */
export const tokenProbabilitiesViewType = 'promptscope.tokenProbabilities';

/** One position of the report: the prompt's or a generated token, with its alternatives. */
export type ProbabilityToken = TokenProbability;

/** What the panel shows of the runtime's result; `seed` (the sampling seed of the generated tokens) is what branches reuse. */
export type ProbabilityReport = Pick<TokenProbabilitiesResult, 'model' | 'tokens' | 'promptPerplexity' | 'exact'> & Partial<Pick<TokenProbabilitiesResult, 'seed'>>;

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
export interface PanelState extends InspectionPanelState<PanelPhase> {
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
