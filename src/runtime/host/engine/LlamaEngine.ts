import { checkRuntimeSwitches } from '../../../shared/environmentSwitches';
import { logSumExp } from '../../../core/reasoning/labelDistribution';
import type { GgufFileInfo, LlamaModel, Token } from 'node-llama-cpp';
import type {
    ChatMessage, ChatRequest, CompletionRequest, CompletionResult, GpuSetting, LoadModelCallOptions, LoadModelOptions,
    LoraAdapterSpec, ModelInfo, ModelMetadata, RenderChatResult, RuntimeLogSink,
} from '../../../shared/runtimeApi';
import type { InlineCompletionRequest, InlineCompletionResult } from '../../../shared/runtimeApi';
import type { TokenText } from '../../../shared/tokenText';
import { validateSampling, type ResolvedSampling } from '../../../core/sampling/validateSampling';
import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { ModelFileError } from '../../../shared/errors/ModelFileError';
import { NoModelLoadedError } from '../../../shared/errors/NoModelLoadedError';
import { maxProbabilityAlternatives, maxThreads } from '../../../shared/limits';
import { isLoraScale, loraScaleAllowed } from '../../../core/model/loraScale';
import { resolveModelSource } from '../resolveModelSource';
import { validateLoraFile } from '../validateLoraFile';
import { validateModelFile, validateTensorData } from '../validateModelFile';
import { ContextRegistry } from './ContextRegistry';
import type { ChatManyRequest, CompletionManyRequest, MultiCompletionResult } from '../../../shared/runtimeApi';
import type { TokenSink } from './decodeLoop';
import { defaultThreadCount } from './defaultThreads';
import { trainModel } from '../training/trainModel';
import { validateSpeculative } from '../../../core/decoding/validateSpeculative';
import { quantizeModel } from '../quantize/quantizeModel';
import { runBeamSearch } from './runBeamSearch';
import type { BeamSearchRequest, BeamSearchResult, TrainingProgress, TrainModelRequest, TrainModelResult } from '../../../shared/runtimeApi';
import type { QuantizeModelRequest, QuantizeModelResult, QuantizeProgress } from '../../../shared/runtimeApi';
import type { CompareModelsRequest, CompareModelsResult } from '../../../shared/runtimeApi';
import { describeModel, summarizeMetadata } from './describeModel';
import { LlamaBackend } from './LlamaBackend';
import { loadLlamaModule } from './llamaModule';
import { LoadedModel } from './LoadedModel';
import { renderChat } from './renderChat';
import { chooseChatWrapper } from './chooseChatWrapper';
import { templatedText } from './templatedText';
import { runInlineCompletion } from './runInlineCompletion';
import type { TokenProbabilitiesRequest, TokenProbabilitiesResult } from '../../../shared/runtimeApi';
import { runTokenProbabilities } from './runTokenProbabilities';
import type { ScoreContinuationsRequest, ScoreContinuationsResult } from '../../../shared/runtimeApi';
import { runScoreContinuations } from './runScoreContinuations';
import type { AttentionRequest, AttentionResult } from '../../../shared/runtimeApi';
import { compareModelDistributions, releaseAttentionModel } from './llamaExtrasAddon';
import { runAttention } from './runAttention';
import type { EmbedRequest, EmbedResult } from '../../../shared/embeddingApi';
import { EmbeddingModels } from './EmbeddingModels';

export interface LlamaEngineOptions {
    /** Receives our logs and llama.cpp's. Defaults to dropping them. */
    log?: RuntimeLogSink;
}

export interface GenerateCallOptions {
    /** Called synchronously for each generated token; must not block. */
    onToken?: TokenSink;
    signal?: AbortSignal;
}

/** Context size when LoadModelOptions.contextSize is not given: the training context, capped (KV memory grows with it). */
const defaultContextSizeCap = 4096;

/**
 * The model runtime itself, in whatever process it is created: the runtime host wraps it behind IPC, and
 * benchmarks call it in-process to measure what the IPC costs. Holds at most one loaded model.
 */
