import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { MultiCompletionResult, SampledPath } from '../api';
import { deriveSeed } from '../../core/reasoning/deriveSeed';
import type { ResolvedSampling } from '../../core/sampling/validateSampling';
import { buildEvaluateOptions } from './buildEvaluateOptions';
import { copySequenceState } from './copySequenceState';
import { runDecodeLoop } from './decodeLoop';
import type { LoadedModel } from './LoadedModel';

export interface SampleManyJob {
    tokens: Token[];
    sampling: ResolvedSampling;
    /** The request seed; path i samples with `deriveSeed(seed, i)`. */
    seed: number;
    stopSequences: readonly string[];
    stopTokens?: ReadonlySet<Token>;
    signal: AbortSignal;
    startedAt: number;
}

export interface SampleManyOutcome {
    result: MultiCompletionResult;
    /** Settles once every sequence is idle again (see DecodeOutcome.settled). */
    settled: Promise<void>;
}

/**
 * Decodes one path per sequence from a shared prompt. Every prompt token but the last is evaluated once, on the
 * first sequence (keeping what it already holds from a previous request), and its KV cells are copied to the
 * others; each path then evaluates the last prompt token itself, since sampling needs that token's logits in the
 * path's own sequence. The paths run concurrently, so node-llama-cpp batches their tokens into one decode per step.
 */
export async function sampleManyPaths(loaded: LoadedModel, sequences: LlamaContextSequence[], job: SampleManyJob): Promise<SampleManyOutcome> {
    const { tokens, signal } = job;
    const [source, ...others] = sequences as [LlamaContextSequence, ...LlamaContextSequence[]];
    const shared = tokens.length - 1;
    // Recurrent and hybrid models restore state from checkpoints, which a KV copy does not carry: evaluate per path there.
    const canShare = !source.needsCheckpoints;
    let reused = 0;
    let evaluated = 0;
    if (canShare) {
        const { firstDifferentIndex } = source.compareContextTokens(tokens);
        reused = Math.min(firstDifferentIndex, shared);
        if (source.nextTokenIndex > reused) await source.eraseContextTokenRanges([{ start: reused, end: source.nextTokenIndex }]);
        if (reused < shared && !signal.aborted) await source.evaluateWithoutGeneratingNewTokens(tokens.slice(reused, shared));
        evaluated = shared - reused;
        if (!signal.aborted) for (const other of others) await copySequenceState(source, other, shared);
    }

    const paths = await Promise.all(sequences.map(async (sequence, index) => {
        const seed = deriveSeed(job.seed, index);
        const history = tokens.slice();
        const evaluateOptions = await buildEvaluateOptions(loaded.model, loaded.grammars, job.sampling, seed, history);
        const logprobs: number[] = [];
        const outcome = await runDecodeLoop({
            sequence,
            promptTokens: tokens,
            evaluateOptions,
            history,
            seed,
            maxTokens: job.sampling.maxTokens,
            stopSequences: job.stopSequences,
            stopTokens: job.stopTokens,
            reusePrefix: canShare,
            metadata: { confidence: true },
            onTokenMetadata: (_token, metadata) => logprobs.push(Math.log(metadata.confidence ?? NaN)),
            signal,
            startedAt: job.startedAt,
        });
        return { outcome, logprobs };
    }));

    let firstTokenAt = Infinity;
    let lastTokenAt = 0;
    let generated = 0;
    const results: SampledPath[] = paths.map(({ outcome: { result }, logprobs }) => {
        const timing = result.timing;
        generated += result.tokens.length;
        // The loop also reports the end-of-generation token it stopped on; the path's tokens do not include it.
        const tokenLogprobs = logprobs.slice(0, result.tokens.length);
        evaluated += timing.promptTokens - (timing.reusedPromptTokens ?? 0);
        if (result.tokens.length > 0) {
            const first = job.startedAt + timing.timeToFirstTokenMs;
            firstTokenAt = Math.min(firstTokenAt, first);
            const span = result.tokens.length >= 2 && timing.tokensPerSecond > 0 ? (result.tokens.length - 1) / timing.tokensPerSecond * 1000 : 0;
            lastTokenAt = Math.max(lastTokenAt, first + span);
        }
        return {
            text: result.text,
            tokens: result.tokens,
            stopReason: result.stopReason,
            seed: result.seed,
            tokenLogprobs,
            meanLogprob: tokenLogprobs.length > 0 ? tokenLogprobs.reduce((a, b) => a + b, 0) / tokenLogprobs.length : undefined,
        };
    });

    const end = performance.now();
    const decodeMs = lastTokenAt - firstTokenAt;
    return {
        result: {
            paths: results,
            seed: job.seed,
            timing: {
                promptTokens: tokens.length,
                reusedPromptTokens: reused,
                evaluatedPromptTokens: evaluated,
                generatedTokens: generated,
                ms: end - job.startedAt,
                timeToFirstTokenMs: Number.isFinite(firstTokenAt) ? firstTokenAt - job.startedAt : 0,
                tokensPerSecond: generated > sequences.length && decodeMs > 0
                    ? (generated - sequences.length) / (decodeMs / 1000)
                    : generated > 0 ? generated / ((end - job.startedAt) / 1000) : 0,
            },
        },
        settled: Promise.all(paths.map(p => p.outcome.settled)).then(() => undefined),
    };
}
