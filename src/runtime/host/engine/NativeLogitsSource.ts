import type { Token } from 'node-llama-cpp';
import type { LoraAdapterSpec } from '../../../shared/runtimeApi';
import type { LogitStatistics } from '../../../core/probabilities/logitStatistics';
import { evaluateLogits, type GeneratedRows, type LogitRows, type LogitsFrom, type LogitsGeneration } from './llamaExtrasAddon';
import type { EvaluatedPositions, LogitsSource } from './LogitsSource';

export interface NativeLogitsOptions {
    modelPath: string;
    threads: number;
    contextSize: number;
    /** F32 KV cache and no flash attention (see ContextConfig.kvCacheType). */
    exact: boolean;
    topK: number;
    lora: readonly Required<LoraAdapterSpec>[];
}

/** The addon has one probabilities context for the process: one pass at a time holds it, start to end. */
let turn: Promise<void> = Promise.resolve();

/**
 * Raw distributions from the native addon's own context on its CPU copy of the model: the statistics of every
 * position are computed in C++, and only the last position's logits cross into JavaScript, as one Float32Array.
 * Use it through {@link NativeLogitsSource.session}, which gives the context to one pass at a time.
 */
export class NativeLogitsSource implements LogitsSource {
    private constructor(private readonly options: NativeLogitsOptions) {}

    /** Runs `work` with the addon's probabilities context to itself. */
    static async session<T>(options: NativeLogitsOptions, work: (source: NativeLogitsSource) => Promise<T>): Promise<T> {
        const previous = turn;
        let done!: () => void;
        turn = new Promise<void>(resolve => { done = resolve; });
        await previous;
        try {
            return await work(new NativeLogitsSource(options));
        } finally {
            done();
        }
    }

    async evaluate(tokens: Token[], reset: boolean): Promise<EvaluatedPositions> {
        return this.evaluateFrom(tokens, reset);
    }

    /**
     * Evaluates `tokens` after the first `keep` positions the context holds, the positions after those removed first:
     * label scoring evaluates each continuation after the prompt this way, the prompt evaluated once.
     */
    async evaluateAfter(tokens: Token[], keep: number): Promise<EvaluatedPositions> {
        return this.evaluateFrom(tokens, keep);
    }

    /** Evaluates `tokens` from position 0 with logits for the last of them only: its statistics and logits. */
    async evaluateLast(tokens: Token[]): Promise<{ stats: LogitStatistics; last: Float32Array }> {
        const rows = await evaluateLogits({ ...this.job(tokens, true), lastOnly: true });
        if (rows.logNormalizer.length !== 1 || rows.lastLogits.length !== rows.vocabularySize) {
            throw new Error(`the native addon returned ${rows.logNormalizer.length} positions for the last of ${tokens.length} tokens`);
        }
        return { stats: rowStatistics(rows, 0), last: rows.lastLogits };
    }

    private async evaluateFrom(tokens: Token[], from: LogitsFrom): Promise<EvaluatedPositions> {
        const rows = await evaluateLogits(this.job(tokens, from));
        if (rows.logNormalizer.length !== tokens.length || rows.lastLogits.length !== rows.vocabularySize) {
            throw new Error(`the native addon returned ${rows.logNormalizer.length} positions for ${tokens.length} tokens`);
        }
        return positions(rows, tokens.length);
    }

    /**
     * Evaluates `tokens` like {@link evaluate}, then samples in the addon from the last position on (same chain as
     * sampleFromLogits, the given draws), evaluating each sampled token but the last: `stats` then also holds the
     * rows of those generated tokens, after the evaluated ones.
     */
    async evaluateAndSample(tokens: Token[], reset: boolean, generation: LogitsGeneration): Promise<EvaluatedPositions & GeneratedRows> {
        const rows = await evaluateLogits(this.job(tokens, reset), generation);
        // Every generated token is evaluated but the last, which the next call starts with; a generation that ended
        // at an end-of-generation token has none left over (that token is neither kept nor evaluated).
        const unevaluated = rows.generated.length > 0 && !rows.endOfGeneration ? 1 : 0;
        const expected = tokens.length + rows.generated.length - unevaluated;
        if (rows.logNormalizer.length !== expected || rows.sampledCounts.length !== rows.generated.length) {
            throw new Error(`the native addon returned ${rows.logNormalizer.length} positions for ${expected} evaluated tokens`);
        }
        return { ...positions(rows, tokens.length), ...rows };
    }

    private job(tokens: Token[], from: LogitsFrom): Parameters<typeof evaluateLogits>[0] {
        const { options } = this;
        return {
            modelPath: options.modelPath, tokens, from, threads: options.threads, contextSize: options.contextSize,
            exact: options.exact, topK: options.topK, lora: options.lora,
        };
    }
}

function positions(rows: LogitRows, evaluated: number): EvaluatedPositions {
    const stats: LogitStatistics[] = [];
    for (let i = 0; i < rows.logNormalizer.length; i++) stats.push(rowStatistics(rows, i));
    return { stats, targets: Array.from(rows.target.subarray(0, evaluated - 1)), last: rows.lastLogits };
}

function rowStatistics(rows: LogitRows, i: number): LogitStatistics {
    const top = [];
    for (let j = i * rows.topK; j < (i + 1) * rows.topK; j++) top.push({ id: rows.topIds[j]!, logprob: rows.topLogprobs[j]! });
    return { logNormalizer: rows.logNormalizer[i]!, entropy: rows.entropy[i]!, top };
}