export class LlamaEngine {
    private readonly log: RuntimeLogSink;
    private backend: LlamaBackend | undefined;
    /** The embedding models of {@link embed}, on the backend of the time: dropped before that backend is. */
    private embeddingModels: EmbeddingModels | undefined;
    private loaded: LoadedModel | undefined;
    /** GGUF info of the loaded model's file, to validate per-request LoRA adapters against. */
    private loadedFile: GgufFileInfo | undefined;
    /** Per-request adapters already validated against the loaded model: absolute path by given path. */
    private readonly validatedLora = new Map<string, Promise<string>>();
    /** Loads and unloads one at a time, in call order. */
    private modelChange: Promise<unknown> = Promise.resolve();

    constructor(options: LlamaEngineOptions = {}) {
        this.log = options.log ?? (() => undefined);
    }

    get modelInfo(): ModelInfo | undefined {
        return this.loaded?.info;
    }

    /** The loaded model, for features built on top of the engine (probabilities, sequences, attention). */
    get model(): LoadedModel {
        if (!this.loaded) throw new NoModelLoadedError();
        return this.loaded;
    }

    /** The loaded model once any load or unload in progress has finished: a request sent right after loadModel waits for it. */
    async currentModel(): Promise<LoadedModel> {
        await this.modelChange;
        return this.model;
    }

    loadModel(options: LoadModelOptions, call: LoadModelCallOptions = {}): Promise<ModelInfo> {
        const next = this.modelChange.then(() => this.doLoadModel(options, call));
        this.modelChange = next.catch(() => undefined);
        return next;
    }

    unloadModel(): Promise<void> {
        const next = this.modelChange.then(() => this.doUnloadModel());
        this.modelChange = next.catch(() => undefined);
        return next;
    }

    modelMetadata(): ModelMetadata | undefined {
        return this.loaded ? summarizeMetadata(this.loaded.model) : undefined;
    }

    async tokenize(text: string, options: { addBos?: boolean; specialTokens?: boolean } = {}): Promise<number[]> {
        const { model } = await this.currentModel();
        const tokens = model.tokenize(text, options.specialTokens ?? false);
        const bos = model.tokens.bos;
        return options.addBos && bos != null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
    }

    /** The tokens `messages` become through the model's chat template, as chat() evaluates them. */
    async tokenizeChat(messages: ChatMessage[]): Promise<number[]> {
        const loaded = await this.currentModel();
        return renderChat(loaded.model, loaded.chatWrapper, checkMessages(messages)).tokens;
    }

    /**
     * `messages` as the model receives them through its chat template: the templated text and its tokens, each marked
     * special or not and template or message, with the wrapper that rendered them (the same rendering chat() evaluates).
     */
    async renderChat(messages: ChatMessage[]): Promise<RenderChatResult> {
        const loaded = await this.currentModel();
        const { model } = loaded;
        const rendered = renderChat(model, loaded.chatWrapper, checkMessages(messages));
        const texts = await this.tokenTexts(rendered.tokens);
        return {
            template: loaded.info.chatTemplateUse,
            text: templatedText(rendered.contextText, model),
            tokens: rendered.tokens.map((id, i) => ({ id, ...texts[i]!, special: model.isSpecialToken(id), fromTemplate: rendered.fromTemplate[i]! })),
        };
    }

    async detokenize(tokens: number[], options: { specialTokens?: boolean } = {}): Promise<string> {
        const { model } = await this.currentModel();
        return model.detokenize(this.checkTokens(tokens, 'tokens'), options.specialTokens ?? false);
    }

    /** The {@link tokenTexts} of a sequence, text only: joined, they are the text the tokens stand for. */
    async tokenPieces(tokens: number[]): Promise<string[]> {
        return (await this.tokenTexts(tokens)).map(token => token.text);
    }

    /**
     * A sequence's tokens as shown (src/core/tokens/tokenTexts): each token's text from its exact bytes, control tokens
     * included (`<s>`, `<|im_end|>`), leading spaces kept, a character split over tokens shown once and its pieces
     * marked, with the vocabulary's piece (`Ġthe`, `<0xE6>`) beside it.
     */
    async tokenTexts(tokens: number[]): Promise<TokenText[]> {
        const loaded = await this.currentModel();
        return loaded.vocabulary.texts(this.checkTokens(tokens, 'tokens'));
    }

