/**
 * Default CPU threads for decoding: the math cores node-llama-cpp detects (physical cores) minus one, at
 * least 1. Why not node-llama-cpp's own default (all math cores, at least 4): on a 2-core machine it made
 * tiny models 20–100× slower than 1 thread, because ggml's worker threads spin-wait on each other while the
 * Node thread that drives the token loop (and the editor) needs a core too. Leaving one core free keeps
 * per-token latency stable; users with big models and many cores can raise `promptscope.threads`.
 */
export function defaultThreadCount(mathCores: number): number {
    return Math.max(1, Math.floor(mathCores) - 1);
}
