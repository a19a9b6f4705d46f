import type { Token } from 'node-llama-cpp';
import type { LoraAdapterSpec, StopReason, TokenProbabilitiesResult, TokenProbability } from '../../../shared/runtimeApi';
import { SeededRandom } from '../../../core/fixtures/SeededRandom';
import type { LogitStatistics } from '../../../core/probabilities/logitStatistics';
import { sampleFromLogits } from '../../../core/probabilities/sampleFromLogits';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import { addonUnavailableReason } from './llamaExtrasAddon';
import type { LoadedModel } from './LoadedModel';
import type { LogitsSource } from './LogitsSource';
import { NativeLogitsSource } from './NativeLogitsSource';
import { NodeLlamaLogitsSource } from './NodeLlamaLogitsSource';
import { randomSeed } from '../../../core/sampling/randomSeed';

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
    /** Tokens to score as the generation instead of sampling them (an earlier run's output). Defaults to none. */
    forced?: readonly Token[];
    signal?: AbortSignal;
    startedAt: number;
}

/**
 * Which {@link LogitsSource} a pass uses: `PROMPTSCOPE_LOGITS_SOURCE=node-llama-cpp|native` forces one (tests compare
 * them, the benchmark measures both); otherwise the native addon when it is built and the model runs on the CPU (the
 * addon's copy is CPU-only: against a GPU context it would be slower), else node-llama-cpp.
 */
export function chooseLogitsSource(loaded: LoadedModel): 'native' | 'node-llama-cpp' {
    const forced = process.env.PROMPTSCOPE_LOGITS_SOURCE;
    if (forced === 'native' || forced === 'node-llama-cpp') return forced;
    return loaded.info.backend === 'cpu' && addonUnavailableReason() === undefined ? 'native' : 'node-llama-cpp';
}

/**
 * Raw next-token distributions at every prompt position and every generation step, in one pass: the prompt is
 * evaluated once with logits kept for each of its tokens, then each generated token is evaluated once. The
 * sampler's chain would rewrite the logits (top-k drops tokens, temperature rescales them), so every step takes
 * untouched logits and the token is drawn from them here, with the same chain (`sampleFromLogits`); the filtered
 * distribution it drew from is reported beside the raw one as `sampledTop`.
 */