    /** `n` sampled continuations of one prompt, evaluated once and decoded in one batch (self-consistency paths). */
    async completeMany(request: CompletionManyRequest, call: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const sampling = withoutWatermark(validateSampling(request.sampling, { vocabularySize: loaded.info.vocabularySize }), 'several paths (completeMany)');
        const tokens = this.completionPrompt(loaded, request);
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        return loaded.generateMany({
            n: request.n, tokens, sampling, stopSequences: sampling.stopSequences, startedAt, signal: call.signal, ...(lora ? { lora } : {}),
        });
    }

    /** `n` sampled replies to one conversation, its rendered prompt evaluated once and shared by every path. */
    async chatMany(request: ChatManyRequest, call: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const sampling = withoutWatermark(validateSampling(request.sampling, { vocabularySize: loaded.info.vocabularySize }), 'several paths (chatMany)');
        const rendered = renderChat(loaded.model, loaded.chatWrapper, checkMessages(request.messages));
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        return loaded.generateMany({
            ...(lora ? { lora } : {}),
            n: request.n,
            tokens: rendered.tokens,
            sampling,
            stopSequences: [...sampling.stopSequences, ...rendered.stopTexts],
            stopTokens: rendered.stopTokens,
            startedAt,
            signal: call.signal,
        });
    }

