/**
 * Every message of the playground view, shared by the webview (src/webview/playground/main.ts) and the host
 * (src/vscode/playground/PlaygroundView.ts). The form travels as the user typed it (numbers as text), so a value
 * the sampler rejects survives a reload and keeps showing its reason.
 */
import type { CompletionResult, GenerationTiming, ModelInfo } from '../runtimeApi';
import type { CharacterPiece } from '../tokenText';
import { IpcCommand, IpcNotification, IpcRequest } from './ipc';

const scope = 'playground';

/** View id in package.json (`contributes.views`). */
export const playgroundViewType = 'promptscope.playground';

export interface SamplingForm {
    temperature: string;
    topK: string;
    topP: string;
    minP: string;
    repeatPenalty: string;
    /** How many of the last tokens the repeat penalty looks at (SamplingOptions.repeatLastTokens). */
    repeatLastTokens: string;
    /** Used only while {@link seedLocked}; otherwise it shows the seed the last run drew, ready to be locked. */
    seed: string;
    seedLocked: boolean;
    maxTokens: string;
    /** One stop sequence per line. */
    stopSequences: string;
}

export interface TokenPiece {
    id: number;
    /** What the token shows within the word (joined, the word's text: see TokenText.text). */
    piece: string;
    /** The vocabulary's piece (`▁the`, `<0xE6>`); absent where no model gave one (the CLI's flags). */
    raw?: string;
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

/** A LoRA adapter of the playground's list for one model. */
export interface AdapterRow {
    /** Absolute path of the GGUF adapter (validated against the model when it was added). */
    path: string;
    enabled: boolean;
    /** 0…2. */
    scale: number;
}

/** Speculative decoding of a playground run (SpeculativeOptions); numbers as typed, empty = the runtime's default. */
export interface SpeculativeForm {
    method: 'off' | 'draftModel' | 'lookup';
    /** Absolute path of a GGUF draft model of the loaded model's vocabulary (method `draftModel`). */
    draftModel: string;
    maxDraft: string;
    minProbability: string;
}

/** A watermark on a playground run's tokens (WatermarkOptions); numbers as typed, empty = the defaults. */
export interface WatermarkForm {
    enabled: boolean;
    key: string;
    gamma: string;
    delta: string;
    hard: boolean;
}

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
    /**
     * LoRA adapters per model file (absolute model path → list). A model with a list runs with exactly its enabled
     * adapters (none enabled = the base model); a model without one runs with its own (`promptscope.lora`).
     */
    adapters: Record<string, AdapterRow[]>;
    /** Absent in a form saved before speculation: off. */
    speculative?: SpeculativeForm;
    /** Absent in a form saved before watermarks: none. */
    watermark?: WatermarkForm;
}

/** Form fields a validation message can point at. */
export type FieldName = keyof SamplingForm | 'user' | 'logitBias' | 'jsonSchema' | 'grammar' | 'adapters'
    | 'speculativeMethod' | 'draftModel' | 'maxDraft' | 'minProbability' | 'watermarkKey' | 'watermarkGamma' | 'watermarkDelta';

export interface FieldError {
    field: FieldName;
    message: string;
    /** Where in the field's text the problem is (a GBNF grammar's syntax error), for the caret. */
    offset?: number;
}

/** A finished run's figures, as the runtime reported them. */
export type RunStats = Pick<GenerationTiming, 'promptTokens' | 'generatedTokens' | 'timeToFirstTokenMs' | 'tokensPerSecond'>
    & Pick<CompletionResult, 'stopReason' | 'seed'>;

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
    /** What the run's adapters did to the context, e.g. that a changed adapter set made the runtime build a new one. */
    adapterNote?: string;
    /** What speculative decoding did in a finished run that asked for it. */
    speculation?: SpeculationView;
}

