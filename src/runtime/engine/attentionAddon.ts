// Loads the attention-capture addon (src/runtime/native/attention, built by scripts/build-native.mjs into
// build/native/attention.node). It links node-llama-cpp's own llama.cpp libraries; when it is missing or cannot be
// loaded, attention requests fail with "attention capture unavailable: <why>" and everything else still works.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

interface AttentionAddon {
    logits(modelPath: string, binsDir: string, tokens: number[], reset: boolean, threads: number, nCtx: number, exact: boolean,
        topK: number, loraPaths: string[], loraScales: number[]): Promise<LogitRows>;
    capture(modelPath: string, binsDir: string, tokens: number[], layers: number[], threads: number, ubatch: number,
        loraPaths: string[], loraScales: number[]): Promise<AttentionCapture>;
    release(): Promise<void>;
    unifyMultiSequenceKv(): string | null;
}

const howToFix = 'run `npm run build:native` in the Promptscope folder (needs g++, make and python3)';

let loaded: { addon?: AttentionAddon; error?: string; bins: string } | undefined;

/** The repository (or extension) root: the folder above dist/ (bundled) or src/runtime/engine/ (tests with tsx). */
function roots(): string[] {
    return [join(__dirname, '..'), join(__dirname, '..', '..', '..')];
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
        process.env.PROMPTSCOPE_ATTENTION_ADDON,
        ...roots().map(root => join(root, 'build', 'native', 'attention.node')),
    ].filter((p): p is string => !!p);
    const file = candidates.find(p => existsSync(p));
    if (!file) {
        const reasonFile = roots().map(root => join(root, 'build', 'native', 'attention.unavailable.txt')).find(p => existsSync(p));
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

/** Why attention capture cannot run here, or undefined when it can. */
export function attentionUnavailableReason(): string | undefined {
    return load().error;
}

/** Evaluates `tokens` in the addon's own context (flash attention off, F32 KV cache) and returns the softmax weights. */
export function captureAttention(job: {
    modelPath: string; tokens: number[]; layers?: number[]; threads: number; ubatch?: number;
    lora?: readonly { path: string; scale: number }[];
}): Promise<AttentionCapture> {
    const { addon, error, bins } = load();
    if (!addon) return Promise.reject(new Error(`attention capture unavailable: ${error}`));
    const lora = job.lora ?? [];
    return addon.capture(job.modelPath, bins, job.tokens, job.layers ?? [], job.threads, job.ubatch ?? 0,
        lora.map(a => a.path), lora.map(a => a.scale));
}

/**
 * Evaluates `tokens` in the addon's probabilities context (after what it holds, or from position 0 with `reset`), with
 * logits at every position reduced there to their statistics; only the last position's logits come back whole.
 * The context holds one sequence for the whole process: callers take turns (see NativeLogitsSource).
 */
export function evaluateLogits(job: {
    modelPath: string; tokens: number[]; reset: boolean; threads: number; contextSize: number; exact: boolean; topK: number;
    lora?: readonly { path: string; scale: number }[];
}): Promise<LogitRows> {
    const { addon, error, bins } = load();
    if (!addon) return Promise.reject(new Error(`native probabilities unavailable: ${error}`));
    const lora = job.lora ?? [];
    return addon.logits(job.modelPath, bins, job.tokens, job.reset, job.threads, job.contextSize, job.exact, job.topK,
        lora.map(a => a.path), lora.map(a => a.scale));
}

/**
 * Makes node-llama-cpp create its contexts of more than one sequence with one KV stream shared by all sequences
 * (src/runtime/native/attention/unifiedKv.cc), so sequences continuing one prompt share its cells instead of each
 * holding a copy. Returns undefined once that holds, or why it does not (those contexts then keep one stream per
 * sequence: correct, slower). Call it after node-llama-cpp has loaded a model.
 */
export function unifyMultiSequenceKv(): string | undefined {
    const { addon, error } = load();
    if (!addon) return `the native addon is unavailable: ${error}`;
    return addon.unifyMultiSequenceKv() ?? undefined;
}

/** Frees the addon's copy of the model, when the addon was loaded at all. */
export async function releaseAttentionModel(): Promise<void> {
    await loaded?.addon?.release();
}
