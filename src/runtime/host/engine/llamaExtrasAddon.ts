// The TypeScript face of the native addon "llama extras" (src/runtime/native/, built by scripts/build-native.mjs into
// build/native/llamaExtras.node): what Promptscope needs from llama.cpp that node-llama-cpp does not expose. It links
// node-llama-cpp's own llama.cpp libraries and is loaded wherever LlamaEngine runs: the runtime host (and the benchmark's
// in-process baseline). When it is missing or cannot be loaded, attention requests fail with an AddonUnavailableError
// ("attention capture unavailable: <why>"), and the probabilities pass, the generation loop and self-consistency's
// shared KV fall back to node-llama-cpp (slower, same results).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import { AddonUnavailableError } from '../../../shared/errors/AddonUnavailableError';

export interface AttentionCapture {
    /** Per [layerSlot][head], the causal lower triangle row by row (query q: keys 0…q), `tokens`(`tokens`+1)/2 per head. */
    attention: Float32Array;
    /** The model layers of the slots, in order. */
    layers: number[];
    modelLayers: number;
    heads: number;
    kvHeads: number;
    tokens: number;
}

/** Statistics of each evaluated position, computed in the addon from the raw logits (see evaluateLogits). */
export interface LogitRows {
    /** Per position: log Σ exp(logit). */
    logNormalizer: Float64Array;
    /** Per position: entropy in nats. */
    entropy: Float64Array;
    /** Per position: log-probability of the next evaluated token (NaN at the last position). */
    target: Float64Array;
    /** Per position × topK: the most likely token ids, most likely first (ties: lower id first). */
    topIds: Int32Array;
    /** Per position × topK: their log-probabilities. */
    topLogprobs: Float64Array;
    /** The last position's raw logits, indexed by token id. */
    lastLogits: Float32Array;
    topK: number;
    vocabularySize: number;
}

/** The sampler values both addon samplers take as the user gave them (validated). */
type AddonSamplerValues = Pick<ResolvedSampling, 'temperature' | 'topK' | 'topP' | 'minP' | 'repeatPenalty' | 'repeatLastTokens'>;

/** Sampling in the addon after an evaluation (see NativeLogitsSource.evaluateAndSample). */
export interface LogitsGeneration extends AddonSamplerValues {
    /** The most tokens to sample in this call. */
    steps: number;
    /** Stop after the token that used this much time up (the next call goes on): keeps an abort responsive. */
    budgetMs: number;
    biasTokens: number[];
    /** ±Infinity allowed (a ban, a forced token), as in sampleFromLogits. */
    biasValues: number[];
    /** The uniform draws in [0, 1) the steps take, one per step while the temperature is above 0. */
    draws: number[];
    /** Tokens to take instead of sampling, per step, from the first. */
    forced: number[];
    stopTokens: number[];
    /** The tokens before the first step that the repeat penalty sees (at most repeatLastTokens). */
    history: number[];
}

/** What a call with {@link LogitsGeneration} adds to {@link LogitRows}; rows then include the generated tokens it evaluated. */
export interface GeneratedRows {
    generated: Int32Array;
    /** Per generated token: its raw log-probability under the distribution it was sampled from. */
    generatedLogprobs: Float64Array;
    /** Per generated token: how many entries of the filtered distribution follow in sampledIds / sampledProbs. */
    sampledCounts: Int32Array;
    sampledIds: Int32Array;
    sampledProbs: Float64Array;
    /** An end-of-generation or stop token came (and was not kept). */
    endOfGeneration: boolean;
}

/** Options of the addon's generation loop (generationLoop.cc); absent sampler values take node-llama-cpp's defaults. */
export interface NativeGenerateOptions extends AddonSamplerValues {
    maxTokens: number;
    /** Hand each token to `onTokens` as it is sampled; otherwise they all come with the result. */
    stream: boolean;
    stopTokens: number[];
    seed: number;
    /** The tokens the repeat penalty starts from (at most `repeatLastTokens`, oldest first). */
    repeatHistory: number[];
    biasTokens: number[];
    biasValues: number[];
    /** Speculative decoding (generationLoop.cc, tokenDrafters.cc); absent: the plain loop. */
    speculative?: NativeSpeculation;
    /** A watermark on the sampled tokens (core/watermark/greenList.ts's green lists); generationLoop.cc only. */
    watermark?: { keyHash: number; threshold: number; delta: number; hard: boolean; previous: number };
}

