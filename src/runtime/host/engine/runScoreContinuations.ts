import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { ContinuationScore, LoraAdapterSpec, ScoreContinuationsResult } from '../../../shared/runtimeApi';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import type { LoadedModel } from './LoadedModel';
import { NativeLogitsSource } from './NativeLogitsSource';
import { chooseLogitsSource } from './runTokenProbabilities';

export interface ScoreContinuationsJob {
    promptTokens: Token[];
    continuations: { text: string; tokens: Token[] }[];
    exact: boolean;
    /** LoRA adapters of this request (validated). Defaults to the model's. */
    lora?: readonly Required<LoraAdapterSpec>[];
    signal?: AbortSignal;
    startedAt: number;
}

/**
 * Where the log-probabilities come from. Both keep the prompt's KV cells: a continuation is evaluated after them and
 * then erased back to the prompt, so the prompt is evaluated once and each continuation costs its own tokens but its
 * last (whose logits nobody needs).
 */
interface ContinuationScorer {
    name: ScoreContinuationsResult['logitsSource'];
    /** Evaluates the prompt from an empty sequence; gives log P(token | prompt) for any token. */
    evaluatePrompt(tokens: Token[]): Promise<(token: Token) => number>;
    /** log P(tokens[i] | prompt, tokens[..i]) for i ≥ 1, with the sequence back at the prompt afterwards. */
    scoreAfterFirst(tokens: Token[], promptLength: number): Promise<number[]>;
}

/**
 * Scores each continuation after one evaluation of the prompt. On the CPU with the native addon built, the positions'
 * log-normalizers are computed in the addon (its probabilities context, the same one token probabilities use), so no
 * vocabulary-sized Map crosses into JavaScript; otherwise from node-llama-cpp's logits. `PROMPTSCOPE_LOGITS_SOURCE`
 * forces either, as for token probabilities.
 */
export async function runScoreContinuations(loaded: LoadedModel, job: ScoreContinuationsJob): Promise<ScoreContinuationsResult> {
    const { promptTokens, continuations } = job;
    if (promptTokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to score after.');
    const lora = job.lora ?? loaded.lora;
    const longest = Math.max(...continuations.map(c => c.tokens.length));
    const needed = promptTokens.length + longest - 1;
    const score = (scorer: ContinuationScorer, signal: AbortSignal) => scoreAll(loaded, job, scorer, signal);
    const source = chooseLogitsSource(loaded);

    if (source === 'native') {
        const contextSize = loaded.info.contextSize;
        if (needed >= contextSize) throw new ContextOverflowError(needed, contextSize);
        return loaded.withJob(job.signal, signal => NativeLogitsSource.session(
            { modelPath: loaded.info.path, threads: loaded.info.threads, contextSize, exact: job.exact, topK: 0, lora },
            native => score(nativeScorer(native, source), signal)));
    }
    // Same context as exact token probabilities (F32 KV, no flash attention), so the two agree to float noise.
    const context = await loaded.contexts.get(job.exact ? { lora, kvCacheType: 'F32', flashAttention: false } : { lora });
    if (needed >= context.contextSize) throw new ContextOverflowError(needed, context.contextSize);
    return loaded.withSequence(context, job.signal, async (sequence, signal) => score(nodeLlamaScorer(sequence, source), signal));
}

async function scoreAll(loaded: LoadedModel, job: ScoreContinuationsJob, scorer: ContinuationScorer, signal: AbortSignal): Promise<ScoreContinuationsResult> {
    const { promptTokens } = job;
    const afterPrompt = await scorer.evaluatePrompt(promptTokens);
    let evaluatedTokens = promptTokens.length;
    const scores: ContinuationScore[] = [];
    for (const continuation of job.continuations) {
        signal.throwIfAborted();
        const tokenLogprobs = [afterPrompt(continuation.tokens[0]!)];
        if (continuation.tokens.length > 1) {
            tokenLogprobs.push(...await scorer.scoreAfterFirst(continuation.tokens, promptTokens.length));
            evaluatedTokens += continuation.tokens.length - 1;
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
        logitsSource: scorer.name,
        timing: { evaluatedTokens, ms: performance.now() - job.startedAt },
    };
}

function nativeScorer(native: NativeLogitsSource, name: 'native'): ContinuationScorer {
    return {
        name,
        async evaluatePrompt(tokens) {
            const { stats, last } = await native.evaluateLast(tokens);
            return token => logprobOf(last, token, stats.logNormalizer);
        },
        async scoreAfterFirst(tokens, promptLength) {
            const evaluated = await native.evaluateAfter(tokens.slice(0, -1), promptLength);
            // targets: each evaluated token's successor but the last's, which comes from the last position's logits.
            return [...evaluated.targets, logprobOf(evaluated.last, tokens.at(-1)!, evaluated.stats.at(-1)!.logNormalizer)];
        },
    };
}

function logprobOf(logits: Float32Array, token: Token, logNormalizer: number): number {
    const logit = logits[token];
    return logit === undefined ? -Infinity : logit - logNormalizer;
}

/** No sampler options: node-llama-cpp's greedy chain leaves the returned logits untouched (raw logits). */
const rawLogits = { generateNext: { logits: true } } as const;

function nodeLlamaScorer(sequence: LlamaContextSequence, name: 'node-llama-cpp'): ContinuationScorer {
    return {
        name,
        async evaluatePrompt(tokens) {
            if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
            const last = tokens.length - 1;
            const evaluated = await sequence.controlledEvaluate(tokens.map((token, i) => (i === last ? [token, rawLogits] : token)));
            const afterPrompt = evaluated[last]?.next.logits;
            if (!afterPrompt) throw new Error('llama.cpp returned no logits for the prompt\'s last token');
            return token => logSoftmaxAt(afterPrompt, token);
        },
        async scoreAfterFirst(tokens, promptLength) {
            const rest = tokens.slice(0, -1);
            const steps = await sequence.controlledEvaluate(rest.map(token => [token, rawLogits]));
            const logprobs = rest.map((_, i) => {
                const logits = steps[i]?.next.logits;
                if (!logits) throw new Error('llama.cpp returned no logits for a continuation token');
                return logSoftmaxAt(logits, tokens[i + 1]!);
            });
            await sequence.eraseContextTokenRanges([{ start: promptLength, end: sequence.nextTokenIndex }]);
            return logprobs;
        },
    };
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
