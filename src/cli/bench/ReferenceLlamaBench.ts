import { ReferenceBuild, type ReferenceBuildOptions } from './ReferenceBuild';
import { runProcess } from './runProcess';

/** Figures llama.cpp's own `llama-bench` reports for one test (`pp` or `tg`). */
export interface LlamaBenchResult {
    test: 'pp' | 'tg';
    tokens: number;
    threads: number;
    tokensPerSecond: number;
    stddev: number;
}

/**
 * A native build of `llama-bench` from the llama.cpp source node-llama-cpp ships, so that our runtime is compared with
 * llama.cpp itself at the same commit, on the same model and threads. Built once per llama.cpp tag into a cache folder.
 */
export class ReferenceLlamaBench {
    private constructor(readonly binary: string, readonly tag: string) {}

    /** The cached build, if one exists for node-llama-cpp's llama.cpp tag. */
    static find(options: ReferenceBuildOptions): ReferenceLlamaBench | undefined {
        const binary = ReferenceBuild.find(options, 'llama-bench');
        return binary ? new ReferenceLlamaBench(binary, ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir)) : undefined;
    }

    /** Builds llama-bench (about 5 minutes on 2 cores for the first reference tool) unless already cached. */
    static async build(options: ReferenceBuildOptions): Promise<ReferenceLlamaBench> {
        const binary = await ReferenceBuild.build(options, 'llama-bench');
        return new ReferenceLlamaBench(binary, ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir));
    }

    /**
     * One llama-bench run of one test (after its own warm-up), for interleaving with other measurements: separate
     * invocations between ours see the same machine state, where a block of repetitions after ours would not.
     */
    async measureOnce(model: string, options: { threads: number; test: 'pp' | 'tg'; tokens: number; gpuLayers?: number }): Promise<LlamaBenchResult> {
        const [row] = await this.measure(model, {
            threads: options.threads,
            gpuLayers: options.gpuLayers,
            promptTokens: options.test === 'pp' ? options.tokens : 0,
            generateTokens: options.test === 'tg' ? options.tokens : 0,
            repetitions: 1,
        });
        if (!row) throw new Error(`llama-bench reported no ${options.test} result`);
        return row;
    }

    /** Runs prompt processing and generation tests and returns llama-bench's own averages; `gpuLayers` is `-ngl` (a GPU build). */
    async measure(model: string, options: { threads: number; promptTokens: number; generateTokens: number; repetitions?: number; gpuLayers?: number }): Promise<LlamaBenchResult[]> {
        const args = ['-m', model, '-t', String(options.threads), '-p', String(options.promptTokens), '-n', String(options.generateTokens),
            '-r', String(options.repetitions ?? 3), '-o', 'json', ...options.gpuLayers !== undefined ? ['-ngl', String(options.gpuLayers)] : []];
        const output = await runProcess(this.binary, args, undefined, true);
        const rows = JSON.parse(output) as { n_prompt: number; n_gen: number; n_threads: number; avg_ts: number; stddev_ts: number }[];
        return rows.map(row => ({
            test: row.n_gen > 0 ? 'tg' : 'pp',
            tokens: row.n_gen > 0 ? row.n_gen : row.n_prompt,
            threads: row.n_threads,
            tokensPerSecond: row.avg_ts,
            stddev: row.stddev_ts,
        }));
    }
}