/** The drafter of a speculative native run: a draft model's sequence, or prompt lookup over the text. */
export interface NativeSpeculation {
    maxDraft: number;
    draft?: {
        contextId: number;
        sequenceId: number;
        /** The position after what the draft's sequence holds. */
        startPosition: number;
        /** The text (prompt) the draft has not evaluated yet, from startPosition. */
        pending: number[];
        minProbability: number;
    };
    lookup?: { history: number[]; ngramMin: number; ngramMax: number };
}

export interface NativeGenerateResult {
    /** Every sampled token in order, including an end-of-generation or stop token that ended it. */
    tokens: Int32Array;
    /** How many tokens were added to the sequence's KV cache: the prompt's, then sampled ones (the last sampled never is). */
    decoded: number;
    reason: 'eos' | 'maxTokens' | 'cancelled' | 'error';
    error?: string;
    /** When the first and last tokens were sampled, in ms on the clock of `process.hrtime`. */
    firstTokenMs: number;
    lastTokenMs: number;
    speculative?: {
        drafted: number;
        accepted: number;
        rounds: number;
        draftMs: number;
        verifyMs: number;
        /** How many tokens the draft's sequence holds after its start position (of its pending text, then sampled tokens). */
        draftDecoded: number;
        /** Per sampled token: 1 when it was a draft token the model sampled too. */
        sources: Int32Array;
        /** Pairs: the index of the sampled token that replaced a draft token, that draft token. */
        rejected: Int32Array;
    };
}

/** One sequence of a native multi-sequence run (multiSequenceLoop.cc): where it starts, what it evaluates, how it samples. */
export interface NativeSequenceSpec extends Omit<NativeGenerateOptions, 'stream'> {
    sequenceId: number;
    startPosition: number;
    /** Evaluated from `startPosition` before the first sample (at least one token: the first sample needs its logits). */
    promptTokens: number[];
}

/** The tokens one step of a native multi-sequence run sampled, with the index (in the run's list) of each token's sequence. */
export interface NativeStepTokens {
    paths: Int32Array;
    tokens: Int32Array;
    /** Per token: the natural log of node-llama-cpp's `confidence` (its probability after the sampler chain). */
    logprobs: Float64Array;
    /** The loop waits for `resume()` (a token's text may end a stop sequence): stop sequences first, then resume. */
    awaiting: boolean;
}

export interface NativeSequenceResult {
    /** Every sampled token, including an end-of-generation or stop token that ended it. */
    tokens: Int32Array;
    logprobs: Float64Array;
    /** Tokens added to the sequence's KV cache: the prompt's, then sampled ones (the last sampled never is). */
    decoded: number;
    /** `stopped`: stopSequence() asked for it; `cancelled`: the run was cancelled while it was live. */
    reason: 'eos' | 'maxTokens' | 'stopped' | 'cancelled' | 'error';
    firstTokenMs: number;
    lastTokenMs: number;
}

export interface NativeManyResult {
    sequences: NativeSequenceResult[];
    /** llama_decode calls: the prompts' batches (when more than one token each), then one per step. */
    decodeCalls: number;
    steps: number;
    reason: 'done' | 'cancelled' | 'error';
    error?: string;
}

/** A native multi-sequence run: its result, and how JavaScript ends it early (whole, or one sequence). */
export interface NativeManyRun {
    result: Promise<NativeManyResult>;
    cancel(): void;
    stopSequence(index: number): void;
}

/** One decode step's reduced logits (sequenceStep.cc): per entry asked for, its k most likely next tokens. */
export interface NativeStepResult {
    /** Per output row × k: token ids, most likely first. */
    topIds: Int32Array;
    /** Per output row × k: their log-probabilities under the raw logits (log-softmax). */
    topLogprobs: Float32Array;
    k: number;
    decodeCalls: number;
}