    /**
     * Raw next-token probabilities at every prompt position and for `generate` tokens after it, in one pass, with
     * an F32 KV cache unless `exact: false` (see TokenProbabilitiesRequest).
     */
    async tokenProbabilities(request: TokenProbabilitiesRequest, call: { signal?: AbortSignal } = {}): Promise<TokenProbabilitiesResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const sampling = withoutWatermark(validateSampling(request.sampling, { vocabularySize: loaded.info.vocabularySize }), 'the probabilities pass');
        if (sampling.grammar !== undefined || sampling.jsonSchema !== undefined) {
            throw new Error('Token probabilities cannot use a grammar or JSON schema: drop it from the sampling options.');
        }
        const forced = request.generated === undefined ? undefined : this.checkTokens(request.generated, 'generated');
        const generate = forced?.length ?? request.generate ?? 0;
        if (!Number.isInteger(generate) || generate < 0) throw new RangeError(`Invalid generate ${JSON.stringify(generate)}: use an integer ≥ 0.`);
        const topK = request.topK ?? 10;
        if (!Number.isInteger(topK) || topK < 1 || topK > maxProbabilityAlternatives) {
            throw new RangeError(`Invalid topK ${JSON.stringify(topK)}: use an integer from 1 to ${maxProbabilityAlternatives}.`);
        }
        const { prompt } = request;
        let tokens: Token[];
        let stopTokens: ReadonlySet<Token> | undefined;
        if (typeof prompt === 'string') {
            tokens = loaded.tokenizePrompt(prompt, request.addBos);
        } else if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object') {
            const rendered = renderChat(loaded.model, loaded.chatWrapper, checkMessages(prompt));
            tokens = rendered.tokens;
            stopTokens = rendered.stopTokens;
        } else {
            tokens = this.checkTokens(prompt, 'prompt');
        }
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        return runTokenProbabilities(loaded, {
            tokens, generate, sampling, stopTokens, topK, exact: request.exact ?? true, signal: call.signal, startedAt,
            ...(lora ? { lora } : {}), ...(forced ? { forced } : {}),
        });
    }

    /** Exact log P(continuation | prompt) for each continuation, the prompt evaluated once (label scoring). */
    async scoreContinuations(request: ScoreContinuationsRequest, call: { signal?: AbortSignal } = {}): Promise<ScoreContinuationsResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const { prompt, continuations } = request;
        if (!Array.isArray(continuations) || continuations.length === 0) throw new RangeError('Give at least one continuation to score.');
        for (const text of continuations) {
            if (typeof text !== 'string' || text === '') throw new RangeError(`Invalid continuation ${JSON.stringify(text)}: use non-empty text.`);
        }
        let promptTokens: Token[];
        // A continuation is scored as the tokens it gets after this prompt, the way the model writes it there (and the
        // way a trained reply was tokenized): a tokenizer may split a word differently at the start of a text than
        // after a newline (the fixture vocabulary has "▁good" as one token, but writes "g o o d" after the turn's
        // newline). The continuation tokenized alone is a second way to write it (with SentencePiece's word-initial
        // space, which answer mapping ignores), so where the two differ both are scored and their probabilities added:
        // they are different token sequences, so disjoint events. Token-id prompts, and a rendering that does not
        // extend the prompt's tokens, have only the split alone.
        let extend: (text: string) => Token[] | undefined = () => undefined;
        if (typeof prompt === 'string') {
            promptTokens = loaded.tokenizePrompt(prompt, request.addBos);
            extend = text => loaded.tokenizePrompt(prompt + text, request.addBos);
        } else if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object') {
            const messages = checkMessages(prompt as ChatMessage[]);
            promptTokens = renderChat(loaded.model, loaded.chatWrapper, messages).tokens;
            extend = text => renderChat(loaded.model, loaded.chatWrapper, withModelText(messages, text)).tokens;
        } else promptTokens = this.checkTokens(prompt as number[], 'prompt');
        const segmentations = continuations.map(text => {
            const alone = loaded.model.tokenize(text, false);
            const inContext = continuationTokens(promptTokens, extend(text), loaded.model);
            return inContext === undefined || sameTokens(inContext, alone) ? [alone] : [inContext, alone];
        });
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        const scored = await runScoreContinuations(loaded, {
            promptTokens, exact: request.exact ?? true, signal: call.signal, startedAt, ...(lora ? { lora } : {}),
            continuations: continuations.flatMap((text, i) => segmentations[i]!.map(tokens => ({ text, tokens }))),
        });
        let next = 0;
        const scores = continuations.map((_, i) => {
            const parts = scored.scores.slice(next, next += segmentations[i]!.length);
            if (parts.length === 1) return parts[0]!;
            return {
                ...parts[0]!, logprob: logSumExp(parts.map(p => p.logprob)),
                segmentations: parts.map(({ tokens, tokenLogprobs, logprob }) => ({ tokens, tokenLogprobs, logprob })),
            };
        });
        return { ...scored, scores };
    }

    /** A request's prompt as tokens: text tokenized (BOS as asked), chat messages rendered by the template, ids checked. */
    private promptTokens(loaded: LoadedModel, prompt: string | number[] | ChatMessage[], addBos: boolean | undefined): Token[] {
        if (typeof prompt === 'string') return loaded.tokenizePrompt(prompt, addBos);
        if (Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object') {
            return renderChat(loaded.model, loaded.chatWrapper, checkMessages(prompt as ChatMessage[])).tokens;
        }
        return this.checkTokens(prompt as number[], 'prompt');
    }

    /** Beam search over raw log-probabilities, the beams sequences of one context (see BeamSearchRequest). */
    async beamSearch(request: BeamSearchRequest, call: { signal?: AbortSignal } = {}): Promise<BeamSearchResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const tokens = this.promptTokens(loaded, request.prompt, request.addBos);
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        return runBeamSearch(loaded, {
            tokens, beams: request.beams, maxTokens: request.maxTokens, lengthPenalty: request.lengthPenalty ?? 1,
            nBest: request.nBest ?? request.beams,
            groups: request.groups ?? 1, diversityPenalty: request.diversityPenalty ?? 0, exact: request.exact ?? true, signal: call.signal, startedAt, ...(lora ? { lora } : {}),
        });
    }

    /**
     * The loaded model and another of the same vocabulary (e.g. its quantized copy) on the same prompt, position by
     * position, in the addon (see modelComparison.cc); the other model is loaded for this request only.
     */
    async compareModels(request: CompareModelsRequest): Promise<CompareModelsResult> {
        const started = performance.now();
        const loaded = await this.currentModel();
        const tokens = this.promptTokens(loaded, request.prompt, request.addBos);
        if (tokens.length < 2) throw new RangeError('The prompt must hold at least two tokens to compare predictions of it.');
        const other = await validateModelFile(request.other);
        const exact = request.exact ?? true;
        const compared = await compareModelDistributions(loaded.info.path, other.path, tokens, loaded.info.threads, exact);
        if (compared.vocabularyMismatch !== undefined) {
            throw new ModelFileError(other.path, `it cannot be compared with ${loaded.info.path}: ${compared.vocabularyMismatch}`,
                'Compare a model with a copy of it (quantized, fine-tuned) or another model of the same tokenizer.');
        }
        return {
            base: loaded.info.path, other: other.path, tokens, tokenTexts: await this.tokenTexts(tokens),
            kl: Array.from(compared.kl), baseTop: Array.from(compared.baseTop), otherTop: Array.from(compared.otherTop),
            baseLogprob: Array.from(compared.baseTarget.subarray(0, -1)), otherLogprob: Array.from(compared.otherTarget.subarray(0, -1)),
            baseEntropy: Array.from(compared.baseEntropy), otherEntropy: Array.from(compared.otherEntropy),
            vocabularySize: compared.vocabularySize, exact, ms: performance.now() - started,
        };
    }

    /** Attention weights of a prompt (≤ 512 tokens) from the native addon (see runAttention). */
    async attention(request: AttentionRequest, call: { signal?: AbortSignal } = {}): Promise<AttentionResult> {
        const loaded = await this.currentModel();
        let tokens = this.promptTokens(loaded, request.prompt, request.addBos);
        if (request.generated !== undefined) tokens = [...tokens, ...this.checkTokens(request.generated, 'generated')];
        const lora = request.lora === undefined ? undefined : await this.validateRequestLora(request.lora);
        return runAttention(loaded, {
            tokens, layers: request.layers, ubatch: request.ubatch, texts: ids => this.tokenTexts(ids), signal: call.signal,
            ...(lora ? { lora } : {}),
        });
    }

    async complete(request: CompletionRequest, call: GenerateCallOptions = {}): Promise<CompletionResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const sampling = validateSampling(request.sampling, { vocabularySize: loaded.info.vocabularySize });
        const speculative = request.speculative === undefined ? undefined : validateSpeculative(request.speculative);
        const tokens = this.completionPrompt(loaded, request);
        const context = await this.requestContext(request.lora);
        return loaded.generate({ tokens, sampling, stopSequences: sampling.stopSequences, startedAt, ...(context ? { context } : {}), ...(speculative ? { speculative } : {}), ...call });
    }

    async chat(request: ChatRequest, call: GenerateCallOptions = {}): Promise<CompletionResult> {
        const startedAt = performance.now();
        const loaded = await this.currentModel();
        const sampling = validateSampling(request.sampling, { vocabularySize: loaded.info.vocabularySize });
        const speculative = request.speculative === undefined ? undefined : validateSpeculative(request.speculative);
        const rendered = renderChat(loaded.model, loaded.chatWrapper, checkMessages(request.messages));
        const context = await this.requestContext(request.lora);
        return loaded.generate({
            ...(context ? { context } : {}),
            ...(speculative ? { speculative } : {}),
            tokens: rendered.tokens,
            sampling,
            stopSequences: [...sampling.stopSequences, ...rendered.stopTexts],
            stopTokens: rendered.stopTokens,
            startedAt,
            ...call,
        });
    }

    /**
     * Full fine-tuning of a model file with the native addon's trainer (the trained fixtures); the loaded model, if any,
     * stays as it is. node-llama-cpp's llama.cpp libraries are loaded first: the addon links them.
     */
    async trainModel(request: TrainModelRequest, call: { signal?: AbortSignal; onProgress?: (progress: TrainingProgress) => void } = {}): Promise<TrainModelResult> {
        const backend = this.backend ?? await this.backendFor('off');
        return trainModel(request, { ...call, defaultThreads: defaultThreadCount(backend.llama.cpuMathCores) });
    }

    /**
     * Quantizes a model file with llama.cpp's quantizer (the addon); the loaded model, if any, stays as it is.
     * node-llama-cpp's llama.cpp libraries are loaded first: the addon links them.
     */
    async quantizeModel(request: QuantizeModelRequest, call: { signal?: AbortSignal; onProgress?: (progress: QuantizeProgress) => void } = {}): Promise<QuantizeModelResult> {
        const backend = this.backend ?? await this.backendFor('off');
        return quantizeModel(request, { ...call, defaultThreads: defaultThreadCount(backend.llama.cpuMathCores) });
    }

    /**
     * Checks a LoRA adapter against the loaded model (GGUF adapter, architecture, tensor shapes) without applying
     * it; returns its absolute path or throws a LoraAdapterError.
     */
    async validateLora(path: string): Promise<string> {
        await this.currentModel();
        const [adapter] = await this.validateRequestLora([{ path }]);
        return adapter!.path;
    }

    /**
     * Embeddings of texts by a GGUF model (see EmbedRequest), on the CPU, whether or not a model is loaded for
     * generation: the retrieval index's chunks and each retrieving prompt's query.
     */
    async embed(request: EmbedRequest, call: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
        await this.modelChange;
        if (!this.embeddingModels) {
            const backend = this.backend ?? await this.backendFor('off');
            this.embeddingModels = new EmbeddingModels(backend, defaultThreadCount(backend.llama.cpuMathCores), (level, message) => this.log(level, message, 'runtime'));
        }
        return this.embeddingModels.embed(request, call);
    }

    /** Ghost-text completion on the dedicated inline sequence, reusing the previous request's evaluated prefix. */
    async completeInline(request: InlineCompletionRequest, call: GenerateCallOptions = {}): Promise<InlineCompletionResult> {
        const startedAt = performance.now();
        return runInlineCompletion(await this.currentModel(), request, { ...call, startedAt });
    }

    async dispose(): Promise<void> {
        await this.unloadModel();
        await this.dropEmbeddingModels();
        const backend = this.backend;
        this.backend = undefined;
        await backend?.dispose();
    }

    private async doLoadModel(options: LoadModelOptions, call: LoadModelCallOptions): Promise<ModelInfo> {
        const startedAt = performance.now();
        const { signal, onProgress } = call;
        checkLoadOptions(options);
        // The host reads these switches later, wherever a path is chosen; a typo must fail here, whoever started it.
        checkRuntimeSwitches(process.env);
        const gpu = options.gpu ?? 'auto';
        // The model loaded now stays until the new file has passed every check below, so a missing, corrupt or
        // undownloadable file (or a cancelled download) loses nothing. Only another backend needs it gone first:
        // the backend owns it.
        if (this.backend !== undefined && this.backend.gpu !== gpu) await this.doUnloadModel();
        // Starting llama.cpp's backend (~0.9 s: node-llama-cpp test-loads the prebuilt binary in a child process)
        // overlaps with resolving and checking the file.
        const backendReady = this.backendFor(gpu);
        backendReady.catch(() => undefined);

        const path = await resolveModelSource(options.model, { modelsDirectory: options.modelsDirectory, onProgress, signal });
        const file = await validateModelFile(path);
        const lora: Required<LoraAdapterSpec>[] = [];
        for (const adapter of options.lora ?? []) {
            lora.push({ path: await validateLoraFile(adapter.path, file.info), scale: adapter.scale ?? 1 });
        }
        signal?.throwIfAborted();

        const validatedAt = performance.now();
        const backend = await backendReady;
        await validateTensorData(file, backend.llama);
        signal?.throwIfAborted();
        await this.doUnloadModel();
        const backendAt = performance.now();
        const llamaModule = await loadLlamaModule();
        const mark = backend.logTail.mark();
        let model;
        try {
            model = await backend.llama.loadModel({
                modelPath: file.path,
                gpuLayers: options.gpuLayers ?? 'auto',
                loadSignal: signal,
                onLoadProgress: fraction => onProgress?.({ phase: 'load', fraction }),
            });
        } catch (error) {
            signal?.throwIfAborted();
            const reasons = backend.logTail.since(mark);
            const why = reasons.length > 0 ? reasons.join(' / ') : (error as Error).message;
            throw new ModelFileError(file.path, `llama.cpp could not load it: ${why}`,
                'The file may be damaged or made for a newer llama.cpp: download or convert it again.');
        }

        const modelAt = performance.now();
        try {
            const threads = options.threads ?? defaultThreadCount(backend.llama.cpuMathCores);
            const contextSize = options.contextSize ?? Math.min(model.trainContextSize || defaultContextSizeCap, defaultContextSizeCap);
            const contexts = new ContextRegistry(model, { contextSize, threads }, backend.logTail, undefined, (level, message) => this.log(level, message, 'runtime'));
            const context = await contexts.get({ lora });
            const { wrapper: chatWrapper, use: chatTemplateUse } = chooseChatWrapper(model, llamaModule);
            if (chatTemplateUse.warning?.code === 'template-unusable') {
                this.log('warn', `${chatTemplateUse.warning.template} of ${file.path} cannot be used (${chatTemplateUse.warning.reason}); `
                    + `chat prompts use ${chatTemplateUse.wrapper} instead`, 'runtime');
            }
            const info = await describeModel({
                llama: backend.llama, model, path: file.path, fileSizeBytes: file.sizeBytes, chatWrapper, chatTemplateUse,
                contextSize: context.contextSize, threads, lora,
            });
            this.loaded = new LoadedModel(backend, model, contexts, chatWrapper, info, lora);
            this.loadedFile = file.info;
            const ms = (from: number, to: number) => Math.round(to - from);
            const doneAt = performance.now();
            this.log('info', `Loaded ${info.name} (${info.architecture}, ${info.quantization}, ${info.backend}, ${threads} threads, `
                + `context ${info.contextSize}) in ${ms(startedAt, doneAt)} ms: checks ${ms(startedAt, validatedAt)}, `
                + `llama.cpp backend ${ms(validatedAt, backendAt)}, weights ${ms(backendAt, modelAt)}, context ${ms(modelAt, doneAt)}`, 'runtime');
            onProgress?.({ phase: 'load', fraction: 1 });
            return info;
        } catch (error) {
            await model.dispose();
            throw error;
        }
    }

    private async doUnloadModel(): Promise<void> {
        const loaded = this.loaded;
        this.loaded = undefined;
        this.loadedFile = undefined;
        this.validatedLora.clear();
        if (loaded) await loaded.dispose();
        // The native addon's own copy of the model file goes with it.
        if (loaded) await releaseAttentionModel();
    }

    /** A completion request's prompt as tokens: text tokenized (with BOS unless `addBos` is false), ids checked. */
    private completionPrompt(loaded: LoadedModel, request: { prompt: string | number[]; addBos?: boolean }): Token[] {
        return typeof request.prompt === 'string'
            ? loaded.tokenizePrompt(request.prompt, request.addBos)
            : this.checkTokens(request.prompt, 'prompt');
    }

    private async backendFor(gpu: GpuSetting): Promise<LlamaBackend> {
        if (this.backend?.gpu === gpu) return this.backend;
        const previous = this.backend;
        this.backend = undefined;
        await this.dropEmbeddingModels();
        await previous?.dispose();
        this.backend = await LlamaBackend.create(gpu, this.log);
        return this.backend;
    }

    private async dropEmbeddingModels(): Promise<void> {
        const models = this.embeddingModels;
        this.embeddingModels = undefined;
        await models?.dispose();
    }

    /** The context config of a request's own adapters, or undefined for the model's default context. */
    private async requestContext(lora: LoraAdapterSpec[] | undefined): Promise<{ lora: Required<LoraAdapterSpec>[] } | undefined> {
        return lora === undefined ? undefined : { lora: await this.validateRequestLora(lora) };
    }

    /** A request's adapters, each validated against the loaded model once per load (a LoraAdapterError otherwise). */
    private async validateRequestLora(lora: LoraAdapterSpec[]): Promise<Required<LoraAdapterSpec>[]> {
        if (!Array.isArray(lora)) throw new TypeError('lora must be a list of {path, scale} adapters.');
        checkLoadOptions({ model: 'request', lora });
        const file = this.loadedFile;
        if (!file) throw new NoModelLoadedError();
        const resolved: Required<LoraAdapterSpec>[] = [];
        for (const adapter of lora) {
            let path = this.validatedLora.get(adapter.path);
            if (!path) {
                path = validateLoraFile(adapter.path, file);
                this.validatedLora.set(adapter.path, path);
                path.catch(() => this.validatedLora.delete(adapter.path));
            }
            resolved.push({ path: await path, scale: adapter.scale ?? 1 });
        }
        return resolved;
    }

    private checkTokens(tokens: unknown, what: string): Token[] {
        const size = this.model.info.vocabularySize;
        if (!Array.isArray(tokens)) throw new TypeError(`${what} must be an array of token ids.`);
        for (const token of tokens) {
            if (!Number.isInteger(token) || token < 0 || (size > 0 && token >= size)) {
                throw new RangeError(`${what} contains ${String(token)}, which is not a token id of this model (0–${size - 1}).`);
            }
        }
        return tokens as Token[];
    }
}

