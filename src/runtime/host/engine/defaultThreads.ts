/**
 * Default CPU threads for decoding: the math cores node-llama-cpp detects (physical cores) minus one, at
 * least 1. Why not node-llama-cpp's own default (all math cores, at least 4): on a 2-core machine it made
 * tiny models 20–100× slower than 1 thread, because ggml's worker threads spin-wait on each other while the
 * Node thread that drives the token loop (and the editor) needs a core too. Leaving one core free keeps
 * per-token latency stable; users with big models and many cores can raise `promptscope.threads`.
 * Measured again after the host moved to one libuv worker (HostProcess: UV_THREADPOOL_SIZE=1), on the busy
 * 2-core machine: the 100m fixture now gains from 2 threads (tg ~48 → ~77 tok/s, pp ~390 → ~740) but the tiny
 * fixture still loses 4–10× (tg ~1000–1400 → ~100–280), and any other load on the machine hurts 2 threads most,
 * so the default stays cores − 1.
 */
export function defaultThreadCount(mathCores: number): number {
    return Math.max(1, Math.floor(mathCores) - 1);
}
