/**
 * RuntimeClient: the typed RPC client of the runtime host, used by the extension, the CLI and the benchmarks.
 * node-llama-cpp runs only in the host child process (dist/runtime-host.js), so that a llama.cpp abort or an
 * out-of-memory kill ends that process and not the editor. This file imports no node-llama-cpp.
 */
import { join } from 'node:path';
import type {
    ChatMessage, ChatRequest, CompletionRequest, CompletionResult, LoadModelCallOptions, LoadModelOptions, ModelInfo, ModelMetadata,
    RenderChatResult, RuntimeLogSink, StreamOptions,
} from '../../shared/runtimeApi';
import type { InlineCompletionRequest, InlineCompletionResult } from '../../shared/runtimeApi';
import type { ChatManyRequest, CompletionManyRequest, MultiCompletionResult } from '../../shared/runtimeApi';
import type { TokenProbabilitiesRequest, TokenProbabilitiesResult } from '../../shared/runtimeApi';
import type { ScoreContinuationsRequest, ScoreContinuationsResult } from '../../shared/runtimeApi';
import type { AttentionRequest, AttentionResult, TokenText } from '../../shared/runtimeApi';
import type { TrainingProgress, TrainModelRequest, TrainModelResult } from '../../shared/runtimeApi';
import type { QuantizeModelRequest, QuantizeModelResult, QuantizeProgress } from '../../shared/runtimeApi';
import type { CompareModelsRequest, CompareModelsResult } from '../../shared/runtimeApi';
import type { BeamSearchRequest, BeamSearchResult } from '../../shared/runtimeApi';
import type { EmbedRequest, EmbedResult } from '../../shared/embeddingApi';
import { RuntimeStoppedError } from '../../shared/errors/RuntimeStoppedError';
import { HostProcess, type RequestHooks } from './HostProcess';
import { defaultResponseTimeoutSeconds, type LoadModelParams, type RequestProgress, type RuntimeMethod, type RuntimeMethods } from '../rpc/protocol';

export { defaultResponseTimeoutSeconds };

export interface RuntimeClientOptions {
    /** Path of the runtime host script. Defaults to `runtime-host.js` beside the running bundle (path.join(__dirname, 'runtime-host.js')). */
    hostScript?: string;
    /** Receives our logs and llama.cpp's own log lines. Defaults to dropping them. */
    log?: RuntimeLogSink;
    /** Extra environment for the host process, over the parent's as it is when a host starts. Defaults to none. */
    env?: NodeJS.ProcessEnv;
    /**
     * Seconds the host may go without answering a ping before every pending request fails with a
     * RuntimeNotRespondingError and the host is killed (the next request starts a new one); also how long a model
     * download may go without a byte. 0 turns both checks off. A function is read again at every check, so a changed
     * setting applies at once. Defaults to {@link defaultResponseTimeoutSeconds} (30).
     */
    responseTimeoutSeconds?: number | (() => number);
}

export type RuntimeState = 'stopped' | 'starting' | 'idle' | 'loading' | 'ready' | 'busy';

export class RuntimeClient {
    private readonly hostScript: string;
    private readonly log: RuntimeLogSink;
    /** Added to the parent's environment as it is when each host starts (a host started later sees later changes). */
    private readonly extraEnv: NodeJS.ProcessEnv;
    private readonly timeoutSetting: () => number;
    private readonly stateListeners = new Set<(state: RuntimeState) => void>();
    private readonly stopListeners = new Set<(reason: string) => void>();

    private host: HostProcess | undefined;
    /** The start (and model reload) in progress, shared by every request that arrives meanwhile. */
    private starting: Promise<{ host: HostProcess; reloadError?: unknown }> | undefined;
    /** Options of the model to reload after a host restart; set once a load succeeded. */
    private lastLoad: LoadModelOptions | undefined;
    private model: ModelInfo | undefined;
    private loads = 0;
    private generations = 0;
    private currentState: RuntimeState = 'stopped';
    /** A host being started (not yet published as `host`), so that stop() can end it too. */
    private startingHost: HostProcess | undefined;
    /** Bumped by stop(): a start that began before it must not publish its host. */
    private epoch = 0;
    private disposed = false;

    constructor(options: RuntimeClientOptions = {}) {
        this.hostScript = options.hostScript ?? join(__dirname, 'runtime-host.js');
        this.log = options.log ?? (() => undefined);
        this.extraEnv = options.env ?? {};
        const timeout = options.responseTimeoutSeconds ?? defaultResponseTimeoutSeconds;
        this.timeoutSetting = typeof timeout === 'function' ? timeout : () => timeout;
    }

