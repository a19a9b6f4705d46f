/**
 * Messages between RuntimeClient (extension / CLI process) and the runtime host child process, over the
 * `child_process.fork` IPC channel with `serialization: 'advanced'` (structured clone: typed arrays, Maps,
 * ±Infinity and NaN survive). No imports of node-llama-cpp: the client side is bundled into the extension.
 *
 * Shape: the client sends `request`s with an id and may `cancel` one; the host answers each with exactly one
 * `response` or `error`, and may send `tokens` / `progress` for it before that. `log` and `ready` are unsolicited.
 * The client also sends `ping`s, each answered by a `pong` from the host's main thread (the liveness check).
 */
import type {
    ChatMessage, ChatRequest, CompletionRequest, CompletionResult, LoadModelOptions, LoadProgress, LogLevel, ModelInfo, ModelMetadata,
    RenderChatResult,
} from '../../shared/runtimeApi';
import type { InlineCompletionRequest, InlineCompletionResult } from '../../shared/runtimeApi';
import type { ChatManyRequest, CompletionManyRequest, MultiCompletionResult } from '../../shared/runtimeApi';
import type { TokenProbabilitiesRequest, TokenProbabilitiesResult } from '../../shared/runtimeApi';
import type { ScoreContinuationsRequest, ScoreContinuationsResult } from '../../shared/runtimeApi';
import type { AttentionRequest, AttentionResult, TokenText } from '../../shared/runtimeApi';
import type { TrainingProgress, TrainModelRequest, TrainModelResult } from '../../shared/runtimeApi';
import type { BeamSearchRequest, BeamSearchResult } from '../../shared/runtimeApi';
import type { QuantizeModelRequest, QuantizeModelResult, QuantizeProgress } from '../../shared/runtimeApi';
import type { CompareModelsRequest, CompareModelsResult } from '../../shared/runtimeApi';
import type { EmbedRequest, EmbedResult } from '../../shared/embeddingApi';
import type { SerializedError } from '../../shared/errors/SerializedError';

/**
 * How long the runtime host may stay silent, in seconds, before the client reports it not responding and kills it;
 * also how long a model download may go without a byte. The user's bound (promptscope.runtime.responseTimeoutSeconds,
 * --runtime-timeout) replaces it; 0 turns both checks off. Long enough for any single call we make into llama.cpp
 * on the host's main thread (the heavy ones run on libuv workers), short enough that a hang is reported while the
 * user still waits for it.
 */
export const defaultResponseTimeoutSeconds = 30;

/** loadModel's parameters on the channel: the options, and the bound on a silent download (the client's response bound). */
export interface LoadModelParams extends LoadModelOptions {
    /** Seconds a download may go without receiving a byte before it fails naming its URL; 0: no limit. Defaults to {@link defaultResponseTimeoutSeconds}. */
    downloadTimeoutSeconds?: number;
}

/** Every request method: its parameters and its result. Add a method here, in the host's handler table and in the client. */
export interface RuntimeMethods {
    loadModel: { params: LoadModelParams; result: ModelInfo };
    unloadModel: { params: Record<string, never>; result: void };
    modelInfo: { params: Record<string, never>; result: ModelInfo | undefined };
    modelMetadata: { params: Record<string, never>; result: ModelMetadata | undefined };
    tokenize: { params: { text: string; addBos?: boolean; specialTokens?: boolean }; result: number[] };
    tokenPieces: { params: { tokens: number[] }; result: string[] };
    tokenTexts: { params: { tokens: number[] }; result: TokenText[] };
    tokenizeChat: { params: { messages: ChatMessage[] }; result: number[] };
    renderChat: { params: { messages: ChatMessage[] }; result: RenderChatResult };
    detokenize: { params: { tokens: number[]; specialTokens?: boolean }; result: string };
    complete: { params: CompletionRequest; result: CompletionResult };
    chat: { params: ChatRequest; result: CompletionResult };
    completeInline: { params: InlineCompletionRequest; result: InlineCompletionResult };
    completeMany: { params: CompletionManyRequest; result: MultiCompletionResult };
    chatMany: { params: ChatManyRequest; result: MultiCompletionResult };
    tokenProbabilities: { params: TokenProbabilitiesRequest; result: TokenProbabilitiesResult };
    scoreContinuations: { params: ScoreContinuationsRequest; result: ScoreContinuationsResult };
    attention: { params: AttentionRequest; result: AttentionResult };
    validateLora: { params: { path: string }; result: string };
    trainModel: { params: TrainModelRequest; result: TrainModelResult };
    beamSearch: { params: BeamSearchRequest; result: BeamSearchResult };
    quantizeModel: { params: QuantizeModelRequest; result: QuantizeModelResult };
    compareModels: { params: CompareModelsRequest; result: CompareModelsResult };
    embed: { params: EmbedRequest; result: EmbedResult };
}

export type RuntimeMethod = keyof RuntimeMethods;

export interface RequestMessage<M extends RuntimeMethod = RuntimeMethod> {
    type: 'request';
    id: number;
    method: M;
    params: RuntimeMethods[M]['params'];
    /**
     * Whether the caller listens to the generated tokens as they come (`tokens` messages). Without a listener the host
     * sends none: one IPC message per token costs both processes' main threads for nothing. Defaults to `false`.
     */
    stream?: boolean;
}

/** Stops request `id` early: generation ends with `stopReason: "aborted"`, a load or download rejects. */
export interface CancelMessage {
    type: 'cancel';
    id: number;
}

/** Asks whether the host's main thread runs: the host answers with a `pong` carrying the same `seq`. */
export interface PingMessage {
    type: 'ping';
    seq: number;
}

export type ClientMessage = RequestMessage | CancelMessage | PingMessage;

/** Sent once when the host has started and installed its handlers. */
export interface ReadyMessage {
    type: 'ready';
    pid: number;
}

export interface ResponseMessage {
    type: 'response';
    id: number;
    result: unknown;
}

export type { SerializedError };

export interface ErrorMessage {
    type: 'error';
    id: number;
    error: SerializedError;
}

/**
 * Tokens generated for request `id` since the previous `tokens` message: the host coalesces them while a send
 * is in flight, so one message may carry many tokens and decoding never waits for the channel.
 */
export interface TokensMessage {
    type: 'tokens';
    id: number;
    tokens: number[];
    text: string;
}

/** Progress of a model load (phases `download`, `load`) or of a training run (phases `train`, `validate`). */
export type RequestProgress = LoadProgress | TrainingProgress | QuantizeProgress;

export interface ProgressMessage {
    type: 'progress';
    id: number;
    progress: RequestProgress;
}

export interface LogMessage {
    type: 'log';
    level: LogLevel;
    source: 'runtime' | 'llama.cpp';
    message: string;
}

/** The answer to a `ping`, sent from the host's main thread (so a blocked or stopped host sends none). */
export interface PongMessage {
    type: 'pong';
    seq: number;
}

export type HostMessage = ReadyMessage | ResponseMessage | ErrorMessage | TokensMessage | ProgressMessage | LogMessage | PongMessage;
