/**
 * Every message of the Run reasoning trace panel, shared by the webview (src/webview/trace/main.ts) and the host
 * (src/vscode/prompt/ReasoningTracePanel.ts). The host sends the whole state after `ready` and on every change.
 */
import { IpcNotification, IpcRequest } from './ipc';
import type { ReasoningTrace } from '../reasoningTrace';

const scope = 'reasoningTrace';

/** Panel type id. */
export const reasoningTraceViewType = 'promptscope.reasoningTrace';

export type TracePhase = 'running' | 'done' | 'cancelled' | 'failed';

export interface TracePanelState {
    /** The prompt file's name. */
    prompt: string;
    strategy: ReasoningTrace['strategy'];
    phase: TracePhase;
    /** Why the run failed or stopped. */
    message?: string;
    /** The trace once the run has an outcome. */
    trace?: ReasoningTrace;
}

// Webview → host
/** Answers with the saved file's path, or nothing when the user cancelled. */
export const exportTraceRequest = new IpcRequest<Record<string, never>, { path?: string }>(scope, 'export');

// Host → webview
export const traceStateNotification = new IpcNotification<TracePanelState>(scope, 'state');