    /** The response bound in force now, in seconds (0: off); an invalid value counts as the default. */
    get responseTimeoutSeconds(): number {
        const seconds = this.timeoutSetting();
        return Number.isFinite(seconds) && seconds >= 0 ? seconds : defaultResponseTimeoutSeconds;
    }

    /** Fires on state changes; returns an unsubscribe function. */
    onDidChangeState(listener: (state: RuntimeState) => void): () => void {
        this.stateListeners.add(listener);
        return () => this.stateListeners.delete(listener);
    }

    /** Fires when the host process exits unexpectedly, with a human-readable reason ("killed by SIGKILL", "exited with code 134 (abort: GGML_ASSERT …)"). */
    onDidStop(listener: (reason: string) => void): () => void {
        this.stopListeners.add(listener);
        return () => this.stopListeners.delete(listener);
    }

    get state(): RuntimeState {
        return this.currentState;
    }

    /** Info of the model loaded now (cached on the client side), or undefined. */
    get loadedModel(): ModelInfo | undefined {
        return this.model;
    }

    /** Pid of the host process, when running (tests kill it). */
    get hostPid(): number | undefined {
        return this.host?.alive ? this.host.pid : undefined;
    }

    async loadModel(options: LoadModelOptions, call: LoadModelCallOptions = {}): Promise<ModelInfo> {
        const host = await this.ensureHost(false);
        this.loads++;
        this.updateState();
        try {
            const onProgress = call.onProgress;
            const info = await host.request('loadModel', this.loadParams(options), {
                signal: call.signal,
                ...(onProgress ? { onProgress: (progress: RequestProgress) => { if (progress.phase === 'download' || progress.phase === 'load') onProgress(progress); } } : {}),
            });
            this.lastLoad = structuredClone(options);
            this.model = info;
            return info;
        } catch (error) {
            // The host keeps the previous model when the new file fails its checks (missing, corrupt, download
            // failed or cancelled), and has none after llama.cpp itself failed; ask it which. A model whose load
            // killed the host is not loaded again automatically (it would kill the next host too).
            const still = host.alive ? await host.request('modelInfo', {}).catch(() => undefined) : undefined;
            if (still === undefined) {
                this.lastLoad = undefined;
                this.model = undefined;
            } else {
                this.model = still;
            }
            throw error;
        } finally {
            this.loads--;
            this.updateState();
        }
    }

    async unloadModel(): Promise<void> {
        this.lastLoad = undefined;
        this.model = undefined;
        if (!this.host?.alive) {
            this.updateState();
            return;
        }
        await this.call('unloadModel', {});
    }

    async modelInfo(): Promise<ModelInfo | undefined> {
        if (!this.host?.alive && !this.lastLoad) return undefined;
        return this.call('modelInfo', {});
    }

    /** Raw GGUF metadata of the loaded model (long arrays summarised), or undefined when none is loaded. */
    async modelMetadata(): Promise<ModelMetadata | undefined> {
        if (!this.host?.alive && !this.lastLoad) return undefined;
        return this.call('modelMetadata', {});
    }

    tokenize(text: string, options: { addBos?: boolean; specialTokens?: boolean } = {}): Promise<number[]> {
        return this.call('tokenize', { text, ...options });
    }

    /** The tokens `messages` become through the model's chat template (what chat() evaluates), ready for the reply. */
    tokenizeChat(messages: ChatMessage[]): Promise<number[]> {
        return this.call('tokenizeChat', { messages });
    }

    /**
     * `messages` as the model receives them through its chat template: the templated text, its tokens (special and
     * template tokens marked) and which wrapper rendered them, with a warning when it is not the model's own template.
     */
    renderChat(messages: ChatMessage[]): Promise<RenderChatResult> {
        return this.call('renderChat', { messages });
    }

    /** The text each token of a sequence shows (joined, the sequence's text; see tokenTexts). */
    tokenPieces(tokens: number[]): Promise<string[]> {
        return this.call('tokenPieces', { tokens });
    }

    /** A sequence's tokens as shown: text, vocabulary piece and split-character marks (src/shared/tokenText.ts). */
    tokenTexts(tokens: number[]): Promise<TokenText[]> {
        return this.call('tokenTexts', { tokens });
    }

    detokenize(tokens: number[], options: { specialTokens?: boolean } = {}): Promise<string> {
        return this.call('detokenize', { tokens, ...options });
    }

    complete(request: CompletionRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        return this.generate('complete', request, options);
    }

    chat(request: ChatRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        return this.generate('chat', request, options);
    }

    /**
     * Ghost-text completion at a cursor, on the runtime's dedicated inline sequence: after a keystroke only the new
     * tokens are evaluated. Abort a request as soon as it is stale; the next one reuses what it evaluated.
     */
    completeInline(request: InlineCompletionRequest, options: StreamOptions = {}): Promise<InlineCompletionResult> {
        return this.generate('completeInline', request, options) as Promise<InlineCompletionResult>;
    }

