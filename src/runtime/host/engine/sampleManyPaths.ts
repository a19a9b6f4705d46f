import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { MultiCompletionResult, SampledPath } from '../../../shared/runtimeApi';
import { deriveSeed } from '../../../core/reasoning/deriveSeed';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import { buildEvaluateOptions } from './buildEvaluateOptions';
import { copySequenceState } from './copySequenceState';
import { runDecodeLoop } from './decodeLoop';
import type { LoadedModel } from './LoadedModel';
import { canDecodeNatively } from './nativeDecodeLoop';
import { decodePathsNatively, type PathOutcome } from './nativeManyPaths';

export interface SampleManyJob {
    tokens: Token[];
    sampling: ResolvedSampling;
    /** The request seed; path i samples with `deriveSeed(seed, i)`. */
    seed: number;
    stopSequences: readonly string[];
    stopTokens?: ReadonlySet<Token>;
    signal: AbortSignal;
    startedAt: number;
    /**
     * The addon's id of the llama.cpp context behind the sequences (ManagedContext.nativeContextId): the paths then run
     * in the addon's multi-sequence loop wherever the sampling allows (no grammar). Defaults to node-llama-cpp's loop.
     */
    nativeContextId?: number;
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
 * path's own sequence. Then one token of every live path is decoded per step, in one batch: by the addon's
 * multi-sequence loop (nativeManyPaths.ts) when it can serve the request, else by node-llama-cpp's loop with the
 * paths stepping in lockstep (each asks for its next token once all live paths have). Both give the same tokens.
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
        // Empty the other paths first: in a context whose sequences share one KV stream, their cells from the previous
        // request would otherwise push this prompt's cells further out, and every step attends up to the last used cell.
        for (const other of others) if (other.nextTokenIndex > 0) await other.clearHistory();
        const { firstDifferentIndex } = source.compareContextTokens(tokens);
        reused = Math.min(firstDifferentIndex, shared);
        if (source.nextTokenIndex > reused) await source.eraseContextTokenRanges([{ start: reused, end: source.nextTokenIndex }]);
        if (reused < shared && !signal.aborted) await source.evaluateWithoutGeneratingNewTokens(tokens.slice(reused, shared));
        evaluated = shared - reused;
        if (!signal.aborted) for (const other of others) await copySequenceState(source, other, shared);
    }

    const native = job.nativeContextId !== undefined && canShare && sequences.every(sequence => canDecodeNatively(sequence, job.sampling));
    const paths = native ? await decodePathsNatively(sequences, job, job.nativeContextId!) : await decodeInLockstep();

    // Every path asks for its next token only once all live paths have: node-llama-cpp then queues the n tokens in one
    // tick and decodes them as one batch. Left to themselves, paths whose sampling finished late miss the dispatch and
    // ride in the next batch (measured on the 100m fixture: 39 decodes of mostly 7 tokens for 32 steps of 8 paths).
    function decodeInLockstep(): Promise<PathOutcome[]> {
        const barrier = new StepBarrier(sequences.length);
        return Promise.all(sequences.map(async (real, index) => {
            const member = barrier.member();
            const sequence = inLockstep(real, member);
            try {
                return await decodePath(sequence, index);
            } finally {
                member.leave();
            }
        }));
    }

    async function decodePath(sequence: LlamaContextSequence, index: number): Promise<PathOutcome> {
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
    }

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
                loop: native ? 'native' : 'node-llama-cpp',
            },
        },
        settled: Promise.all(paths.map(p => p.outcome.settled)).then(() => undefined),
    };
}

/** The paths of one request, stepping together: a step starts once every live member arrived; members leave when their path ends. */
class StepBarrier {
    private live: number;
    private waiting: (() => void)[] = [];

    constructor(members: number) {
        this.live = members;
    }

    member(): { arrive(): Promise<void>; leave(): void } {
        let left = false;
        return {
            arrive: () => new Promise<void>(resolve => {
                this.waiting.push(resolve);
                this.release();
            }),
            leave: () => {
                if (left) return;
                left = true;
                this.live--;
                this.release();
            },
        };
    }

    private release(): void {
        if (this.waiting.length === 0 || this.waiting.length < this.live) return;
        for (const resolve of this.waiting.splice(0)) resolve();
    }
}

/**
 * `sequence` whose evaluations wait at the barrier before each step (the first included: the paths' last prompt
 * tokens go in one batch too), and leave it when the evaluation ends. Everything else is the sequence itself.
 */
function inLockstep(sequence: LlamaContextSequence, member: { arrive(): Promise<void>; leave(): void }): LlamaContextSequence {
    return new Proxy(sequence, {
        get(target, property) {
            if (property === 'evaluateWithMetadata') {
                return (...args: Parameters<LlamaContextSequence['evaluateWithMetadata']>) => {
                    const inner = target.evaluateWithMetadata(...args);
                    let ended = false;
                    const iterator = {
                        async next() {
                            await member.arrive();
                            return ended ? { done: true as const, value: undefined } : inner.next();
                        },
                        async return(value?: unknown) {
                            ended = true;
                            member.leave();
                            return inner.return(value as never);
                        },
                        async throw(error?: unknown) {
                            ended = true;
                            member.leave();
                            return inner.throw(error);
                        },
                        [Symbol.asyncIterator]() {
                            return iterator;
                        },
                    };
                    return iterator as unknown as ReturnType<LlamaContextSequence['evaluateWithMetadata']>;
                };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
    });
}
