import type { Token } from 'node-llama-cpp';
import type { ContinuationScore, LoraAdapterSpec, ScoreContinuationsResult } from '../../../shared/runtimeApi';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import type { LoadedModel } from './LoadedModel';

export interface ScoreContinuationsJob {
    promptTokens: Token[];
    continuations: { text: string; tokens: Token[] }[];
    exact: boolean;
    /** LoRA adapters of this request (validated). Defaults to the model's. */
    lora?: readonly Required<LoraAdapterSpec>[];
    signal?: AbortSignal;
    startedAt: number;
}

/** No sampler options: node-llama-cpp's greedy chain leaves the returned logits untouched (raw logits). */
const rawLogits = { generateNext: { logits: true } } as const;

/**
 * Scores each continuation after one evaluation of the prompt: the prompt's KV cells stay in the sequence, a
 * continuation is evaluated after them and then erased back to the prompt, so the prompt is never evaluated twice
 * and each continuation costs its own tokens but its last (whose logits nobody needs).
 */
export async function runScoreContinuations(loaded: LoadedModel, job: ScoreContinuationsJob): Promise<ScoreContinuationsResult> {
    const { promptTokens, continuations } = job;
    if (promptTokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to score after.');
    // Same context as exact token probabilities (F32 KV, no flash attention), so the two agree to float noise.
    const lora = job.lora ?? loaded.lora;
    const context = await loaded.contexts.get(job.exact ? { lora, kvCacheType: 'F32', flashAttention: false } : { lora });
    const longest = Math.max(...continuations.map(c => c.tokens.length));
    const needed = promptTokens.length + longest - 1;
    if (needed >= context.contextSize) throw new ContextOverflowError(needed, context.contextSize);

    return loaded.withSequence(context, job.signal, async (sequence, signal) => {
        if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
        const last = promptTokens.length - 1;
        const evaluated = await sequence.controlledEvaluate(promptTokens.map((token, i) => (i === last ? [token, rawLogits] : token)));
        const afterPrompt = evaluated[last]?.next.logits;
        if (!afterPrompt) throw new Error('llama.cpp returned no logits for the prompt\'s last token');
        let evaluatedTokens = promptTokens.length;
        const scores: ContinuationScore[] = [];
        for (const continuation of continuations) {
            signal.throwIfAborted();
            const tokenLogprobs = [logSoftmaxAt(afterPrompt, continuation.tokens[0]!)];
            const rest = continuation.tokens.slice(0, -1);
            if (rest.length > 0) {
                const steps = await sequence.controlledEvaluate(rest.map(token => [token, rawLogits]));
                evaluatedTokens += rest.length;
                for (let i = 0; i < rest.length; i++) {
                    const logits = steps[i]?.next.logits;
                    if (!logits) throw new Error('llama.cpp returned no logits for a continuation token');
                    tokenLogprobs.push(logSoftmaxAt(logits, continuation.tokens[i + 1]!));
                }
                await sequence.eraseContextTokenRanges([{ start: promptTokens.length, end: sequence.nextTokenIndex }]);
            }
            scores.push({
                text: continuation.text,
                tokens: continuation.tokens,
                tokenLogprobs,
                logprob: tokenLogprobs.reduce((sum, value) => sum + value, 0),
            });
        }
        return {
            model: loaded.info.name,
            promptTokens: promptTokens.length,
            scores,
            exact: job.exact,
            timing: { evaluatedTokens, ms: performance.now() - job.startedAt },
        };
    });
}

/** log softmax(logits)[token] over the whole vocabulary, in float64 with the max subtracted for stability. */
function logSoftmaxAt(logits: Map<Token, number>, token: Token): number {
    let max = -Infinity;
    for (const value of logits.values()) if (value > max) max = value;
    let sum = 0;
    for (const value of logits.values()) sum += Math.exp(value - max);
    const logit = logits.get(token);
    if (logit === undefined) return -Infinity;
    return logit - max - Math.log(sum);
}