/**
 * The tree of a native beam search (beamSearchLoop.cc), node by node in the order the search made them: per node its
 * step (1-based), kind (0 kept, 1 ended, 2 pruned), parent (index among the previous step's kept nodes; −1 at step 1),
 * token, group, cumulative log-probability, diversity penalty and the token's own log-probability.
 */
export interface NativeBeamTree {
    step: Int32Array;
    kind: Int32Array;
    parent: Int32Array;
    token: Int32Array;
    group: Int32Array;
    logprob: Float64Array;
    penalty: Float64Array;
    tokenLogprob: Float32Array;
    /** Steps run. */
    steps: number;
    decodeCalls: number;
    /** ms in llama_decode, in the rows' top-k reduction, and in the steps all told (the rest: ranking, forks). */
    decodeMs: number;
    reduceMs: number;
    loopMs: number;
    cancelled: boolean;
}

type NativeGenerateEvent = (kind: 'tokens' | 'done', payload: Int32Array | NativeGenerateResult) => void;

interface AttentionAddon {
    logits(modelPath: string, binsDir: string, tokens: number[], from: LogitsFrom, threads: number, nCtx: number, exact: boolean,
        topK: number, loraPaths: string[], loraScales: number[], generation?: LogitsGeneration, lastOnly?: boolean): Promise<LogitRows & Partial<GeneratedRows>>;
    capture(modelPath: string, binsDir: string, tokens: number[], layers: number[], threads: number, ubatch: number,
        loraPaths: string[], loraScales: number[]): Promise<AttentionCapture>;
    release(): Promise<void>;
    unifyMultiSequenceKv(): string | null;
    trackContexts(): string | null;
    contextSerial(): number;
    contextsSince(serial: number): number[];
    generate(contextId: number, sequenceId: number, startPosition: number, promptTokens: number[], options: NativeGenerateOptions,
        onEvent: NativeGenerateEvent): { cancel(): void };
    generateMany(contextId: number, sequences: NativeSequenceSpec[], stream: boolean, stopSequences: readonly string[],
        onEvent: (kind: 'tokens' | 'done', payload: NativeStepTokens | NativeManyResult) => void): { cancel(): void; stopSequence(index: number): void; resume(): void };
    decodeStep(contextId: number, sequenceIds: number[], positions: number[], tokens: number[], outputs: number[], topK: number): Promise<NativeStepResult>;
    copySequence(contextId: number, source: number, target: number, fromPosition: number, toPosition: number): void;
    beamSearch(contextId: number, sequenceIds: number[], promptLength: number, lastPromptToken: number, beams: number, maxTokens: number,
        groups: number, diversityPenalty: number, endTokens: number[]): { result: Promise<NativeBeamTree>; cancel(): void };
    removeSequence(contextId: number, sequence: number, fromPosition: number, toPosition: number): boolean;
    /** Absent from an addon built before it (then the prebuilt CPU backend is used). */
    loadCpuBackend?(path: string): string | null;
    trainerOpen(binsDir: string, modelPath: string, window: number, threads: number, optimizer: TrainingOptimizer): Promise<{ parameters: number; vocabularySize: number }>;
    trainerRun(windows: Int32Array, train: boolean, learningRate: number, weightDecay: number): Promise<TrainerPassResult>;
    trainerProgress(): { done: number; total: number };
    trainerSave(path: string): Promise<void>;
    trainerClose(): Promise<void>;
    quantize(binsDir: string, input: string, output: string, ftype: number, threads: number, allowRequantize: boolean): Promise<{ tensors: number }>;
    quantizeProgress(): { done: number; total: number };
    quantizeCancel(): void;
    compareModels(binsDir: string, basePath: string, otherPath: string, tokens: number[], threads: number, exact: boolean): Promise<NativeModelComparison>;
}

/** Per position of the compared tokens (see modelComparison.cc). */
export interface NativeModelComparison {
    kl: Float64Array;
    baseTop: Int32Array;
    otherTop: Int32Array;
    baseTarget: Float64Array;
    otherTarget: Float64Array;
    baseEntropy: Float64Array;
    otherEntropy: Float64Array;
    vocabularySize: number;
    /** Set (and the arrays empty) when the two models' vocabularies differ: the first difference. */
    vocabularyMismatch?: string;
}

