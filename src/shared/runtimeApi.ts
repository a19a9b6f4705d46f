/**
 * Public types of the Promptscope runtime: what the extension, the CLI and the benchmarks see of
 * the model runtime, whichever process it runs in. Imports only src/shared: both the extension bundle and the
 * runtime host bundle include this file, and neither side may drag node-llama-cpp into the other.
 */
import type { QuantizationType } from './quantizationTypes';
import type { SamplingOptions } from './sampling';
import type { TokenText } from './tokenText';

export type { SamplingOptions, TokenText };

/** Which GPU backend llama.cpp may use. `auto` picks CUDA, Metal or Vulkan when present, else CPU. */
export type GpuSetting = 'auto' | 'cuda' | 'metal' | 'vulkan' | 'off';

/** The backend llama.cpp actually ended up using for a loaded model. */
export type Backend = 'cpu' | 'cuda' | 'metal' | 'vulkan';

export interface LoraAdapterSpec {
    /** Absolute path of a GGUF LoRA adapter (`general.type = adapter`). */
    path: string;
    /** Strength of the adapter. Defaults to `1`. */
    scale?: number;
}

export interface LoadModelOptions {
    /** An absolute path to a `.gguf` file, or an `hf:owner/repo:quant` URI resolved through node-llama-cpp's downloader. */
    model: string;
    /** GPU backend to use. Defaults to `"auto"`. */
    gpu?: GpuSetting;
    /** Layers to offload to the GPU: a count, `"auto"` (as many as fit) or `"max"`. Defaults to `"auto"`. */
    gpuLayers?: number | 'auto' | 'max';
    /**
     * CPU threads for decoding. Defaults to the physical core count minus one (at least 1):
     * node-llama-cpp's own default was measured 20–100× slower than 1 thread for tiny models on 2 cores.
     */
    threads?: number;
    /** Context size in tokens. Defaults to the model's training context, capped at 4096. */
    contextSize?: number;
    /** Folder where `hf:` downloads are cached. Defaults to `~/.cache/promptscope/models`. */
    modelsDirectory?: string;
    /** LoRA adapters applied to the default context. Defaults to none. */
    lora?: LoraAdapterSpec[];
}

export interface LoadProgress {
    phase: 'download' | 'load';
    /** 0…1 */
    fraction: number;
    downloadedBytes?: number;
    totalBytes?: number;
}

export interface ModelInfo {
    /** Absolute path of the loaded GGUF file. */
    path: string;
    /** `general.name` when present, else the file name. */
    name: string;
    architecture: string;
    /** Parameter count computed from the tensor shapes. */
    parameters: number;
    fileSizeBytes: number;
    /** Training context length from the GGUF metadata. */
    trainContextLength: number;
    /** Context size of the runtime's context. */
    contextSize: number;
    /** Human-readable file type / quantization, e.g. `F16`, `Q4_K_M`, `MOSTLY_F32`. */
    quantization: string;
    vocabularySize: number;
    embeddingLength: number;
    layers: number;
    heads: number;
    kvHeads: number;
    /** The Jinja chat template from `tokenizer.chat_template`, when the model has one. */
    chatTemplate?: string;
    /** node-llama-cpp chat wrapper chosen for this model, e.g. `ChatMLChatWrapper`. */
    chatWrapper: string;
    /** How chat prompts are rendered: that wrapper, where it comes from, and why the model's own template is not used when it is not. */
    chatTemplateUse: ChatTemplateUse;
    /** Whether the model has fill-in-the-middle tokens. */
    supportsInfill: boolean;
    backend: Backend;
    /**
     * Which llama.cpp binaries run it: node-llama-cpp's prebuilt ones throughout, or those with ggml's CPU backend
     * built for this CPU (`optimized`: at npm install or by `promptscope build-runtime`).
     */
    runtimeBinary?: 'prebuilt' | 'optimized';
    /** The optimized CPU backend library, when it is the one llama.cpp computes with. */
    cpuBackend?: string;
    /** Why that one: the optimized backend's build, or why it is not in use. */
    runtimeBinaryReason?: string;
    gpuLayers: number;
    threads: number;
    bosToken?: number;
    eosToken?: number;
    lora: LoraAdapterSpec[];
}

