import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { LoraAdapterSpec, SampledAlternative, StopReason, TokenProbabilitiesResult, TokenProbability } from '../api';
import { SeededRandom } from '../../core/fixtures/SeededRandom';
import { logitStatistics, type LogitStatistics } from '../../core/probabilities/logitStatistics';
import { sampleFromLogits } from '../../core/probabilities/sampleFromLogits';
import type { ResolvedSampling } from '../../core/sampling/validateSampling';
import { ContextOverflowError } from '../errors/ContextOverflowError';
import type { LoadedModel } from './LoadedModel';

export interface TokenProbabilitiesJob {
    tokens: Token[];
    /** Tokens to generate after the prompt. */
    generate: number;
    sampling: ResolvedSampling;
    /** End-of-turn tokens of a chat template, besides the model's end-of-generation tokens. */
    stopTokens?: ReadonlySet<Token>;
    topK: number;
    exact: boolean;
    /** Adapters of the context to evaluate in. Defaults to the model's. */
    lora?: readonly Required<LoraAdapterSpec>[];
    signal?: AbortSignal;
    startedAt: number;
}

/** With no sampler options node-llama-cpp samples greedily, and its greedy chain leaves the logits untouched: raw logits. */
const rawLogits = { generateNext: { logits: true } } as const;

/**
 * Raw next-token distributions at every prompt position and every generation step, in one pass: the prompt is
 * evaluated once with logits kept for each of its tokens, then each generated token is evaluated once. The
 * sampler's chain would rewrite the logits it returns (top-k drops tokens, temperature rescales them), so every
 * step asks for untouched logits and the token is drawn from them here, with the same chain (`sampleFromLogits`);
 * the filtered distribution it drew from is reported beside the raw one as `sampledTop`.
 */
export async function runTokenProbabilities(loaded: LoadedModel, job: TokenProbabilitiesJob): Promise<TokenProbabilitiesResult> {
    const { tokens, topK } = job;
    if (tokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to score.');
    // Exact also turns flash attention off: llama.cpp's CPU flash-attention kernel rounds Q and the V accumulation
    // through F16, which alone moved log-probabilities of the fixture model by ~5e-3 even with an F32 KV cache.
    const lora = job.lora ?? loaded.lora;
    const context = await loaded.contexts.get(job.exact
        ? { lora, kvCacheType: 'F32', flashAttention: false }
        : { lora });
    // The last generated token is scored from the step before it and never evaluated itself.
    const needed = tokens.length + Math.max(0, job.generate - 1);
    if (needed >= context.contextSize) throw new ContextOverflowError(needed, context.contextSize);

    return loaded.withSequence(context, job.signal, async (sequence, signal) => {
        if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
        const vocabulary = loaded.info.vocabularySize;
        const seed = job.sampling.seed ?? Math.floor(Math.random() * 0xffffffff);
        const random = new SeededRandom(seed, 'token-probabilities');
        const pieces = pieceCache(loaded);
        const rows: TokenProbability[] = [];
        // Index i: the distribution that predicted token i, and token i's log-probability under it.
        const stats: ({ stat: LogitStatistics; logprob: number } | undefined)[] = [undefined];
        const sampled: (SampledAlternative[] | undefined)[] = [];

        const prompt = await sequence.controlledEvaluate(tokens.map(token => [token, rawLogits]));
        for (let i = 0; i < tokens.length - 1; i++) stats.push(score(toDense(prompt[i]?.next.logits, vocabulary), tokens[i + 1]!, topK));
        let next = toDense(prompt[tokens.length - 1]?.next.logits, vocabulary);

        const all = tokens.slice();
        let stopReason: StopReason = 'maxTokens';
        for (let step = 0; step < job.generate; step++) {
            if (signal.aborted) {
                stopReason = 'aborted';
                break;
            }
            const history = job.sampling.repeatLastTokens > 0 ? all.slice(-job.sampling.repeatLastTokens) : [];
            const choice = sampleFromLogits(next, job.sampling, history, () => random.nextFloat());
            const token = choice.token as Token;
            if (sequence.model.isEogToken(token) || job.stopTokens?.has(token)) {
                stopReason = 'eos';
                break;
            }
            stats.push(score(next, token, topK));
            sampled[all.length] = choice.distribution.slice(0, topK).map(({ id, prob }) => ({ id, text: '', prob }));
            all.push(token);
            if (step + 1 < job.generate) {
                const [result] = await evaluateOne(sequence, token);
                next = toDense(result?.next.logits, vocabulary);
            }
        }

        let promptLogprobSum = 0;
        for (let index = 0; index < all.length; index++) {
            const id = all[index]!;
            const scored = stats[index];
            const row: TokenProbability = {
                index,
                id,
                text: pieces.get(id),
                source: index < tokens.length ? 'prompt' : 'generated',
                logprob: null,
                entropy: null,
                top: [],
            };
            if (scored) {
                row.logprob = scored.logprob;
                row.entropy = scored.stat.entropy;
                row.top = scored.stat.top.map(({ id: alt, logprob }) => ({ id: alt, text: pieces.get(alt), logprob }));
                if (index < tokens.length) promptLogprobSum += scored.logprob;
            }
            const alternatives = sampled[index];
            if (alternatives) row.sampledTop = alternatives.map(a => ({ ...a, text: pieces.get(a.id) }));
            rows.push(row);
        }
        return {
            model: loaded.info.name,
            tokens: rows,
            promptPerplexity: tokens.length > 1 ? Math.exp(-promptLogprobSum / (tokens.length - 1)) : null,
            exact: job.exact,
            seed,
            stopReason,
            timing: { promptTokens: tokens.length, generatedTokens: all.length - tokens.length, ms: performance.now() - job.startedAt },
        };
    });
}

function score(logits: Float32Array, token: number, topK: number): { stat: LogitStatistics; logprob: number } {
    const stat = logitStatistics(logits, topK);
    return { stat, logprob: logits[token]! - stat.logNormalizer };
}

function evaluateOne(sequence: LlamaContextSequence, token: Token) {
    return sequence.controlledEvaluate([[token, rawLogits]]);
}

/** node-llama-cpp's logits map (token → logit, every token of the vocabulary) as a dense array indexed by token id. */
function toDense(logits: Map<Token, number> | undefined, vocabulary: number): Float32Array {
    if (!logits) throw new Error('llama.cpp returned no logits for a position whose logits were requested');
    const dense = new Float32Array(vocabulary).fill(-Infinity);
    for (const [token, logit] of logits) if (token < vocabulary) dense[token] = logit;
    return dense;
}

/** Token texts for the result, each decoded once per request (after an anchor, so a leading space survives). */
function pieceCache(loaded: LoadedModel): { get(id: number): string } {
    const cache = new Map<number, string>();
    return {
        get(id) {
            let piece = cache.get(id);
            if (piece === undefined) {
                piece = loaded.model.detokenize([id as Token], true, loaded.pieceAnchor);
                cache.set(id, piece);
            }
            return piece;
        },
    };
}