const gpuSettings: readonly GpuSetting[] = ['auto', 'cuda', 'metal', 'vulkan', 'off'];

function checkLoadOptions(options: LoadModelOptions): void {
    if (typeof options.model !== 'string' || options.model.trim() === '') {
        throw new Error('No model given: set promptscope.model (or --model) to a .gguf file or an hf:owner/repo:quant URI.');
    }
    if (options.gpu !== undefined && !gpuSettings.includes(options.gpu)) {
        throw new Error(`Invalid gpu setting ${JSON.stringify(options.gpu)}: use one of ${gpuSettings.join(', ')}.`);
    }
    const { gpuLayers, threads, contextSize } = options;
    if (gpuLayers !== undefined && gpuLayers !== 'auto' && gpuLayers !== 'max' && !(Number.isInteger(gpuLayers) && gpuLayers >= 0)) {
        throw new Error(`Invalid gpuLayers ${JSON.stringify(gpuLayers)}: use "auto", "max" or an integer ≥ 0.`);
    }
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= maxThreads)) {
        throw new Error(`Invalid threads ${JSON.stringify(threads)}: use an integer from 1 to ${maxThreads}.`);
    }
    if (contextSize !== undefined && !(Number.isInteger(contextSize) && contextSize >= 16)) {
        throw new Error(`Invalid contextSize ${JSON.stringify(contextSize)}: use an integer ≥ 16.`);
    }
    for (const adapter of options.lora ?? []) {
        if (typeof adapter?.path !== 'string' || adapter.path === '') throw new Error('Each LoRA adapter needs a path.');
        if (adapter.scale !== undefined && !isLoraScale(adapter.scale)) {
            throw new Error(`Invalid LoRA scale ${String(adapter.scale)} for ${adapter.path}: use ${loraScaleAllowed}.`);
        }
    }
}