/**
 * Where a chat prompt's format comes from. `model-template`: the model's own Jinja template (`tokenizer.chat_template`)
 * renders it. `family-wrapper`: node-llama-cpp's built-in wrapper of the template's family (ChatML, Llama 3, …), which it
 * checked renders the same as the model's template. `fallback`: the model has no template, or one node-llama-cpp
 * cannot interpret, so the format is a wrapper guessed from the model's name, architecture or BOS token.
 */
export type ChatTemplateSource = 'model-template' | 'family-wrapper' | 'fallback';

/** Why the model's own template is not what renders its chat prompts. */
export interface ChatTemplateWarning {
    /** `template-unusable`: node-llama-cpp could not interpret the template (syntax, an unsupported construct, a failed render). `no-template`: the file has none. */
    code: 'template-unusable' | 'no-template';
    /** The template's GGUF metadata key, `tokenizer.chat_template`. */
    template: string;
    /** The template's first line, at most 80 characters; absent for `no-template`. */
    firstLine?: string;
    /** Why, in node-llama-cpp's words for `template-unusable`. */
    reason: string;
}

/** How a loaded model's chat prompts are rendered. */
export interface ChatTemplateUse {
    /** node-llama-cpp's chat wrapper class, e.g. `ChatMLChatWrapper`, `JinjaTemplateChatWrapper`. */
    wrapper: string;
    source: ChatTemplateSource;
    /** Present when `source` is `fallback`. */
    warning?: ChatTemplateWarning;
}

/** One token of a rendered chat prompt: its {@link TokenText} (`text` what it shows, control tokens included, `raw` its vocabulary piece). */
export interface RenderedToken extends TokenText {
    id: number;
    /** A control or end-of-generation token of the model's vocabulary (not text a user could type). */
    special: boolean;
    /** Whether the chat template wrote this token (markers, role names), rather than a message's text. */
    fromTemplate: boolean;
}

/** Messages as the model receives them: the templated text and its tokens, exactly what `chat` evaluates. */
export interface RenderChatResult {
    template: ChatTemplateUse;
    /**
     * The template's output, special tokens written as their text. The tokens' texts are what the model reads: they
     * differ from this where the tokenizer changes the text (a SentencePiece space after a special token).
     */
    text: string;
    tokens: RenderedToken[];
}

