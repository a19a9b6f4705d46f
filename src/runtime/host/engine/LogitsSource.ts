import type { Token } from 'node-llama-cpp';
import type { LogitStatistics } from '../../../core/probabilities/logitStatistics';

/** What evaluating some tokens tells about the distributions at their positions. */
export interface EvaluatedPositions {
    /** Per evaluated token: the raw distribution its position predicts (the next token's). */
    stats: LogitStatistics[];
    /** Per evaluated token but the last: the log-probability of the token evaluated after it. */
    targets: number[];
    /** The last position's raw logits, indexed by token id (what the next token is sampled from). */
    last: Float32Array;
}

/**
 * Where the token-probabilities pass gets raw next-token distributions: one sequence, evaluated from the start and then
 * token by token. Implementations: {@link NodeLlamaLogitsSource} (node-llama-cpp, everywhere) and
 * {@link NativeLogitsSource} (the native addon, CPU on Linux, much less per-position overhead).
 */
export interface LogitsSource {
    /** Evaluates `tokens` after what the sequence holds (from an empty sequence when `reset`). */
    evaluate(tokens: Token[], reset: boolean): Promise<EvaluatedPositions>;
}
