import type { BackendCapabilities, BackendDescription } from '../../shared/backends';
import type {
    ChatManyRequest, ChatRequest, CompletionRequest, CompletionResult, MultiCompletionResult, ScoreContinuationsRequest,
    ScoreContinuationsResult, StreamOptions, TokenProbabilitiesRequest, TokenProbabilitiesResult,
} from '../../shared/runtimeApi';
import type { StrategyModel } from '../../core/reasoning/StrategyModel';

/** A label whose score is only a bound: one of its tokens was not among the alternatives the server lists. */
export interface BoundedScore {
    /** The continuation (label form) as given. */
    text: string;
    /** Index into its tokens of the first token the server's list did not reach. */
    tokenIndex: number;
    /** How many alternatives the server listed there: the token ranks below all of them. */
    listed: number;
}

/** Label scores from a backend: the runtime's, plus which scores are upper bounds rather than exact values. */
export interface BackendScoreResult extends ScoreContinuationsResult {
    /**
     * Continuations whose `logprob` is an upper bound (the smallest listed log-probability stood in for an unlisted
     * token): the server's top-k was too small to score them exactly. Empty on the embedded runtime, which scores
     * every token from the full vocabulary.
     */
    bounded: BoundedScore[];
}

/** Token probabilities from a backend, with what they measure. */
export interface BackendProbabilitiesResult extends TokenProbabilitiesResult {
    /** `raw`: the model's own distribution; `server, after its sampler`: what a server's sampler chain left. */
    view: BackendCapabilities['probabilityView'];
}

/**
 * One interface over every place a model can run: the embedded runtime (node-llama-cpp in a child process) and
 * OpenAI-compatible servers. `run`, every strategy and `eval` go through it unchanged (it is a {@link StrategyModel});
 * what a backend cannot do it refuses with a BackendCapabilityError, so callers check {@link capabilities} first
 * to hide or explain a feature.
 */
export interface InferenceBackend extends StrategyModel {
    readonly capabilities: BackendCapabilities;
    describe(): BackendDescription;
    chat(request: ChatRequest, options?: StreamOptions): Promise<CompletionResult>;
    /** Raw text continued without the chat template (capability `rawPrompt`). */
    complete(request: CompletionRequest, options?: StreamOptions): Promise<CompletionResult>;
    chatMany(request: ChatManyRequest, options?: { signal?: AbortSignal }): Promise<MultiCompletionResult>;
    /** Label scoring (capability `logprobs` with `tokenize`); see {@link BackendScoreResult.bounded}. */
    scoreContinuations(request: ScoreContinuationsRequest, options?: { signal?: AbortSignal }): Promise<BackendScoreResult>;
    /** Probabilities of generated tokens; prompt tokens only on the embedded runtime. */
    tokenProbabilities(request: TokenProbabilitiesRequest, options?: { signal?: AbortSignal }): Promise<BackendProbabilitiesResult>;
    /** Token ids of `text` (capability `tokenize`), no BOS unless asked. */
    tokenize(text: string, options?: { addBos?: boolean }): Promise<number[]>;
    /** Stops using the backend: the embedded runtime's host exits; a server's open requests are aborted. */
    close(): Promise<void>;
}
