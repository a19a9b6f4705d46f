/**
 * Every message of the attention panel, shared by the webview (src/webview/attention/main.ts) and the host
 * (src/vscode/attention/AttentionPanel.ts).
 */
import type { SerializedError } from '../errors/SerializedError';
import type { AttentionResult } from '../runtimeApi';
import type { InspectionPanelState } from './inspectionPanel';
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'attention';

/** Panel type id: the serializer and `onWebviewPanel:` activation event use it. */
export const attentionViewType = 'promptscope.attention';

/**
 * The runtime's attention result as the panel holds it: `attention` as nested plain arrays of the captured layers,
 * attention[layerSlot][head][query][key] (keys after the query are 0, rows sum to 1), where the runtime ships one flat
 * Float32Array of lower triangles. The host converts it (`toNestedArrays`, src/core/attention/attentionWeights.ts)
 * because the webview persists its state with setState, which is JSON and would not keep a typed array.
 */
export type AttentionReport = Omit<AttentionResult, 'attention'> & { attention: number[][][][] };

/**
 * `unavailable`: the native addon could not be built or loaded; `message` is the runtime's reason. Everything else
 * of the extension still works, so this is a state of the panel rather than an error popup.
 */
export type PanelPhase = 'computing' | 'done' | 'failed' | 'unavailable';

/** Everything the host knows about one panel; also what a reload restores. */
export interface PanelState extends InspectionPanelState<PanelPhase> {
    /**
     * The error a `failed` or `unavailable` phase comes from, so the page recognises it by its class (`reviveError`)
     * rather than by its message. Defaults to none (cancelled, or failed before asking the runtime).
     */
    error?: SerializedError;
    report?: AttentionReport;
    /** The layer being captured while `phase` is `computing`. */
    pendingLayer?: number;
}

/** A head's matrix, or the mean over the layer's heads. */
export type HeadChoice = number | 'mean';

export type ContrastScale = 'linear' | 'sqrt';

/** What the webview persists with setState: the host's state plus the user's view of it. */
export interface ViewState {
    panel: PanelState;
    /** The model layer shown (a layer number, not a slot of `report.layers`). */
    layer: number;
    head: HeadChoice;
    /** Show every head of the layer as thumbnails. */
    allHeads: boolean;
    contrast: ContrastScale;
    /** The query token the token view draws lines from (pinned); the heatmap marks its row. */
    query?: number;
}

export type ExportFormat = 'json' | 'png';

// Webview → host
export const recomputeCommand = new IpcCommand(scope, 'recompute');
/** Captures a layer the report does not hold yet (the panel fetches one layer at a time to bound memory). */
export const layerCommand = new IpcCommand<{ layer: number }>(scope, 'layer');
/**
 * JSON: the host writes the report it holds. PNG: the webview renders the heatmap it shows (`canvas.toDataURL`) and
 * sends it as a `data:image/png;base64,` URL; the host checks and decodes it. Answers with the saved path, if any.
 */
export const exportRequest = new IpcRequest<{ format: ExportFormat; dataUrl?: string; suffix?: string }, { path?: string; error?: string }>(scope, 'export');

// Host → webview
export const stateNotification = new IpcNotification<PanelState>(scope, 'state');
