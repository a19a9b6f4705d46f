import { ReferenceBuild, type ReferenceBuildOptions } from './ReferenceBuild';
import { runProcess } from './runProcess';

/** One row of llama.cpp's `llama-batched-bench` (one prompt length × tokens per path × path count). */
export interface BatchedBenchResult {
    /** Prompt tokens (`PP`): evaluated once when the prompt is shared (`-pps`), else once per path. */
    promptTokens: number;
    /** Tokens decoded per path (`TG`). */
    genTokens: number;
    /** Parallel sequences, i.e. paths (`B`, `pl`). */
    paths: number;
    threads: number;
    /** Whether the prompt was evaluated once and copied to every path (`-pps`). */
    promptShared: boolean;
    /** Prompt evaluation time (`T_PP`), seconds. */
    promptSeconds: number;
    /** Prompt tokens per second (`S_PP`). */
    promptTokensPerSecond: number;
    /** Time of the `genTokens` batched decode steps (`T_TG`), seconds. */
    genSeconds: number;
    /** Decoded tokens of all paths per second of those steps (`S_TG` = paths × genTokens / T_TG). */
    genTokensPerSecond: number;
    /** Prompt plus generation (`T`), seconds. */
    totalSeconds: number;
}

/** The fields of batched-bench's `--output-format jsonl` rows that we read (llama.cpp tools/batched-bench). */
interface JsonlRow {
    is_pp_shared: number; n_threads: number; pp: number; tg: number; pl: number;
    t_pp: number; speed_pp: number; t_tg: number; speed_tg: number; t: number;
}

/**
 * Reads `llama-batched-bench --output-format jsonl` output: one JSON object per configuration on its own line, among
 * llama.cpp's log lines (which go to stderr, but a build may route them to stdout too).
 */
export function parseBatchedBenchJsonl(output: string): BatchedBenchResult[] {
    const rows: BatchedBenchResult[] = [];
    for (const line of output.split('\n')) {
        const text = line.trim();
        if (!text.startsWith('{')) continue;
        const row = JSON.parse(text) as Partial<JsonlRow>;
        const numbers = ['is_pp_shared', 'n_threads', 'pp', 'tg', 'pl', 't_pp', 'speed_pp', 't_tg', 'speed_tg', 't'] as const;
        const missing = numbers.filter(key => typeof row[key] !== 'number');
        if (missing.length > 0) throw new Error(`llama-batched-bench printed a row without ${missing.join(', ')}: ${text}`);
        const r = row as JsonlRow;
        rows.push({
            promptTokens: r.pp,
            genTokens: r.tg,
            paths: r.pl,
            threads: r.n_threads,
            promptShared: r.is_pp_shared !== 0,
            promptSeconds: r.t_pp,
            promptTokensPerSecond: r.speed_pp,
            genSeconds: r.t_tg,
            genTokensPerSecond: r.speed_tg,
            totalSeconds: r.t,
        });
    }
    return rows;
}

/**
 * llama.cpp's `llama-batched-bench`, built natively from the source node-llama-cpp ships (next to llama-bench, in
 * the same cached build): N sequences of one context decoded in one batch per step, which is what our
 * self-consistency paths do. Run with `-pps -kvu`: the prompt is evaluated once in sequence 0 and its cells are
 * shared by every path in one unified KV buffer (`llama_memory_seq_cp`, metadata only), as our runtime does.
 */
export class ReferenceBatchedBench {
    private constructor(readonly binary: string, readonly tag: string) {}

    /** The cached build, if one exists for node-llama-cpp's llama.cpp tag. */
    static find(options: ReferenceBuildOptions): ReferenceBatchedBench | undefined {
        const binary = ReferenceBuild.find(options, 'llama-batched-bench');
        return binary ? new ReferenceBatchedBench(binary, ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir)) : undefined;
    }

    /** Builds llama-batched-bench unless cached: seconds next to an existing reference build, else about 5 minutes. */
    static async build(options: ReferenceBuildOptions): Promise<ReferenceBatchedBench> {
        const binary = await ReferenceBuild.build(options, 'llama-batched-bench');
        return new ReferenceBatchedBench(binary, ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir));
    }

    /** The arguments of one run: `paths` sequences of `genTokens` each after one shared `promptTokens`-token prompt. */
    static arguments(model: string, options: BatchedBenchRun): string[] {
        // Room for the shared prompt once plus every path's own tokens (with -kvu the prompt's cells are shared).
        const contextSize = options.promptTokens + options.paths * options.genTokens;
        return ['-m', model, '-c', String(contextSize), '-b', '2048', '-ub', '512',
            '-npp', String(options.promptTokens), '-ntg', String(options.genTokens), '-npl', String(options.paths),
            // Flash attention off as in the runtime's multi-path contexts (src/runtime/host/engine/LoadedModel.ts): on CPU
            // its kernel walks the shared prompt's cells once per path, so both sides run the same attention.
            '-pps', '-kvu', '-fa', 'off', '-t', String(options.threads), '--output-format', 'jsonl'];
    }

    /** One run (after batched-bench's own 16-token warm-up), for interleaving with ours. */
    async measureOnce(model: string, options: BatchedBenchRun): Promise<BatchedBenchResult> {
        let row: BatchedBenchResult | undefined;
        // Its result line goes through llama.cpp's asynchronous logger, which now and then exits before writing it
        // (exit status 0, empty stdout: seen on a busy machine): a run without a row is retried.
        for (let attempt = 0; attempt < 3 && !row; attempt++) {
            [row] = parseBatchedBenchJsonl(await runProcess(this.binary, ReferenceBatchedBench.arguments(model, options), undefined, true));
        }
        if (!row) throw new Error(`llama-batched-bench reported no result for ${options.paths} paths (its context of ${options.promptTokens + options.paths * options.genTokens} tokens may be too large for the model)`);
        return row;
    }
}

export interface BatchedBenchRun {
    threads: number;
    /** Shared prompt length (`-npp`). */
    promptTokens: number;
    /** Tokens per path (`-ntg`). */
    genTokens: number;
    /** Parallel paths (`-npl`). */
    paths: number;
}