export type TrainingOptimizer = 'adamw' | 'sgd';

/** One pass of the trainer over some windows (see modelTraining.cc). */
export interface TrainerPassResult {
    /** Mean cross-entropy per predicted token, in nats, and its standard error. */
    loss: number;
    lossUncertainty: number;
    /** Share of tokens whose most likely prediction was the next token, and its standard error. */
    accuracy: number;
    accuracyUncertainty: number;
    windows: number;
}

/**
 * The addon's trainer (src/runtime/native/modelTraining.cc): full fine-tuning of a model file through llama.cpp's
 * training API, one per process, its jobs queued behind the model copy's.
 */
export const nativeTrainer = {
    open(modelPath: string, window: number, threads: number, optimizer: TrainingOptimizer = 'adamw') {
        const { addon, error, bins } = load();
        if (!addon) return Promise.reject(new AddonUnavailableError('training', String(error)));
        return addon.trainerOpen(bins, modelPath, window, threads, optimizer);
    },
    /** Trains on (or with `train: false` only evaluates) `windows`: each `window + 1` tokens, the labels shifted by one. */
    run(windows: Int32Array, train: boolean, learningRate: number, weightDecay: number): Promise<TrainerPassResult> {
        return loadedAddon('training').trainerRun(windows, train, learningRate, weightDecay);
    },
    /** Windows done of the pass in progress (or the last one). */
    progress(): { done: number; total: number } {
        return loadedAddon('training').trainerProgress();
    },
    save(path: string): Promise<void> {
        return loadedAddon('training').trainerSave(path);
    },
    close(): Promise<void> {
        const { addon } = load();
        return addon ? addon.trainerClose() : Promise.resolve();
    },
};

/**
 * llama.cpp's quantizer through the addon (src/runtime/native/modelQuantize.cc): one quantization at a time, on a
 * worker thread, with progress per tensor and cancellation before the next tensor.
 */
export const nativeQuantizer = {
    /** Rejects with llama.cpp's reason, or with the message "cancelled" after {@link nativeQuantizer.cancel}. */
    quantize(input: string, output: string, ftype: number, threads: number, allowRequantize: boolean): Promise<{ tensors: number }> {
        const { addon, error, bins } = load();
        if (!addon) return Promise.reject(new AddonUnavailableError('quantization', String(error)));
        return addon.quantize(bins, input, output, ftype, threads, allowRequantize);
    },
    progress(): { done: number; total: number } {
        return loadedAddon('quantization').quantizeProgress();
    },
    cancel(): void {
        load().addon?.quantizeCancel();
    },
};

/** Two models' raw distributions over the same tokens, compared in the addon; the base model is the addon's model copy. */
export function compareModelDistributions(basePath: string, otherPath: string, tokens: number[], threads: number, exact: boolean): Promise<NativeModelComparison> {
    const { addon, error, bins } = load();
    if (!addon) return Promise.reject(new AddonUnavailableError('model comparison', String(error)));
    return addon.compareModels(bins, basePath, otherPath, tokens, threads, exact);
}

function loadedAddon(what: string): AttentionAddon {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError(what, String(error));
    return addon;
}

const howToFix = 'run `npm run build:native` in the Promptscope folder (needs g++, make and python3)';

let loaded: { addon?: AttentionAddon; error?: string; bins: string } | undefined;

/** The repository (or extension) root: the folder above dist/ (bundled) or src/runtime/host/engine/ (tests with tsx). */
function roots(): string[] {
    return [join(__dirname, '..'), join(__dirname, '..', '..', '..', '..')];
}

function findBins(): string {
    const name = join('@node-llama-cpp', `${process.platform}-${process.arch}`);
    for (const root of roots()) {
        for (let dir = root; ; dir = dirname(dir)) {
            const candidate = join(dir, 'node_modules', name, 'bins', `${process.platform}-${process.arch}`);
            if (existsSync(candidate)) return candidate;
            if (dirname(dir) === dir) break;
        }
    }
    return '';
}