const roles = new Set(['system', 'user', 'model']);

function checkMessages(messages: unknown): ChatMessage[] {
    if (!Array.isArray(messages) || messages.length === 0) throw new Error('A chat request needs at least one message.');
    messages.forEach((m: ChatMessage, i) => {
        if (!m || !roles.has(m.role)) throw new Error(`Message ${i + 1} has role ${JSON.stringify(m?.role)}: use system, user or model.`);
        if (typeof m.text !== 'string') throw new Error(`Message ${i + 1} has no text.`);
    });
    return messages as ChatMessage[];
}

/**
 * The sampling of a path that cannot watermark: generation with a watermark runs on the native loop, one generation at
 * a time (run, chat, the playground); elsewhere the watermark would be silently missing, so it is refused.
 */
function withoutWatermark(sampling: ResolvedSampling, where: string): ResolvedSampling {
    if (sampling.watermark) throw new SamplingOptionsError('watermark', '(set)', `only on one generation (run, chat), not on ${where}`);
    return sampling;
}

/** The conversation with `text` written in the model's turn: appended to a trailing model message (a prefill), else as one. */
function withModelText(messages: readonly ChatMessage[], text: string): ChatMessage[] {
    const last = messages[messages.length - 1];
    if (last?.role === 'model') return [...messages.slice(0, -1), { role: 'model', text: last.text + text }];
    return [...messages, { role: 'model', text }];
}

/**
 * The tokens after `prompt` in `extended` (the prompt's text or conversation with the continuation written after it),
 * when `extended` starts with every prompt token and adds only plain tokens; undefined otherwise (a tokenizer that
 * merges across the boundary, or a template that closes the turn).
 */
function continuationTokens(prompt: readonly Token[], extended: readonly Token[] | undefined, model: LlamaModel): Token[] | undefined {
    if (extended === undefined || extended.length <= prompt.length) return undefined;
    for (let i = 0; i < prompt.length; i++) if (extended[i] !== prompt[i]) return undefined;
    const tail = extended.slice(prompt.length);
    return tail.some(token => model.isSpecialToken(token)) ? undefined : tail;
}

function sameTokens(a: readonly Token[], b: readonly Token[]): boolean {
    return a.length === b.length && a.every((token, i) => token === b[i]);
}