export async function runTokenProbabilities(loaded: LoadedModel, job: TokenProbabilitiesJob): Promise<TokenProbabilitiesResult> {
    const { tokens, topK } = job;
    if (tokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to score.');
    const lora = job.lora ?? loaded.lora;
    const source = chooseLogitsSource(loaded);
    if (source === 'native') {
        const contextSize = loaded.info.contextSize;
        checkFits(tokens, job.generate, contextSize);
        return loaded.withJob(job.signal, signal => NativeLogitsSource.session(
            { modelPath: loaded.info.path, threads: loaded.info.threads, contextSize, exact: job.exact, topK, lora },
            native => probabilitiesPass(loaded, job, native, signal, source)));
    }
    // Exact also turns flash attention off: llama.cpp's CPU flash-attention kernel rounds Q and the V accumulation
    // through F16, which alone moved log-probabilities of the fixture model by ~5e-3 even with an F32 KV cache.
    const context = await loaded.contexts.get(job.exact
        ? { lora, kvCacheType: 'F32', flashAttention: false }
        : { lora });
    checkFits(tokens, job.generate, context.contextSize);
    return loaded.withSequence(context, job.signal, (sequence, signal) =>
        probabilitiesPass(loaded, job, new NodeLlamaLogitsSource(sequence, loaded.info.vocabularySize, topK), signal, source));
}

function checkFits(tokens: Token[], generate: number, contextSize: number): void {
    // The last generated token is scored from the step before it and never evaluated itself.
    const needed = tokens.length + Math.max(0, generate - 1);
    if (needed >= contextSize) throw new ContextOverflowError(needed, contextSize);
}

async function probabilitiesPass(loaded: LoadedModel, job: TokenProbabilitiesJob, source: LogitsSource, signal: AbortSignal,
    sourceName: TokenProbabilitiesResult['logitsSource']): Promise<TokenProbabilitiesResult> {
    const { tokens, topK } = job;
    const seed = job.sampling.seed ?? randomSeed();
    const random = new SeededRandom(seed, 'token-probabilities');
    // Index i: the distribution that predicted token i, and token i's log-probability under it.
    const stats: ScoredRows = [undefined];
    const sampled: SampledRows = [];

    const all = tokens.slice();
    const stopReason = source instanceof NativeLogitsSource
        ? await generateInAddon(job, source, signal, random, stats, sampled, all)
        : await generateHere(loaded, job, source, signal, random, stats, sampled, all);

    let promptLogprobSum = 0;
    const rows: TokenProbability[] = [];
    const { vocabulary } = loaded;
    const shown = vocabulary.texts(all);
    const sequence = all.map(id => vocabulary.bytes(id));
    for (let index = 0; index < all.length; index++) {
        const id = all[index]!;
        const scored = stats[index];
        // Alternatives are shown as they would stand after the tokens before this one.
        const candidate = (alt: number) => vocabulary.textAfter(sequence, index, alt);
        const row: TokenProbability = {
            index,
            id,
            ...shown[index]!,
            source: index < tokens.length ? 'prompt' : 'generated',
            logprob: null,
            entropy: null,
            top: [],
        };
        if (scored) {
            row.logprob = scored.logprob;
            row.entropy = scored.stat.entropy;
            row.top = scored.stat.top.map(({ id: alt, logprob }) => ({ id: alt, ...candidate(alt), logprob }));
            if (index < tokens.length) promptLogprobSum += scored.logprob;
        }
        const alternatives = sampled[index];
        if (alternatives) row.sampledTop = alternatives.map(a => ({ id: a.id, ...candidate(a.id), prob: a.prob }));
        rows.push(row);
    }
    return {
        model: loaded.info.name,
        tokens: rows,
        promptPerplexity: tokens.length > 1 ? Math.exp(-promptLogprobSum / (tokens.length - 1)) : null,
        exact: job.exact,
        seed,
        stopReason,
        logitsSource: sourceName,
        timing: { promptTokens: tokens.length, generatedTokens: all.length - tokens.length, ms: performance.now() - job.startedAt },
    };
}

type ScoredRows = ({ stat: LogitStatistics; logprob: number } | undefined)[];
/** Per position, the sampler's distribution (its texts are added with the rows'). */
type SampledRow = { id: number; prob: number }[];
type SampledRows = (SampledRow | undefined)[];

/**
 * Evaluates the prompt and generates `job.generate` tokens in JavaScript: per token, one evaluation, then a draw from
 * its raw logits with the sampler's chain. Fills `stats` (from index 1), `sampled` and `all`; returns why it stopped.
 */
async function generateHere(loaded: LoadedModel, job: TokenProbabilitiesJob, source: LogitsSource, signal: AbortSignal,
    random: SeededRandom, stats: ScoredRows, sampled: SampledRows, all: Token[]): Promise<StopReason> {
    const { tokens, topK } = job;
    const prompt = await source.evaluate(tokens, true);
    for (let i = 0; i < tokens.length - 1; i++) stats.push({ stat: prompt.stats[i]!, logprob: prompt.targets[i]! });
    let next = prompt.last;
    let nextStat = prompt.stats[tokens.length - 1]!;
    for (let step = 0; step < job.generate; step++) {
        if (signal.aborted) return 'aborted';
        const history = job.sampling.repeatLastTokens > 0 ? all.slice(-job.sampling.repeatLastTokens) : [];
        // A forced token still gets the sampler's distribution (what these options would have drawn from).
        const choice = sampleFromLogits(next, job.sampling, history, () => random.nextFloat());
        const forced = job.forced?.[step];
        const token = (forced ?? choice.token) as Token;
        if (forced === undefined && (loaded.model.isEogToken(token) || job.stopTokens?.has(token))) return 'eos';
        stats.push({ stat: nextStat, logprob: next[token]! - nextStat.logNormalizer });
        sampled[all.length] = choice.distribution.slice(0, topK).map(({ id, prob }) => ({ id, prob }));
        all.push(token);
        if (step + 1 < job.generate) {
            const evaluated = await source.evaluate([token], false);
            next = evaluated.last;
            nextStat = evaluated.stats[0]!;
        }
    }
    return 'maxTokens';
}

/**
 * How long one addon call may sample before it returns, so that an abort is seen within about this much.
 * `PROMPTSCOPE_PROBABILITIES_SLICE_MS` overrides it (tests use 0: one token per call).
 */
function addonSliceMs(): number {
    const override = Number(process.env.PROMPTSCOPE_PROBABILITIES_SLICE_MS);
    return Number.isFinite(override) && override >= 0 ? override : 100;
}

/**
 * The same as {@link generateHere}, with the sampling done in the addon (logitSampler.cc, the same chain): one call
 * evaluates and samples for up to {@link addonSliceMs}, instead of a round trip and a vocabulary copy per token. The
 * draws come from the same random stream, one per sampling step, so a seed gives the same tokens either way.
 */
async function generateInAddon(job: TokenProbabilitiesJob, source: NativeLogitsSource, signal: AbortSignal,
    random: SeededRandom, stats: ScoredRows, sampled: SampledRows, all: Token[]): Promise<StopReason> {
    const { tokens, sampling } = job;
    const bias = [...sampling.logitBias];
    const draws: number[] = [];
    const sliceMs = addonSliceMs();
    let evaluate: Token[] = tokens;
    let reset = true;
    let step = 0;
    for (;;) {
        const steps = signal.aborted ? 0 : job.generate - step;
        if (sampling.temperature > 0) while (draws.length < steps) draws.push(random.nextFloat());
        const result = await source.evaluateAndSample(evaluate, reset, {
            steps,
            budgetMs: sliceMs,
            temperature: sampling.temperature,
            topK: sampling.topK,
            topP: sampling.topP,
            minP: sampling.minP,
            repeatPenalty: sampling.repeatPenalty,
            repeatLastTokens: sampling.repeatLastTokens,
            biasTokens: bias.map(([id]) => id),
            biasValues: bias.map(([, value]) => value),
            draws: draws.slice(0, steps),
            forced: (job.forced ?? []).slice(step, step + steps),
            stopTokens: job.stopTokens ? [...job.stopTokens] : [],
            history: sampling.repeatLastTokens > 0 ? all.slice(-sampling.repeatLastTokens) : [],
        });
        if (reset) for (let i = 0; i < tokens.length - 1; i++) stats.push({ stat: result.stats[i]!, logprob: result.targets[i]! });
        // Generated token j was drawn from the row before it: the last evaluated token's, then each generated one's.
        let offset = 0;
        for (let j = 0; j < result.generated.length; j++) {
            stats.push({ stat: result.stats[evaluate.length - 1 + j]!, logprob: result.generatedLogprobs[j]! });
            const count = result.sampledCounts[j]!;
            const alternatives: SampledRow = [];
            for (let a = offset; a < offset + count; a++) alternatives.push({ id: result.sampledIds[a]!, prob: result.sampledProbs[a]! });
            offset += count;
            sampled[all.length] = alternatives;
            all.push(result.generated[j]! as Token);
        }
        step += result.generated.length;
        draws.splice(0, result.generated.length + (result.endOfGeneration ? 1 : 0));
        if (result.endOfGeneration) return 'eos';
        if (step >= job.generate) return 'maxTokens';
        if (signal.aborted) return 'aborted';
        evaluate = [all.at(-1)!];
        reset = false;
    }
}