function load(): NonNullable<typeof loaded> {
    if (loaded) return loaded;
    const bins = findBins();
    const candidates = [
        process.env.PROMPTSCOPE_LLAMA_EXTRAS_ADDON,
        ...roots().map(root => join(root, 'build', 'native', 'llamaExtras.node')),
    ].filter((p): p is string => !!p);
    const file = candidates.find(p => existsSync(p));
    if (!file) {
        const reasonFile = roots().map(root => join(root, 'build', 'native', 'llamaExtras.unavailable.txt')).find(p => existsSync(p));
        // The build script's reason already says how to fix it.
        loaded = { error: reasonFile ? readFileSync(reasonFile, 'utf8').trim() : `the native addon is not built: ${howToFix}`, bins };
        return loaded;
    }
    try {
        const module = { exports: {} as AttentionAddon };
        process.dlopen(module, file);
        loaded = { addon: module.exports, bins };
    } catch (error) {
        loaded = { error: `${file} could not be loaded (${(error as Error).message}). To fix: ${howToFix}`, bins };
    }
    return loaded;
}

/** Why the addon cannot run here (no attention capture; probabilities and generation on node-llama-cpp), or undefined when it can. */
export function addonUnavailableReason(): string | undefined {
    return load().error;
}

/** Evaluates `tokens` in the addon's own context (flash attention off, F32 KV cache) and returns the softmax weights. */
export function captureAttention(job: {
    modelPath: string; tokens: number[]; layers?: number[]; threads: number; ubatch?: number;
    lora?: readonly { path: string; scale: number }[];
}): Promise<AttentionCapture> {
    const { addon, error, bins } = load();
    if (!addon) return Promise.reject(new AddonUnavailableError('attention capture', String(error)));
    const lora = job.lora ?? [];
    return addon.capture(job.modelPath, bins, job.tokens, job.layers ?? [], job.threads, job.ubatch ?? 0,
        lora.map(a => a.path), lora.map(a => a.scale));
}

/** Where an evaluation starts: `true` from position 0, `false` after what the context holds, a number after that many of its positions (the rest removed). */
export type LogitsFrom = boolean | number;

/**
 * Evaluates `tokens` in the addon's probabilities context (where `from` says), with
 * logits at every position reduced there to their statistics; only the last position's logits come back whole.
 * The context holds one sequence for the whole process: callers take turns (see NativeLogitsSource).
 */
export function evaluateLogits(job: {
    modelPath: string; tokens: number[]; from: LogitsFrom; threads: number; contextSize: number; exact: boolean; topK: number;
    /** Logits for the last of `tokens` only: every per-token array then has one row. Defaults to false. */
    lastOnly?: boolean;
    lora?: readonly { path: string; scale: number }[];
}): Promise<LogitRows>;
/** The same, then samples up to `generation.steps` tokens in the addon, evaluating each but the last. */
export function evaluateLogits(job: {
    modelPath: string; tokens: number[]; from: LogitsFrom; threads: number; contextSize: number; exact: boolean; topK: number;
    /** Logits for the last of `tokens` only: every per-token array then has one row. Defaults to false. */
    lastOnly?: boolean;
    lora?: readonly { path: string; scale: number }[];
}, generation: LogitsGeneration): Promise<LogitRows & GeneratedRows>;
export function evaluateLogits(job: {
    modelPath: string; tokens: number[]; from: LogitsFrom; threads: number; contextSize: number; exact: boolean; topK: number;
    /** Logits for the last of `tokens` only: every per-token array then has one row. Defaults to false. */
    lastOnly?: boolean;
    lora?: readonly { path: string; scale: number }[];
}, generation?: LogitsGeneration): Promise<LogitRows & Partial<GeneratedRows>> {
    const { addon, error, bins } = load();
    if (!addon) return Promise.reject(new AddonUnavailableError('native probabilities', String(error)));
    const lora = job.lora ?? [];
    return addon.logits(job.modelPath, bins, job.tokens, job.from, job.threads, job.contextSize, job.exact, job.topK,
        lora.map(a => a.path), lora.map(a => a.scale), generation, job.lastOnly ?? false);
}

