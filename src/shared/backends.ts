/**
 * Where a run's model lives: the embedded runtime (node-llama-cpp in a child process, the default) or an
 * OpenAI-compatible inference server (llama-server, vLLM, SGLang, Ollama, LM Studio). Every caller — CLI, editor,
 * strategies — reads a backend's {@link BackendCapabilities} before it asks for a feature, and a backend refuses a
 * feature it lacks with a BackendCapabilityError instead of approximating it.
 */

export type BackendKind = 'embedded' | 'openai-compatible';

/** The features that differ between backends, named as the error and the capability list name them. */
export type BackendFeature =
    | 'logprobs' | 'grammar' | 'jsonSchema' | 'multipleCompletions' | 'seed' | 'lora' | 'tokenize'
    | 'attention' | 'rawPrompt' | 'labelScoring' | 'promptProbabilities' | 'speculative' | 'watermark' | 'beamSearch';

/** How a server's log-probabilities relate to the model's distribution. */
export type ProbabilityView =
    /** The model's softmax over the whole vocabulary, before temperature, top-k, top-p or penalties. */
    | 'raw'
    /** What the server's sampler chain left (temperature, top-k/top-p/min-p, penalties), renormalised. */
    | 'server, after its sampler';

export interface BackendCapabilities {
    /** Per-token log-probabilities of generated tokens. */
    logprobs: boolean;
    /** The most alternatives per position the backend lists (OpenAI's `top_logprobs`, at most 20 on most servers). */
    topLogprobs: number;
    /** What a generated token's log-probability measures (see {@link ProbabilityView}). */
    probabilityView: ProbabilityView;
    /** GBNF grammars (llama.cpp's `grammar` field). */
    grammar: boolean;
    /** JSON-schema constrained output (`response_format: json_schema`). */
    jsonSchema: boolean;
    /** Several completions of one prompt in one request (`n` > 1). Paths can always be parallel requests instead. */
    multipleCompletions: boolean;
    /** A sampling seed per request that makes a sampled output reproducible. */
    seed: boolean;
    /** LoRA adapters chosen per request: by file (embedded) or by the server's adapter list (`lora: [{id, scale}]`). */
    lora: 'file' | 'server-list' | false;
    /** Text ↔ token ids (`/tokenize`, `/detokenize`), and token ids with each log-probability. */
    tokenize: boolean;
    /** Attention weights (the embedded runtime's native capture only). */
    attention: boolean;
    /** Text continued as is, without the chat template (`/v1/completions`). */
    rawPrompt: boolean;
    /** How many requests the backend serves at once: the server's slot count when it reports one, else 1. */
    slots: number;
}

/** What the CLI's `--json`, the history and the editor say about where a run went. */
export interface BackendDescription {
    kind: BackendKind;
    /** The model's name: the GGUF's `general.name` (embedded), or the id the server serves it under. */
    model: string;
    /** The base URLs requests are spread over (openai-compatible only). */
    urls?: string[];
    /** The server program as it reports itself (`llama.cpp b1234`), when it does. */
    server?: string;
}