/** A generated token of a speculative run, as the output colours it. */
export interface SpeculativeToken {
    /** The token's text (joined, the tokens spell the output: see TokenText.text). */
    text: string;
    /** `accepted`: a draft token the model sampled too; `sampled`: the model's own. */
    source: 'accepted' | 'sampled';
    /** Texts of the draft tokens this token replaced (rejected by the model at this position). */
    rejected?: string[];
}

/** SpeculativeStats as the playground shows it, with the generated tokens' texts. */
export interface SpeculationView {
    method: 'draft-model' | 'lookup';
    draftModel?: string;
    rounds: number;
    drafted: number;
    accepted: number;
    acceptanceRate?: number;
    /** Generated tokens per model evaluation (a plain run: 1). */
    tokensPerRound?: number;
    draftMs: number;
    verifyMs: number;
    tokens: SpeculativeToken[];
}

/** One side of an A/B comparison: the form's settings with these overrides. */
export interface CompareSide {
    /** Sampling preset instead of the form's sampling fields (`form`: as in the form). */
    preset: 'form' | 'greedy' | 'balanced' | 'creative';
    /** `none`: the base model; `form`: the form's enabled adapters. */
    adapters: 'none' | 'form';
    /** Scale for every enabled adapter instead of its own (empty: as in the form). */
    scale: string;
    /** A prompt variant: this user message (or raw text) instead of the form's (empty or absent: the form's). */
    user?: string;
    /**
     * Where the side runs: the embedded runtime, or the OpenAI-compatible server of the settings (`promptscope.backend`
     * `openai-compatible`, `promptscope.server.*`): local vs server on the same prompt. Defaults to `embedded`.
     */
    backend?: 'embedded' | 'server';
}

export interface CompareRequest {
    form: PlaygroundForm;
    a: CompareSide;
    b: CompareSide;
}

/** A generated token of side A with the divergence of the two sides' raw next-token distributions that predicted it. */
export interface ComparePosition {
    /** A's token as shown in A's output (joined, the pieces spell A's output: see TokenText.text). */
    piece: string;
    /** A's token's vocabulary piece, and the bytes of split characters it holds (see TokenText); absent in a compare saved before them. */
    raw?: string;
    pieces?: CharacterPiece[];
    /** The token B generated at the same position (absent when B stopped before it); differs from `piece` from firstDivergence on. */
    pieceB?: string;
    /** Lower bound on KL(A‖B) in nats (truncatedKl over the top-K lists). */
    kl: number;
    /** Probability mass outside the shared top-K entries, max of both sides (0 = exact KL). */
    unknownMass: number;
}

export interface CompareSideResult {
    label: string;
    output: string;
    tokens: number;
    stopReason: string;
}

export interface CompareState {
    id: number;
    phase: 'running' | 'done' | 'failed';
    error?: string;
    seed?: number;
    a?: CompareSideResult;
    b?: CompareSideResult;
    /** Word diff of A's output → B's output. */
    diff?: { kind: 'same' | 'removed' | 'added'; text: string }[];
    /** Per generated token of A: KL between both sides' raw distributions on A's token sequence. */
    positions?: ComparePosition[];
    /** Index in `positions` of the first token B generated differently, if any. */
    firstDivergence?: number;
    /** Whether the sides ran different prompt variants. */
    variants?: boolean;
    /** Why KL is shown for fewer positions than A generated, or not at all (prompt variants whose tokens part). */
    klNote?: string;
}

/** A run of the history (the workspace's `.promptscope/runs/*.jsonl`), newest first. */
export interface HistoryEntry {
    /** `file:line` of the record, to reopen it. */
    key: string;
    time: string;
    command: string;
    preview: string;
    output: string;
    seed: number | null;
    /** Whether the record holds something the playground can open (messages or a playground form). */
    openable: boolean;
}

/** GGUF metadata of the loaded model for the model line's hover (from the runtime's ModelInfo). */
export type ModelDetails = Pick<ModelInfo, 'path' | 'architecture' | 'fileSizeBytes' | 'parameters' | 'trainContextLength' | 'contextSize'> & {
    /** Whether the model has a chat template (ModelInfo.chatTemplate, which is long, stays in the host). */
    chatTemplate: boolean;
};