/**
 * Makes node-llama-cpp create its contexts of more than one sequence with one KV stream shared by all sequences
 * (src/runtime/native/contextHook.cc), so sequences continuing one prompt share its cells instead of each
 * holding a copy. Returns undefined once that holds, or why it does not (those contexts then keep one stream per
 * sequence: correct, slower). Call it after node-llama-cpp has loaded a model.
 */
export function unifyMultiSequenceKv(): string | undefined {
    const { addon, error } = load();
    if (!addon) return `the native addon is unavailable: ${error}`;
    return addon.unifyMultiSequenceKv() ?? undefined;
}

/**
 * Records the llama.cpp context behind every node-llama-cpp context created from now on (contextHook.cc), for
 * {@link startNativeGeneration}. Returns undefined once that holds, or why it does not (generation then stays on
 * node-llama-cpp's token loop). Call it after node-llama-cpp has loaded a model.
 */
export function trackNodeLlamaContexts(): string | undefined {
    const { addon, error } = load();
    if (!addon) return `the native addon is unavailable: ${error}`;
    return addon.trackContexts() ?? undefined;
}

/** The serial number of the last node-llama-cpp context recorded; see {@link nativeContextsCreatedSince}. */
export function nativeContextSerial(): number {
    return load().addon?.contextSerial() ?? 0;
}

/** Serial numbers of the live node-llama-cpp contexts recorded after `serial`. */
export function nativeContextsCreatedSince(serial: number): number[] {
    return load().addon?.contextsSince(serial) ?? [];
}

/**
 * Evaluates `promptTokens` from `startPosition` of sequence `sequenceId` in a recorded node-llama-cpp context, then
 * samples, in native slices on the thread pool with no JavaScript between tokens (generationLoop.cc). The caller must
 * hold the context's only sequence until the result settles, and then record in node-llama-cpp's sequence what was
 * evaluated (`decoded`).
 */
export function startNativeGeneration(contextId: number, sequenceId: number, startPosition: number, promptTokens: number[],
    options: NativeGenerateOptions, onTokens: ((tokens: Int32Array) => void) | undefined): { result: Promise<NativeGenerateResult>; cancel(): void } {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('native generation', String(error));
    let resolve!: (result: NativeGenerateResult) => void;
    const result = new Promise<NativeGenerateResult>(r => { resolve = r; });
    const handle = addon.generate(contextId, sequenceId, startPosition, promptTokens, options, (kind, payload) => {
        if (kind === 'tokens') onTokens?.(payload as Int32Array);
        else resolve(payload as NativeGenerateResult);
    });
    return { result, cancel: () => handle.cancel() };
}

/**
 * Generates on several sequences of a recorded node-llama-cpp context at once (multiSequenceLoop.cc): one llama_batch
 * per step with the next token of every live sequence, each sampled natively with its own chain and seed. With `onStep`,
 * each step's tokens come as they are sampled, for JavaScript to watch `stopSequences` in each sequence's text and stop
 * a sequence that hit one with `stopSequence` from inside `onStep`: after a step whose tokens may end one, the loop
 * waits until `onStep` has returned, so a stopped sequence decodes nothing more (as in node-llama-cpp's loop). Without
 * `onStep` every token comes with the result. The caller must hold every sequence named until the result settles, then
 * record in node-llama-cpp's sequences what was evaluated (`decoded` of each).
 */
export function startNativeManyGeneration(contextId: number, sequences: NativeSequenceSpec[],
    onStep: ((step: NativeStepTokens) => void) | undefined, stopSequences: readonly string[] = []): NativeManyRun {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('native generation', String(error));
    let resolve!: (result: NativeManyResult) => void;
    const result = new Promise<NativeManyResult>(r => { resolve = r; });
    const handle = addon.generateMany(contextId, sequences, onStep !== undefined, onStep ? stopSequences : [], (kind, payload) => {
        if (kind === 'done') return resolve(payload as NativeManyResult);
        const step = payload as NativeStepTokens;
        try {
            onStep?.(step);
        } finally {
            if (step.awaiting) handle.resume();
        }
    });
    return { result, cancel: () => handle.cancel(), stopSequence: index => handle.stopSequence(index) };
}

