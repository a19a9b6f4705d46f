import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { logitStatistics } from '../../../core/probabilities/logitStatistics';
import type { EvaluatedPositions, LogitsSource } from './LogitsSource';

/** With no sampler options node-llama-cpp samples greedily, and its greedy chain leaves the logits untouched: raw logits. */
const rawLogits = { generateNext: { logits: true } } as const;

/**
 * Raw distributions through node-llama-cpp: `controlledEvaluate` with untouched logits at every position. It hands
 * them over as a token → logit Map of the whole vocabulary, so every position costs a Map, a dense copy and the
 * statistics in JavaScript.
 */
export class NodeLlamaLogitsSource implements LogitsSource {
    constructor(private readonly sequence: LlamaContextSequence, private readonly vocabularySize: number, private readonly topK: number) {}

    async evaluate(tokens: Token[], reset: boolean): Promise<EvaluatedPositions> {
        if (reset && this.sequence.nextTokenIndex > 0) await this.sequence.clearHistory();
        const results = await this.sequence.controlledEvaluate(tokens.map(token => [token, rawLogits]));
        const stats = [];
        const targets = [];
        let last: Float32Array = new Float32Array(0);
        for (let i = 0; i < tokens.length; i++) {
            const dense = toDense(results[i]?.next.logits, this.vocabularySize);
            const stat = logitStatistics(dense, this.topK);
            stats.push(stat);
            if (i + 1 < tokens.length) targets.push(dense[tokens[i + 1]!]! - stat.logNormalizer);
            else last = dense;
        }
        return { stats, targets, last };
    }
}

/** node-llama-cpp's logits map (token → logit, every token of the vocabulary) as a dense array indexed by token id. */
function toDense(logits: Map<Token, number> | undefined, vocabulary: number): Float32Array {
    if (!logits) throw new Error('llama.cpp returned no logits for a position whose logits were requested');
    const dense = new Float32Array(vocabulary).fill(-Infinity);
    for (const [token, logit] of logits) if (token < vocabulary) dense[token] = logit;
    return dense;
}