export interface CompletionRequest {
    /** Raw text, or token ids to evaluate as-is. */
    prompt: string | number[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for (`true` for llama models). */
    addBos?: boolean;
    sampling?: SamplingOptions;
    /**
     * LoRA adapters for this request only, instead of the model's (LoadModelOptions.lora); `[]` is the base model.
     * Each adapter is validated against the model first (a LoraAdapterError, never an abort). The context for an
     * adapter set is created on its first use and kept (llama.cpp fixes adapters at context creation), so only a
     * changed set or scale costs a context. Defaults to the model's adapters.
     */
    lora?: LoraAdapterSpec[];
    /** Speculative decoding of this request: the same tokens, fewer target evaluations when drafts are right. Defaults to none. */
    speculative?: SpeculativeOptions;
}

/**
 * Speculative (assisted) decoding: a drafter proposes the next tokens, the model evaluates them in one batch and keeps
 * the ones it samples itself. The output is the plain run's (same seed, same tokens); only the speed changes.
 */
export interface SpeculativeOptions {
    /** A smaller GGUF model of the same vocabulary that drafts greedily. Exactly one of `draftModel` and `lookup`. */
    draftModel?: string;
    /**
     * Prompt lookup: draft the tokens that followed the latest earlier occurrence of the text's last n tokens, n from
     * `ngramMax` (defaults to 3) down to `ngramMin` (defaults to 2); no second model.
     */
    lookup?: { ngramMin?: number; ngramMax?: number };
    /** Most tokens drafted per round, 1–{@link maxSpeculativeDraft}. Defaults to 16 (draft model) or 8 (lookup). */
    maxDraft?: number;
    /** A draft model's token goes into the draft only while its probability is at least this, 0–1. Defaults to 0.75. */
    minProbability?: number;
}

/** The most tokens one speculative round may draft. */
export const maxSpeculativeDraft = 64;

/**
 * What speculation did in one generation. The counts are of the whole run, which a stop sequence cuts only after the
 * round it ended in (its text stops at the sequence, the work was done); `tokenSources` and `rejected` are of the text kept.
 */
export interface SpeculativeStats {
    method: 'draft-model' | 'lookup';
    /** Absolute path of the draft model. */
    draftModel?: string;
    /**
     * Milliseconds this request spent loading the draft model: 0 when it was loaded already. The runtime keeps the two
     * most recently used draft models loaded, so a third one costs a load again.
     */
    draftLoadMs?: number;
    /** Rounds: one evaluation of the model each (of the last token and that round's drafts). */
    rounds: number;
    drafted: number;
    accepted: number;
    /** accepted / drafted; absent when nothing was drafted. */
    acceptanceRate?: number;
    /** Per generated token: `accepted` (a draft token the model sampled too) or `sampled` (the model's own). */
    tokenSources: ('accepted' | 'sampled')[];
    /** Draft tokens the model did not sample, with the index of the generated token that took their place. */
    rejected: { index: number; token: number }[];
    /** Time spent drafting (the draft model's evaluations), and verifying (the model's batches and sampling). */
    draftMs: number;
    verifyMs: number;
}

export type ChatRole = 'system' | 'user' | 'model';

export interface ChatMessage {
    role: ChatRole;
    text: string;
}

export interface ChatRequest {
    messages: ChatMessage[];
    sampling?: SamplingOptions;
    /**
     * LoRA adapters for this request only, instead of the model's (LoadModelOptions.lora); `[]` is the base model.
     * Each adapter is validated against the model first (a LoraAdapterError, never an abort). The context for an
     * adapter set is created on its first use and kept (llama.cpp fixes adapters at context creation), so only a
     * changed set or scale costs a context. Defaults to the model's adapters.
     */
    lora?: LoraAdapterSpec[];
    /** Speculative decoding of this request: the same tokens, fewer target evaluations when drafts are right. Defaults to none. */
    speculative?: SpeculativeOptions;
}

export interface TokenChunk {
    /** Text decoded from `tokens` (may be empty while a multi-byte character is incomplete). */
    text: string;
    tokens: number[];
}

/**
 * Why generation ended. `contextFull`: the context had no room for another token (the runtime never shifts
 * the context silently, since that would change what the model sees).
 */
export type StopReason = 'eos' | 'maxTokens' | 'stopSequence' | 'aborted' | 'contextFull';

export interface GenerationTiming {
    promptTokens: number;
    /** Prompt tokens whose evaluation was reused from the sequence's KV cache (a shared prefix with the previous request). */
    reusedPromptTokens?: number;
    generatedTokens: number;
    /** Wall time of the whole request inside the runtime. */
    ms: number;
    timeToFirstTokenMs: number;
    /** Generated tokens per second, measured from the first generated token. */
    tokensPerSecond: number;
    /**
     * Which token loop ran: `native`, Promptscope's addon evaluating and sampling on one thread (plain sampling on a
     * single-sequence context), or `node-llama-cpp`'s own (grammars, per-token probabilities, parallel paths, or
     * when the addon is unavailable).
     */
    loop?: 'native' | 'node-llama-cpp';
}

export interface CompletionResult {
    text: string;
    tokens: number[];
    stopReason: StopReason;
    timing: GenerationTiming;
    /** The sampling seed actually used (drawn at random when the request gave none): reuse it to reproduce the run. */
    seed: number;
    /** Present when the request asked for speculative decoding. */
    speculative?: SpeculativeStats;
}

export interface StreamOptions {
    /** Called with batches of freshly generated tokens; the runtime never waits on this callback. */
    onToken?: (chunk: TokenChunk) => void;
    /** Aborting stops generation within 100 ms; the request resolves with `stopReason: "aborted"`. */
    signal?: AbortSignal;
}

/** Where an inline completion stops: at the end of the line, at a blank line, or only at `maxTokens` / end of text. */
export type InlineStop = 'line' | 'paragraph' | 'none';

/**
 * Ghost-text completion at a cursor. It runs on a dedicated, long-lived sequence in its own context, so the KV cache
 * of the previous request's text survives other requests and a request whose prefix extends the previous one
 * evaluates only the new tokens.
 */
export interface InlineCompletionRequest {
    /** Text before the cursor. */
    prefix: string;
    /**
     * Text after the cursor, used for fill-in-the-middle when the model has infill tokens (ModelInfo.supportsInfill);
     * ignored otherwise. Defaults to none (the prefix is continued).
     */
    suffix?: string;
    /** Where generation stops besides `maxTokens`. Defaults to `"line"`. */
    stopAt?: InlineStop;
    /** Sampling; here `temperature` defaults to `0` (greedy), `repeatPenalty` to `1` and `maxTokens` to `32`. Defaults to those. */
    sampling?: SamplingOptions;
}

export interface InlineCompletionResult extends CompletionResult {
    /** `infill`: prefix and suffix around the model's FIM tokens; `continuation`: the prefix alone. */
    mode: 'infill' | 'continuation';
}

export interface LoadModelCallOptions {
    onProgress?: (progress: LoadProgress) => void;
    signal?: AbortSignal;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Where runtime logs (ours and llama.cpp's) go. */
export type RuntimeLogSink = (level: LogLevel, message: string, source: 'runtime' | 'llama.cpp') => void;

/**
 * Raw GGUF metadata of the loaded model, for display: nested objects as in the file, long arrays
 * (the vocabulary, merges, token types) replaced by a short summary string, bigints as numbers.
 */
export type ModelMetadata = Record<string, unknown>;

/**
 * Several sampled continuations of one prompt (self-consistency): the prompt is evaluated once, its KV cells are
 * copied to `n` sequences of one context, and the paths decode together in one batch per step.
 */
export interface MultiSampleOptions {
    /** Number of paths, 1 to `maxSamplePaths` (64; each path holds a full context's worth of KV cells). */
    n: number;
}

export interface CompletionManyRequest extends CompletionRequest, MultiSampleOptions {}

export interface ChatManyRequest extends ChatRequest, MultiSampleOptions {}

export interface SampledPath {
    text: string;
    tokens: number[];
    stopReason: StopReason;
    /** The path's own sampling seed, derived from the request's (path 0 uses the request seed itself). */
    seed: number;
    /**
     * Natural log of the probability of each token in `tokens` as the sampler saw it when it chose the token
     * (node-llama-cpp's `confidence`): after top-k/top-p/min-p, repeat penalty, logit bias and grammar, and after the
     * temperature when it is above 0. So it is the path's probability under the sampling distribution; it equals the
     * raw model's only with temperature 0 (or 1), top-k 0, top-p 1, min-p 0, no penalty, bias or grammar.
     */
    tokenLogprobs: number[];
    /** Mean of `tokenLogprobs`; undefined when the path generated no token. */
    meanLogprob: number | undefined;
}

export interface MultiGenerationTiming {
    promptTokens: number;
    /** Prompt tokens whose KV cells the shared sequence already held from a previous request. */
    reusedPromptTokens: number;
    /**
     * Prompt tokens actually evaluated, over all paths: the shared prefix once, plus the last prompt token once per
     * path (each path needs that token's logits in its own sequence). Evaluating the prompt per path would make it `n × promptTokens`.
     */
    evaluatedPromptTokens: number;
    /** Generated tokens of all paths together. */
    generatedTokens: number;
    ms: number;
    /** Until the first token of any path. */
    timeToFirstTokenMs: number;
    /** All paths' tokens per second of decoding, from the first generated token to the last. */
    tokensPerSecond: number;
    /**
     * Which loop decoded the paths: `native`, Promptscope's addon (one batch per step, sampling in C++; no grammar), or
     * `node-llama-cpp`'s (grammars, or when the addon is unavailable).
     */
    loop?: 'native' | 'node-llama-cpp';
}

export interface MultiCompletionResult {
    paths: SampledPath[];
    /** The request seed (drawn at random when the request gave none): reuse it to reproduce every path. */
    seed: number;
    timing: MultiGenerationTiming;
}

/**
 * Per-token probabilities of a prompt and of a short generation after it, from one evaluation of the prompt
 * (every position's logits) followed by the generation (each step's logits), never a second pass.
 */
export interface TokenProbabilitiesRequest {
    /** Raw text, token ids evaluated as-is, or chat messages rendered through the model's chat template. */
    prompt: string | number[] | ChatMessage[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for (`true` for llama models). */
    addBos?: boolean;
    /** Tokens to generate after the prompt (each with its distribution). Defaults to `0`. */
    generate?: number;
    /**
     * Sampling of the generated tokens (temperature, top-k, top-p, min-p, repeat penalty, logit bias, seed; not
     * grammars or stop sequences). Defaults to the usual sampling defaults.
     */
    sampling?: SamplingOptions;
    /** Alternatives listed per position, 1 to `maxProbabilityAlternatives` (100). Defaults to `10`. */
    topK?: number;
    /**
     * Evaluate in a context with an F32 KV cache: probabilities match an exact forward pass to ~1e-6 instead of
     * ~1e-3 with the default F16 cache, for twice the KV memory. Defaults to `true`.
     */
    exact?: boolean;
    /** LoRA adapters for this request only (see CompletionRequest.lora). Defaults to the model's adapters. */
    lora?: LoraAdapterSpec[];
    /**
     * Tokens an earlier run generated (CompletionResult.tokens), scored after the prompt instead of sampling new
     * ones: the report then shows exactly that output, even one a grammar constrained or another sampler drew;
     * `generate` is ignored and `sampledTop` is what the sampling options would have drawn from at each step.
     * Defaults to none (`generate` tokens are sampled).
     */
    generated?: number[];
}

/** A token with its natural-log probability under the raw model (temperature 1, no filters). */
/** A candidate token at a position; its text is how it would be shown there (a byte finishing a character shows the character). */
export interface TokenAlternative extends TokenText {
    id: number;
    logprob: number;
}

/** A token with its probability after the sampler's filters (top-k, top-p, min-p, temperature, penalties, bias). */
export interface SampledAlternative extends TokenText {
    id: number;
    prob: number;
}

/**
 * One token of the evaluated sequence. Its {@link TokenText} fields: `text` is what it shows (control tokens included,
 * e.g. `<s>`): joined over the tokens, the texts are the text the sequence stands for, a character split over byte
 * tokens shown once, on its last byte's token (the others show '' and carry `pieces`); `raw` is the vocabulary's piece.
 */
export interface TokenProbability extends TokenText {
    /** Position in the evaluated sequence (the prompt's tokens first, then the generated ones). */
    index: number;
    id: number;
    source: 'prompt' | 'generated';
    /** log P(this token | every earlier token) under the raw model; null for the first token (nothing predicted it). */
    logprob: number | null;
    /** Entropy in nats of the raw distribution that predicted this token; null for the first token. */
    entropy: number | null;
    /** The raw distribution's `topK` most likely tokens at this position, most likely first; empty for the first token. */
    top: TokenAlternative[];
    /**
     * Generated tokens only: the distribution the sampler actually drew this token from, after its filters (so with
     * top-k 5 at most 5 entries, renormalised), at most `topK` entries, most likely first. Not the model's raw view.
     */
    sampledTop?: SampledAlternative[];
}

export interface TokenProbabilitiesResult {
    /** Name of the model (`general.name`, else the file name). */
    model: string;
    tokens: TokenProbability[];
    /** exp(−mean logprob) over the prompt tokens after the first; null when the prompt has one token. */
    promptPerplexity: number | null;
    /** Whether an F32 KV cache was used (see TokenProbabilitiesRequest.exact). */
    exact: boolean;
    /** The sampling seed of the generated tokens (drawn at random when none was given): reuse it to reproduce them. */
    seed: number;
    /** Why generation ended; `maxTokens` when it generated the `generate` tokens asked for (or none was asked). */
    stopReason: StopReason;
    /**
     * Where the distributions came from: `native` is Promptscope's addon (CPU on Linux, its own context on a CPU copy of
     * the model, statistics computed in C++), `node-llama-cpp` the loaded model's context (GPU backends, other platforms,
     * or when the addon is not built). Both give the same numbers. `server`: an OpenAI-compatible server's
     * `logprobs` (generated tokens only, its KV cache, its view: see BackendCapabilities.probabilityView).
     */
    logitsSource: 'native' | 'node-llama-cpp' | 'server';
    timing: { promptTokens: number; generatedTokens: number; ms: number };
}

/**
 * Exact log-probabilities of given continuations after one prompt (label scoring): the prompt is evaluated once,
 * each continuation after it, and every continuation token is scored from the raw logits (temperature 1, no
 * filters: a log-softmax over the full vocabulary), so no label is cut off by a top-k.
 */
export interface ScoreContinuationsRequest {
    /** Raw text, token ids evaluated as-is, or chat messages rendered through the model's chat template (the continuation is then the model's reply). */
    prompt: string | number[] | ChatMessage[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for. */
    addBos?: boolean;
    /** Texts to score, each tokenized on its own (no BOS) and appended to the prompt; at least one, none empty. */
    continuations: string[];
    /** Use an F32 KV cache (see TokenProbabilitiesRequest.exact). Defaults to `true`. */
    exact?: boolean;
    /** LoRA adapters for this request only (see CompletionRequest.lora). Defaults to the model's adapters. */
    lora?: LoraAdapterSpec[];
}

export interface ContinuationScore {
    text: string;
    /** The tokens the text gets after the prompt (written into the model's turn, or after a text prompt). */
    tokens: number[];
    /** log P(tokens[i] | prompt, tokens[<i]) per token, natural log. */
    tokenLogprobs: number[];
    /**
     * log P(continuation | prompt): the sum of `tokenLogprobs`, or, when the text tokenized alone is another token
     * sequence (`segmentations`), the log of both sequences' probabilities added.
     */
    logprob: number;
    /** Present when two token sequences write the text: the in-context split first, then the text tokenized alone. */
    segmentations?: { tokens: number[]; tokenLogprobs: number[]; logprob: number }[];
}

export interface ScoreContinuationsResult {
    model: string;
    promptTokens: number;
    scores: ContinuationScore[];
    exact: boolean;
    /** Where the log-normalizers were computed: the native addon's context (CPU), node-llama-cpp's logits, or a server's `top_logprobs`. */
    logitsSource: 'native' | 'node-llama-cpp' | 'server';
    /** Tokens evaluated in all: the prompt once plus each continuation's tokens but its last. */
    timing: { evaluatedTokens: number; ms: number };
}

/**
 * Attention weights of a prompt (from the native addon's attention capture: a context with flash attention off and an
 * F32 KV cache on a second copy of the model file, with the model's LoRA adapters). At most `maxAttentionTokens` (src/shared/limits.ts)
 * tokens, else an AttentionLimitError; without the native addon, an AddonUnavailableError.
 */
export interface AttentionRequest {
    /** Raw text (tokenized like other prompts), token ids evaluated as-is, or chat messages rendered through the model's chat template. */
    prompt: string | number[] | ChatMessage[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for. */
    addBos?: boolean;
    /** Only these layers (0-based); all by default. */
    layers?: number[];
    /** Micro-batch size of the evaluation (tests: to check that micro-batches are stitched); default: all tokens at once. */
    ubatch?: number;
    /** LoRA adapters for this request only (see CompletionRequest.lora). Defaults to the model's adapters. */
    lora?: LoraAdapterSpec[];
    /**
     * Tokens an earlier run generated, evaluated after the prompt so the map shows what its output attended to
     * (they count towards `maxAttentionTokens`). Defaults to none.
     */
    generated?: number[];
}

export interface AttentionResult {
    model: string;
    /** The tokens as shown (see TokenProbability: joined, their texts are the prompt's text). */
    tokens: ({ id: number } & TokenText)[];
    /** The model layers in `attention`'s first dimension. */
    layers: number[];
    /** Number of layers of the model. */
    modelLayers: number;
    /** Query heads (one attention matrix each); query head h reads KV head h / (heads / kvHeads). */
    heads: number;
    kvHeads: number;
    /**
     * The softmax weights, flat: for each layer slot and head, the causal lower triangle row by row (query q's weights
     * for keys 0…q, summing to 1; keys after the query have no weight and are not stored), layers.length × heads ×
     * tokens(tokens+1)/2 values. A typed array crosses the host's IPC as-is; src/core/attention/attentionWeights indexes it
     * (`attentionAt`) and makes the nested [layer][head][query][key] arrays of the CLI's `--json` (`toNestedArrays`).
     */
    attention: Float32Array;
    /**
     * Where the weights were computed: always the CPU (the native addon's own context). `copy` is true when the model
     * itself runs on a GPU, and `reason` then says why the weights come from a CPU copy of its file.
     */
    computedOn: { device: 'cpu'; copy: boolean; reason?: string };
    timing: { tokens: number; ms: number };
}

/**
 * Full fine-tuning of a model file through llama.cpp's training API (the trained fixtures): the examples are packed
 * into windows, each epoch in its own seeded order, and trained on in chunks of windows; after each epoch the weights
 * are evaluated on the validation windows and written to `checkpoint`.
 */
export interface TrainModelRequest {
    /** The model file to train: F32 weights (llama.cpp's backward pass does not go through quantized tensors). */
    model: string;
    /** Written after every epoch by llama.cpp's own model writer: an intermediate, see composeTrainedModel. */
    checkpoint: string;
    /** Whole training examples as token ids (BOS … end of turn), concatenated into windows in a new order each epoch. */
    train: number[][];
    /** Held-out examples, packed once in their own order; evaluated after each epoch. */
    validation: number[][];
    /** Tokens per training window (the context the model trains with). Defaults to 128. */
    window?: number;
    /** Epochs in the whole schedule (the learning rate decays over all of them). */
    epochs: number;
    /** The first epoch to run, 0-based: a resumed run starts after its last checkpoint. Defaults to 0. */
    startEpoch?: number;
    /** Peak learning rate (AdamW's alpha). */
    learningRate: number;
    /** The learning rate at the end of the schedule: cosine decay from `learningRate`. Defaults to learningRate / 10. */
    learningRateMin?: number;
    /**
     * Share of the schedule's chunks over which the learning rate climbs linearly from a tenth of `learningRate` before
     * the cosine decay (AdamW's first steps, with moments not yet estimated, are where a high rate diverges). Defaults to 0.
     */
    warmupFraction?: number;
    /** AdamW's decoupled weight decay. Defaults to 0. */
    weightDecay?: number;
    /** Windows per trainer call: progress, cancellation and the learning rate change between calls. Defaults to 16. */
    chunkWindows?: number;
    /** Seed of each epoch's order of the examples. */
    seed: number;
    /** CPU threads. Defaults to the runtime's. */
    threads?: number;
}

export interface TrainingEpoch {
    /** 0-based. */
    epoch: number;
    trainLoss: number;
    trainAccuracy: number;
    validationLoss: number;
    validationAccuracy: number;
    /** The learning rate of the epoch's last chunk. */
    learningRate: number;
    ms: number;
}

export interface TrainingProgress {
    phase: 'train' | 'validate';
    /** Of the whole request, 0…1. */
    fraction: number;
    /** 0-based, of `epochs`. */
    epoch: number;
    epochs: number;
    windowsDone: number;
    windowsTotal: number;
    /** Mean training loss of the epoch's chunks so far. */
    loss?: number;
    /** Sent once per epoch, after its checkpoint is written. */
    completed?: TrainingEpoch;
}

export interface TrainModelResult {
    parameters: number;
    /** The epochs this request ran (from `startEpoch`). */
    epochs: TrainingEpoch[];
    tokens: { train: number; validation: number };
    windows: { train: number; validation: number };
    checkpoint: string;
    ms: number;
}

/** A model file quantized by llama.cpp's own quantizer (llama_model_quantize), as `llama-quantize` does it. */
export interface QuantizeModelRequest {
    /** A GGUF model file. */
    input: string;
    /** The file to write; it is written beside itself under another name and renamed into place when whole. */
    output: string;
    type: QuantizationType;
    /** CPU threads. Defaults to the runtime's default thread count. */
    threads?: number;
    /** Quantize tensors that are already quantized (quality suffers twice). Defaults to false: llama.cpp refuses them. */
    allowRequantize?: boolean;
    /** Replace `output` when it exists. Defaults to false: an existing file is an error. */
    overwrite?: boolean;
}

export interface QuantizeProgress {
    phase: 'quantize';
    /** 0…1 */
    fraction: number;
    tensorsDone: number;
    tensorsTotal: number;
}

export interface QuantizeModelResult {
    /** Absolute path of the written file. */
    output: string;
    type: QuantizationType;
    tensors: number;
    inputBytes: number;
    outputBytes: number;
    ms: number;
}

/**
 * The loaded model (the base) and another model of the same vocabulary (e.g. its quantized copy) on the same tokens:
 * per position, the raw next-token distributions compared (see CompareModelsResult).
 */
export interface CompareModelsRequest {
    /** The model compared with the loaded one: a GGUF file with the same vocabulary. */
    other: string;
    /** Raw text, token ids, or chat messages rendered with the loaded model's template. */
    prompt: string | number[] | ChatMessage[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for. */
    addBos?: boolean;
    /** F32 KV cache and no flash attention for both models, so that only the weights differ. Defaults to true. */
    exact?: boolean;
}

/**
 * Arrays indexed by position of `tokens`: the distribution there predicts the token after it; the last position's is
 * the distribution generation would start from.
 */
export interface CompareModelsResult {
    /** Absolute paths. */
    base: string;
    other: string;
    tokens: number[];
    tokenTexts: TokenText[];
    /** KL(base ‖ other) of the raw next-token distributions, in nats. */
    kl: number[];
    baseTop: number[];
    otherTop: number[];
    /** Each model's log-probability of the next token: one fewer than the positions (the last has no next token). */
    baseLogprob: number[];
    otherLogprob: number[];
    baseEntropy: number[];
    otherEntropy: number[];
    vocabularySize: number;
    exact: boolean;
    ms: number;
}

/** Beam search over raw log-probabilities (src/core/decoding/beamSearch.ts), the beams sharing the prompt's KV cells. */
export interface BeamSearchRequest {
    /** Raw text, token ids, or chat messages rendered with the model's template. */
    prompt: string | number[] | ChatMessage[];
    /** Prepend the model's BOS token to a text prompt. Defaults to what the model's GGUF asks for. */
    addBos?: boolean;
    /** Beams kept per step, 1 to {@link maxBeams}. */
    beams: number;
    maxTokens: number;
    /** α of score = logprob / length^α. Defaults to 1. */
    lengthPenalty?: number;
    /** Hypotheses returned. Defaults to `beams`. */
    nBest?: number;
    /**
     * Diverse beam search (Vijayakumar et al. 2016): the beams in this many groups of beams / groups (it must divide
     * `beams`), each group's ranking penalised for the tokens the groups before it chose at the same step. Defaults to 1.
     */
    groups?: number;
    /**
     * λ of the Hamming diversity penalty: a group ranks an extension by its cumulative log-probability less λ × the
     * number of earlier groups' beams that continued with the same token at this step (scores stay unpenalised). Defaults to 0.
     */
    diversityPenalty?: number;
    /** F32 KV cache and no flash attention (the numbers the reference forward pass gives). Defaults to true. */
    exact?: boolean;
    lora?: LoraAdapterSpec[];
}

/** The most beams a search may keep (each is a sequence of one context). */
export const maxBeams = 32;

export interface BeamHypothesisResult {
    text: string;
    tokens: number[];
    tokenLogprobs: number[];
    logprob: number;
    score: number;
    /** Ended at an end-of-generation token (else cut at maxTokens). */
    finished: boolean;
}

/** A node of the search tree: `parent` indexes the previous step's kept beams (-1 at step 1: the prompt). */
export interface BeamTreeNode {
    parent: number;
    token: number;
    /** Cumulative log-probability of the sequence this node ends. */
    logprob: number;
    /** logprob / length^α. */
    score: number;
    /** Diverse beam search: the group that ranked this extension (absent with one group). */
    group?: number;
    /** Diverse beam search: what the diversity penalty took off `logprob` for the ranking (absent when nothing). */
    penalty?: number;
}

export interface BeamSearchStep {
    /** 1-based: the length of the sequences this step made. */
    step: number;
    kept: BeamTreeNode[];
    finished: BeamTreeNode[];
    pruned: BeamTreeNode[];
}

export interface BeamSearchResult {
    model: string;
    promptTokens: number;
    hypotheses: BeamHypothesisResult[];
    steps: BeamSearchStep[];
    /** The model's end-of-generation tokens: an extension by one of them finishes its hypothesis. */
    endTokens: number[];
    exact: boolean;
    /**
     * `ms` the whole request; `decodeMs` of it in llama_decode and `loopMs` in the search's steps all told (decodes,
     * top-k reductions, ranking, forks), both as the addon's loop measured them.
     */
    timing: { decodeCalls: number; ms: number; decodeMs?: number; loopMs?: number };
}