/** One entry of a {@link decodeNativeStep}: `token` at `position` of sequence `sequenceId`; `output` asks for its next-token distribution. */
export interface NativeStepEntry {
    sequenceId: number;
    position: number;
    token: number;
    output: boolean;
}

/**
 * Decodes `entries` in one llama_batch (more only past the context's batch size) on a recorded node-llama-cpp context and
 * returns, per entry with `output`, in order, its `topK` (0: all) most likely next tokens with their log-probabilities:
 * the step a caller that prunes and forks sequences between steps (beam search, tree of thoughts) drives. The caller
 * holds the sequences and keeps node-llama-cpp's record of them.
 */
export async function decodeNativeStep(contextId: number, entries: readonly NativeStepEntry[], topK: number): Promise<NativeStepResult> {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('native generation', String(error));
    return addon.decodeStep(contextId, entries.map(e => e.sequenceId), entries.map(e => e.position), entries.map(e => e.token),
        entries.map(e => e.output ? 1 : 0), topK);
}

/**
 * Forks: sequence `target` gets `source`'s KV cells at positions [fromPosition, toPosition) (−1: to the end); in a
 * unified-KV context they are shared, not copied. Not while a step or loop on the context is in flight.
 */
export function copyNativeSequence(contextId: number, source: number, target: number, fromPosition = 0, toPosition = -1): void {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('native generation', String(error));
    addon.copySequence(contextId, source, target, fromPosition, toPosition);
}

/** Prunes: drops sequence `sequence`'s KV cells at positions [fromPosition, toPosition) (−1: to the end); false when llama.cpp refused. */
export function removeNativeSequence(contextId: number, sequence: number, fromPosition = 0, toPosition = -1): boolean {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('native generation', String(error));
    return addon.removeSequence(contextId, sequence, fromPosition, toPosition);
}

/** What a native beam search is asked for (see nativeBeamSearch). */
export interface NativeBeamSearchJob {
    /** The `beams` sequences it may use; the first holds the prompt's first `promptLength` − 1 tokens, the others nothing. */
    sequenceIds: number[];
    promptLength: number;
    lastPromptToken: number;
    beams: number;
    maxTokens: number;
    groups: number;
    diversityPenalty: number;
    endTokens: number[];
}

/**
 * The whole beam search in the addon (beamSearchLoop.cc), on a recorded node-llama-cpp context whose sequences the
 * caller holds; an abort stops it between steps (the tree so far comes back with `cancelled`). Every sequence holds
 * some beam's cells afterwards: the caller removes them.
 */
export async function nativeBeamSearch(contextId: number, job: NativeBeamSearchJob, signal?: AbortSignal): Promise<NativeBeamTree> {
    const { addon, error } = load();
    if (!addon) throw new AddonUnavailableError('beam search', String(error));
    if (typeof addon.beamSearch !== 'function') throw new AddonUnavailableError('beam search', `the native addon predates its beam search: ${howToFix}`);
    const run = addon.beamSearch(contextId, job.sequenceIds, job.promptLength, job.lastPromptToken, job.beams, job.maxTokens, job.groups,
        job.diversityPenalty, job.endTokens);
    const onAbort = () => run.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
        return await run.result;
    } finally {
        signal?.removeEventListener('abort', onAbort);
    }
}

/**
 * Registers the CPU backend library at `path` (built for this CPU, src/runtime/build) in ggml's backend registry before
 * node-llama-cpp creates its Llama, which then loads no prebuilt CPU variant (cpuBackend.cc). Returns undefined once it
 * is this process's CPU backend, or why not (node-llama-cpp then loads its prebuilt variant as usual).
 */
export function loadCpuBackend(path: string): string | undefined {
    const { addon, error } = load();
    if (!addon) return `the native addon is unavailable: ${error}`;
    if (typeof addon.loadCpuBackend !== 'function') return `the native addon predates loadCpuBackend: ${howToFix}`;
    return addon.loadCpuBackend(path) ?? undefined;
}

/** Frees the addon's copy of the model, when the addon was loaded at all. */
export async function releaseAttentionModel(): Promise<void> {
    await loaded?.addon?.release();
}
