/**
 * Every message of the playground view, shared by the webview (src/webview/playground/main.ts) and the host
 * (src/vscode/playground/PlaygroundView.ts). The form travels as the user typed it (numbers as text), so a value
 * the sampler rejects survives a reload and keeps showing its reason.
 */
import { IpcCommand, IpcNotification, IpcRequest } from '../shared/ipc';

const scope = 'playground';

/** View id in package.json (`contributes.views`). */
export const playgroundViewType = 'promptscope.playground';

export interface SamplingForm {
    temperature: string;
    topK: string;
    topP: string;
    minP: string;
    repeatPenalty: string;
    /** Used only while {@link seedLocked}; otherwise it shows the seed the last run drew, ready to be locked. */
    seed: string;
    seedLocked: boolean;
    maxTokens: string;
    /** One stop sequence per line. */
    stopSequences: string;
}

export interface TokenPiece {
    id: number;
    piece: string;
}

/** One word of the logit bias editor: its tokens all get the same bias (or are all banned). */
export interface LogitBiasRow {
    word: string;
    tokens: TokenPiece[];
    /** −10…+10. */
    bias: number;
    ban: boolean;
}

export type ConstraintKind = 'none' | 'jsonSchema' | 'grammar';

/** Everything the user edits; persisted by the webview (setState) and the host (workspaceState). */
export interface PlaygroundForm {
    version: 1;
    system: string;
    user: string;
    /** Raw completion: the user text goes to the model as-is, without the chat template. */
    raw: boolean;
    sampling: SamplingForm;
    logitBias: LogitBiasRow[];
    constraint: ConstraintKind;
    jsonSchema: string;
    grammar: string;
}

/** Form fields a validation message can point at. */
export type FieldName = keyof SamplingForm | 'user' | 'logitBias' | 'jsonSchema' | 'grammar';

export interface FieldError {
    field: FieldName;
    message: string;
}

export interface RunStats {
    promptTokens: number;
    generatedTokens: number;
    timeToFirstTokenMs: number;
    tokensPerSecond: number;
    stopReason: string;
    seed: number;
}

export type RunPhase = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

export interface RunState {
    /** Increases with every run, so chunks of an earlier run are never appended to a later one. */
    id: number;
    phase: RunPhase;
    output: string;
    stats?: RunStats;
    /** Why the run failed (a runtime message such as a grammar error). */
    error?: string;
    /** Values the run was refused for, per field. */
    fieldErrors?: FieldError[];
}

export interface HostState {
    model?: { name: string; backend: string; quantization: string };
    /** Display name of a model being loaded. */
    loading?: string;
    run: RunState;
}

export type TokenizeResponse = { tokens: TokenPiece[] } | { error: string };

// Webview → host
export const runCommand = new IpcCommand<PlaygroundForm>(scope, 'run');
export const stopCommand = new IpcCommand(scope, 'stop');
export const loadModelCommand = new IpcCommand(scope, 'loadModel');
/** The form after an edit, for the host to keep in workspaceState. */
export const formChangedCommand = new IpcCommand<PlaygroundForm>(scope, 'formChanged');
export const tokenizeRequest = new IpcRequest<{ word: string }, TokenizeResponse>(scope, 'tokenize');

// Host → webview
export const stateNotification = new IpcNotification<HostState>(scope, 'state');
/** The host's saved form, sent after `ready`; the webview prefers its own setState copy when it has one. */
export const savedFormNotification = new IpcNotification<PlaygroundForm>(scope, 'savedForm');
export const chunkNotification = new IpcNotification<{ runId: number; text: string }>(scope, 'chunk');