/** A model of the recent list (RecentModels), to switch to. */
export interface RecentModelEntry {
    ref: string;
    label: string;
    detail: string;
}

export interface HostState {
    model?: Pick<ModelInfo, 'name' | 'backend' | 'quantization'> & { details?: ModelDetails };
    /** Recent models, most recent first. */
    recentModels?: RecentModelEntry[];
    /** Display name of a model being loaded. */
    loading?: string;
    run: RunState;
    /** Absolute path of the loaded model: the key of its adapter list. */
    modelPath?: string;
    compare?: CompareState;
    /** A notice from the host (a saved file, a history problem). */
    notice?: string;
    /** The last finished (or stopped) run, which Show probabilities / Show attention inspect; absent before any. */
    lastRun?: LastRunSummary;
}

/** What the page says about the run the inspect buttons open panels for. */
export interface LastRunSummary {
    /** RunState.id of that run. */
    id: number;
    /** Tokens it generated (the probabilities panel scores these very tokens). */
    generatedTokens: number;
}

export type TokenizeResponse = { tokens: TokenPiece[] } | { error: string };

// Webview → host
export const runCommand = new IpcCommand<PlaygroundForm>(scope, 'run');
export const stopCommand = new IpcCommand(scope, 'stop');
export const loadModelCommand = new IpcCommand(scope, 'loadModel');
/** Loads a recent model or an `hf:` URI through the usual load path (progress, cancel, download); answers why not. */
export const switchModelRequest = new IpcRequest<{ ref: string }, { ok: true } | { error: string }>(scope, 'switchModel');
/** The form after an edit, for the host to keep in workspaceState. */
export const formChangedCommand = new IpcCommand<PlaygroundForm>(scope, 'formChanged');
export const tokenizeRequest = new IpcRequest<{ word: string }, TokenizeResponse>(scope, 'tokenize');
/** Shows an open dialog for GGUF LoRA files and validates the chosen one against the loaded model. */
export const addAdapterRequest = new IpcRequest<void, { path: string } | { error: string } | { cancelled: true }>(scope, 'addAdapter');
export const compareCommand = new IpcCommand<CompareRequest>(scope, 'compare');
export const savePromptCommand = new IpcCommand<PlaygroundForm>(scope, 'savePrompt');
export const openPromptCommand = new IpcCommand(scope, 'openPrompt');
export const historyRequest = new IpcRequest<void, HistoryEntry[]>(scope, 'history');
/** Puts a history entry into the form (`run`: and runs it). */
export const reopenCommand = new IpcCommand<{ key: string; run: boolean }>(scope, 'reopen');
/** Opens the token probabilities panel for the last run (HostState.lastRun): its prompt, sampling, adapters and output tokens. */
export const showProbabilitiesCommand = new IpcCommand(scope, 'showProbabilities');
/** Opens the attention panel for the last run: its rendered prompt followed by its output tokens, under its adapters. */
export const showAttentionCommand = new IpcCommand(scope, 'showAttention');
/** Opens the Decoding Lab on the last run's prompt, sampling and adapters. */
export const showDecodingLabCommand = new IpcCommand(scope, 'showDecodingLab');

// Host → webview
export const stateNotification = new IpcNotification<HostState>(scope, 'state');
/** The host's saved form, sent after `ready`; the webview prefers its own setState copy when it has one. */
export const savedFormNotification = new IpcNotification<PlaygroundForm>(scope, 'savedForm');
/** A form the host opened (a .prompt file, a history entry): always replaces the page's form. */
export const loadFormNotification = new IpcNotification<PlaygroundForm>(scope, 'loadForm');
export const chunkNotification = new IpcNotification<{ runId: number; text: string }>(scope, 'chunk');
