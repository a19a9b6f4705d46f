/**
 * Messages of the Decoding Lab panel (src/vscode/decodingLab, src/webview/decodingLab): one prompt decoded by several
 * methods side by side, a column each. The host holds the state and sends all of it after `ready` and on every change;
 * every page action is a request, answered (errors included, revived by class) once the host has taken it in.
 */
import type { DecodingSettings } from '../decoding';
import type { InspectionPanelState } from './inspectionPanel';
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'decodingLab';

export const decodingLabViewType = 'promptscope.decodingLab';

/** A token of a decoded sequence. */
export interface DecodedTokenView {
    id: number;
    /** What it shows (joined, the tokens spell the sequence). Model text: render as text only. */
    text: string;
    /** Raw natural-log probability (temperature 1, no filters). */
    logprob: number;
}

export interface DecodedSequenceView {
    text: string;
    tokens: DecodedTokenView[];
    /** Σ of the tokens' log-probabilities. */
    logprob: number;
    /** exp(−mean token log-probability); null for no tokens (NaN does not survive JSON). */
    perplexity: number | null;
    /** Beam search: logprob / length^α. */
    score?: number;
    /** Beam search: ended at an end token. */
    finished?: boolean;
}

/** A node of the beam search tree: `parent` indexes the previous step's kept beams (-1 at step 1: the prompt alone). */
export interface BeamTreeNodeView {
    parent: number;
    token: number;
    /** The token's vocabulary piece as text (alone, out of its sequence). Model text. */
    text: string;
    /** Cumulative log-probability of the sequence this node ends. */
    logprob: number;
    /** logprob / length^α. */
    score: number;
    /** Diverse beam search: the group (0-based) that ranked this extension; absent with one group. */
    group?: number;
    /** Diverse beam search: what the diversity penalty took off `logprob` for the ranking; absent when nothing. */
    penalty?: number;
}

export interface BeamTreeStepView {
    /** 1-based: the length of the sequences this step made. */
    step: number;
    kept: BeamTreeNodeView[];
    finished: BeamTreeNodeView[];
    pruned: BeamTreeNodeView[];
}

export interface BeamTreeView {
    steps: BeamTreeStepView[];
    endTokens: number[];
    /** Runtime decode calls (one batch per step). */
    decodeCalls: number;
}

/** Why a column failed, by the error's class: the page words each kind its own way. */
export type ColumnFailureKind = 'cancelled' | 'settings' | 'contextOverflow' | 'addonUnavailable' | 'sampling' | 'noModel' | 'runtimeStopped' | 'other';

export interface ColumnFailure {
    kind: ColumnFailureKind;
    /** The error's message (our error classes write it for the user). */
    message: string;
    /** For `settings`: the setting to fix. */
    field?: string;
}

export type ColumnPhase = 'pending' | 'running' | 'done' | 'failed';

export interface DecodingColumn {
    /** Stable while the panel lives: the page's requests name columns by it. */
    id: number;
    settings: DecodingSettings;
    phase: ColumnPhase;
    failure?: ColumnFailure;
    /** One sequence for greedy and sample; the n best, best score first, for beam. */
    results?: DecodedSequenceView[];
    /** Beam search's tree. */
    tree?: BeamTreeView;
    /** Wall time of this column's decoding. */
    ms?: number;
}

export type LabPhase = 'computing' | 'done' | 'failed';

export interface LabState extends InspectionPanelState<LabPhase> {
    model?: string;
    /** Tokens each column generates at most. */
    maxTokens: number;
    /** The user set maxTokens: a recompute keeps it rather than taking the prompt's. */
    maxTokensChosen?: boolean;
    columns: DecodingColumn[];
    /** The sampling every column decodes under (the prompt's), in words, for the header. */
    sampling?: string;
}

/** What the page keeps in setState: the host's state and the page's own choices. */
export interface LabViewState {
    lab: LabState;
    /** Each beam column's tree view, by column id: the steps whose pruned extensions are open, the focused node. */
    trees?: Record<string, { expanded: number[]; selected?: string }>;
}

/** Adds a column and decodes it; answers its id. */
export const addColumnRequest = new IpcRequest<{ settings: DecodingSettings }, { id: number }>(scope, 'addColumn');
/** Changes a column's settings and decodes it again. */
export const updateColumnRequest = new IpcRequest<{ id: number; settings: DecodingSettings }, void>(scope, 'updateColumn');
/** Removes a column (stopping it if it runs). */
export const removeColumnRequest = new IpcRequest<{ id: number }, void>(scope, 'removeColumn');
/** Sets the tokens each column generates, and decodes every column again. */
export const setMaxTokensRequest = new IpcRequest<{ maxTokens: number }, void>(scope, 'setMaxTokens');
/** Writes a column (a beam column: its tree with every kept, finished and pruned node) as JSON where the user picks. */
export const exportColumnRequest = new IpcRequest<{ id: number }, { path?: string }>(scope, 'exportColumn');
/** Stops the decoding under way; columns not decoded yet are marked cancelled. */
export const cancelCommand = new IpcCommand(scope, 'cancel');
/** Prepares the prompt again and decodes every column. */
export const recomputeCommand = new IpcCommand(scope, 'recompute');

export const stateNotification = new IpcNotification<LabState>(scope, 'state');