    /**
     * `n` sampled continuations of one prompt (self-consistency): the runtime evaluates the prompt once, shares it
     * between `n` sequences and decodes the paths in one batch. Path i samples with a seed derived from the request's.
     */
    completeMany(request: CompletionManyRequest, options: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        return this.sampleMany('completeMany', request, options.signal);
    }

    /** `n` sampled replies to one conversation, sharing its rendered prompt (see {@link completeMany}). */
    chatMany(request: ChatManyRequest, options: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        return this.sampleMany('chatMany', request, options.signal);
    }

    /**
     * Raw next-token probabilities for every prompt token and `generate` generated tokens, from one pass (see
     * TokenProbabilitiesRequest). The result is sent whole when done; there is no token stream.
     */
    async tokenProbabilities(request: TokenProbabilitiesRequest, options: { signal?: AbortSignal } = {}): Promise<TokenProbabilitiesResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call('tokenProbabilities', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /** Exact log P(continuation | prompt) of each continuation, the prompt evaluated once (see ScoreContinuationsRequest). */
    async scoreContinuations(request: ScoreContinuationsRequest, options: { signal?: AbortSignal } = {}): Promise<ScoreContinuationsResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call('scoreContinuations', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /** Beam search over raw log-probabilities (see BeamSearchRequest): the n best hypotheses and the search tree. */
    async beamSearch(request: BeamSearchRequest, options: { signal?: AbortSignal } = {}): Promise<BeamSearchResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call('beamSearch', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /**
     * Full fine-tuning of a model file through llama.cpp's training API (the trained fixtures), with progress per chunk
     * of windows and one report per finished epoch (see TrainModelRequest). The loaded model is left as it is.
     */
    async trainModel(request: TrainModelRequest, options: { signal?: AbortSignal; onProgress?: (progress: TrainingProgress) => void } = {}): Promise<TrainModelResult> {
        const host = await this.ensureHost(false);
        const onProgress = options.onProgress;
        return host.request('trainModel', request, {
            signal: options.signal,
            ...(onProgress ? { onProgress: (progress: RequestProgress) => { if (progress.phase === 'train' || progress.phase === 'validate') onProgress(progress); } } : {}),
        });
    }

    /**
     * Quantizes a model file with llama.cpp's own quantizer, with progress per tensor; cancelling stops it before the
     * next tensor and leaves no partial file. The loaded model is left as it is.
     */
    async quantizeModel(request: QuantizeModelRequest, options: { signal?: AbortSignal; onProgress?: (progress: QuantizeProgress) => void } = {}): Promise<QuantizeModelResult> {
        const host = await this.ensureHost(false);
        const onProgress = options.onProgress;
        return host.request('quantizeModel', request, {
            signal: options.signal,
            ...(onProgress ? { onProgress: (progress: RequestProgress) => { if (progress.phase === 'quantize') onProgress(progress); } } : {}),
        });
    }

    /**
     * The loaded model and another of the same vocabulary (e.g. its quantized copy) on one prompt: per position, KL of
     * the raw next-token distributions, each model's top token and its log-probability of the text's next token.
     */
    async compareModels(request: CompareModelsRequest, options: { signal?: AbortSignal } = {}): Promise<CompareModelsResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call('compareModels', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /**
     * Embeddings of texts by a GGUF model through node-llama-cpp's embedding context (see EmbedRequest): the model is
     * loaded on the CPU on first use and kept, beside the model loaded for generation (none is needed).
     */
    async embed(request: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
        this.generations++;
        this.updateState();
        try {
            const host = await this.ensureHost(false);
            return await host.request('embed', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /** Attention weights (a flat Float32Array [layer][head][query][key]) of a prompt of at most 512 tokens (see AttentionRequest). */
    async attention(request: AttentionRequest, options: { signal?: AbortSignal } = {}): Promise<AttentionResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call('attention', request, { signal: options.signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /**
     * Checks a LoRA adapter file against the loaded model without applying it: its absolute path, or a
     * LoraAdapterError saying why it does not fit (e.g. an adapter for another model).
     */
    validateLora(path: string): Promise<string> {
        return this.call('validateLora', { path });
    }

    private async sampleMany<M extends 'completeMany' | 'chatMany'>(method: M, request: RuntimeMethods[M]['params'], signal: AbortSignal | undefined): Promise<MultiCompletionResult> {
        this.generations++;
        this.updateState();
        try {
            return await this.call(method, request, { signal });
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    /** Stops the host process; the client can be used again afterwards (it restarts the host and reloads the model). */
    async stop(): Promise<void> {
        const hosts = [this.host, this.startingHost];
        this.epoch++;
        this.host = undefined;
        this.startingHost = undefined;
        this.starting = undefined;
        await Promise.all(hosts.map(host => host?.stop()));
        this.updateState();
    }

    /** Stops the host for good. */
    async dispose(): Promise<void> {
        this.disposed = true;
        this.lastLoad = undefined;
        this.model = undefined;
        await this.stop();
        this.stateListeners.clear();
        this.stopListeners.clear();
    }

    private async generate<M extends 'complete' | 'chat' | 'completeInline'>(method: M, request: RuntimeMethods[M]['params'], options: StreamOptions): Promise<CompletionResult> {
        const { onToken, signal } = options;
        this.generations++;
        this.updateState();
        try {
            return await this.call(method, request, {
                signal,
                onTokens: onToken ? (tokens, text) => onToken({ tokens, text }) : undefined,
            }) as CompletionResult;
        } finally {
            this.generations--;
            this.updateState();
        }
    }

    private async call<M extends RuntimeMethod>(method: M, params: RuntimeMethods[M]['params'], hooks?: RequestHooks): Promise<RuntimeMethods[M]['result']> {
        const host = await this.ensureHost(true);
        return host.request(method, params, hooks);
    }

    /**
     * The running host, starting one when needed. A start reloads the last model; when that reload fails, the host
     * is still published (it is healthy) and callers that need the model (`reload`) get the reload's error.
     */
    private async ensureHost(reload: boolean): Promise<HostProcess> {
        if (this.disposed) throw new RuntimeStoppedError('the runtime client was disposed');
        if (this.host?.alive) return this.host;
        if (!this.starting) {
            // Started by loadModel (reload false), the old model is not loaded first: the new one is on its way.
            const starting = this.start(reload);
            this.starting = starting;
            const clear = () => { if (this.starting === starting) this.starting = undefined; };
            starting.then(clear, clear);
            this.updateState();
        }
        const { host, reloadError } = await this.starting;
        if (reload && reloadError !== undefined) throw reloadError;
        return host;
    }

    private async start(reload: boolean): Promise<{ host: HostProcess; reloadError?: unknown }> {
        const host = new HostProcess(this.hostScript, { ...process.env, ...this.extraEnv }, this.log, () => this.responseTimeoutSeconds);
        const epoch = this.epoch;
        this.startingHost = host;
        void host.exited.then(({ reason, expected }) => this.onHostExit(host, reason, expected));
        try {
            await host.ready;
            this.log('info', `Runtime host started (pid ${host.pid})`, 'runtime');
            let reloadError: unknown;
            const model = reload ? this.lastLoad : undefined;
            if (model) {
                this.log('info', `Reloading ${model.model} after a runtime restart`, 'runtime');
                this.loads++;
                this.updateState();
                try {
                    this.model = await host.request('loadModel', this.loadParams(model));
                } catch (error) {
                    this.lastLoad = undefined;
                    this.model = undefined;
                    reloadError = error;
                } finally {
                    this.loads--;
                }
            }
            if (epoch !== this.epoch) {
                // stop() or dispose() came while this host was starting.
                await host.stop();
                throw new RuntimeStoppedError('the runtime was stopped');
            }
            if (!host.alive) throw reloadError ?? new RuntimeStoppedError('the runtime host exited while starting');
            // Published only now: requests arriving during the reload wait on `starting` instead of racing the load.
            this.host = host;
            this.updateState();
            return { host, reloadError };
        } finally {
            if (this.startingHost === host) this.startingHost = undefined;
        }
    }

    private loadParams(options: LoadModelOptions): LoadModelParams {
        return { ...options, downloadTimeoutSeconds: this.responseTimeoutSeconds };
    }

    private onHostExit(host: HostProcess, reason: string, expected: boolean): void {
        if (this.host === host) this.host = undefined;
        this.updateState();
        if (expected) return;
        this.log('error', `Runtime host stopped: ${reason}`, 'runtime');
        for (const listener of this.stopListeners) this.notify(() => listener(reason));
    }

    /** Listeners run inside IPC and process events: one that throws must not take the extension host down. */
    private notify(listener: () => void): void {
        try {
            listener();
        } catch (error) {
            this.log('error', `runtime listener failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 'runtime');
        }
    }

    private updateState(): void {
        let state: RuntimeState;
        if (this.host?.alive) {
            if (this.loads > 0) state = 'loading';
            else if (this.generations > 0) state = 'busy';
            else state = this.model ? 'ready' : 'idle';
        } else if (this.starting) {
            state = this.loads > 0 ? 'loading' : 'starting';
        } else {
            state = 'stopped';
        }
        if (state === this.currentState) return;
        this.currentState = state;
        for (const listener of this.stateListeners) this.notify(() => listener(state));
    }
}
