import type { ChatWrapper, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { CompletionResult, LoraAdapterSpec, ModelInfo, MultiCompletionResult } from '../../../shared/runtimeApi';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import { maxSamplePaths } from '../../../shared/limits';
import { buildEvaluateOptions } from './buildEvaluateOptions';
import type { ContextConfig } from './ContextConfig';
import type { ContextRegistry } from './ContextRegistry';
import { runDecodeLoop, type DecodeJob, type TokenSink } from './decodeLoop';
import { canDecodeNatively, runNativeDecodeLoop } from './nativeDecodeLoop';
import { GrammarCache } from './GrammarCache';
import type { LlamaBackend } from './LlamaBackend';
import type { ManagedContext } from './ManagedContext';
import { sampleManyPaths } from './sampleManyPaths';
import { TokenVocabulary } from './TokenVocabulary';
import { randomSeed } from '../../../core/sampling/randomSeed';
import type { ResolvedSpeculative } from '../../../core/decoding/validateSpeculative';
import { SpeculativeDecodingError } from '../../../shared/errors/SpeculativeDecodingError';
import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { prepareSequence } from './decodeLoop';
import { DraftModels } from './DraftModels';
import { nativeSequencePlace, type NativeSpeculativeRun } from './nativeDecodeLoop';
import { addonUnavailableReason } from './llamaExtrasAddon';

export interface GenerateJob {
    tokens: Token[];
    /** The context to generate in. Defaults to the default context (the model's LoRA set, one sequence). */
    context?: Partial<ContextConfig>;
    sampling: ResolvedSampling;
    stopSequences: readonly string[];
    stopTokens?: ReadonlySet<Token>;
    onToken?: TokenSink;
    signal?: AbortSignal;
    startedAt: number;
    /** Speculative decoding (validated); only plain sampling on the native loop can. */
    speculative?: ResolvedSpeculative;
}

export interface GenerateManyJob extends Omit<GenerateJob, 'context' | 'onToken' | 'speculative'> {
    /** Number of paths: the context used has exactly this many sequences. */
    n: number;
    /** LoRA adapters of this request (validated). Defaults to the model's. */
    lora?: readonly Required<LoraAdapterSpec>[];
}

/** Label of the contexts multi-path sampling runs in, kept apart from the default context's single sequence. */
export const samplePathsContextLabel = 'sample-paths';

/**
 * A model while it is loaded: the llama.cpp model, its contexts, chat wrapper and grammar cache, and the
 * generations running on it (so that unloading can stop them first).
 */
export class LoadedModel {
    readonly grammars: GrammarCache;
    /** Draft models of speculative requests, loaded on first use and unloaded with this model. */
    readonly drafts: DraftModels;
    private readonly running = new Set<{ controller: AbortController; done: Promise<void> }>();

    constructor(
        readonly backend: LlamaBackend,
        readonly model: LlamaModel,
        readonly contexts: ContextRegistry,
        readonly chatWrapper: ChatWrapper,
        readonly info: ModelInfo,
        /** Adapters of the default context. */
        readonly lora: readonly Required<LoraAdapterSpec>[],
    ) {
        this.grammars = new GrammarCache(backend.llama);
        this.drafts = new DraftModels(backend, info, () => undefined);
    }

    /** Each token's exact bytes and vocabulary piece, for showing tokens (read once per token, on first use). */
    get vocabulary(): TokenVocabulary {
        this.tokenVocabulary ??= new TokenVocabulary(this.model);
        return this.tokenVocabulary;
    }

    private tokenVocabulary: TokenVocabulary | undefined;

    /** The model's end-of-generation tokens (llama.cpp's is_eog), found once by asking for every id. */
    endTokens(): ReadonlySet<number> {
        if (!this.endTokenSet) {
            const set = new Set<number>();
            for (let id = 0; id < this.info.vocabularySize; id++) if (this.model.isEogToken(id as Token)) set.add(id);
            this.endTokenSet = set;
        }
        return this.endTokenSet;
    }

    private endTokenSet: Set<number> | undefined;

    /** Prompt tokens for a text prompt; BOS only when the caller (default: the model's GGUF) asks for one. */
    tokenizePrompt(text: string, addBos: boolean | undefined): Token[] {
        const tokens = this.model.tokenize(text, false);
        const bos = this.model.tokens.bos;
        const wantBos = addBos ?? this.model.tokens.shouldPrependBosToken;
        return wantBos && bos != null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
    }

    /** Generates on a sequence of the default context (prefix reuse on: consecutive requests share their prompt's KV). */
    async generate(job: GenerateJob): Promise<CompletionResult> {
        const context = await this.contexts.get(job.context ?? { lora: this.lora });
        checkPromptFits(job.tokens, context.contextSize);

        const { signal, finish } = this.startJob(job.signal);
        const sequence = await context.acquireSequence();
        const release = once(() => {
            context.releaseSequence(sequence);
            finish();
        });
        try {
            const seed = job.sampling.seed ?? randomSeed();
            const history = job.tokens.slice();
            const evaluateOptions = await buildEvaluateOptions(this.model, this.grammars, job.sampling, seed, history);
            const decodeJob: DecodeJob = {
                sequence,
                promptTokens: job.tokens,
                evaluateOptions,
                history,
                seed,
                maxTokens: job.sampling.maxTokens,
                stopSequences: job.stopSequences,
                stopTokens: job.stopTokens,
                reusePrefix: true,
                onToken: job.onToken,
                signal,
                startedAt: job.startedAt,
            };
            // The native loop only where nothing else can decode in the context meanwhile: its one sequence is ours.
            const nativeId = context.config.sequences === 1 ? context.nativeContextId : undefined;
            const native = nativeId !== undefined && canDecodeNatively(sequence, job.sampling);
            if (job.sampling.watermark && !native) {
                throw new SamplingOptionsError('watermark', '(set)', 'plain sampling on the native loop: not with a grammar or JSON schema, and not where the native addon is unavailable');
            }
            if (job.speculative) {
                if (!native) throw speculationUnavailable(job.sampling);
                const { run, done } = await this.speculativeRun(job.speculative, job.tokens);
                try {
                    const { result, settled } = await runNativeDecodeLoop({ ...decodeJob, sampling: job.sampling, speculative: run }, nativeId!);
                    void settled.then(release).finally(done);
                    return result;
                } catch (error) {
                    done();
                    throw error;
                }
            }
            const { result, settled } = native
                ? await runNativeDecodeLoop({ ...decodeJob, sampling: job.sampling }, nativeId!)
                : await runDecodeLoop(decodeJob);
            void settled.then(release);
            return result;
        } catch (error) {
            release();
            throw error;
        }
    }

    /**
     * The drafter of a speculative run: prompt lookup over the prompt, or a sequence of the draft model's context
     * aligned with the prompt (its KV reused as far as it matches). `done` gives the draft's sequence back.
     */
    private async speculativeRun(speculative: ResolvedSpeculative, tokens: readonly Token[]): Promise<{ run: NativeSpeculativeRun; done: () => void }> {
        if (speculative.kind === 'lookup') {
            return {
                run: { method: 'lookup', drafter: { maxDraft: speculative.maxDraft, lookup: { history: [...tokens], ngramMin: speculative.ngramMin, ngramMax: speculative.ngramMax } } },
                done: () => undefined,
            };
        }
        const lease = await this.drafts.acquire(speculative.draftModel);
        let sequence: LlamaContextSequence | undefined;
        let context: ManagedContext | undefined;
        const done = once(() => {
            if (sequence) context!.releaseSequence(sequence);
            lease.release();
        });
        try {
            context = await lease.draft.contexts.get({ lora: [] });
            if (context.nativeContextId === undefined) {
                throw new SpeculativeDecodingError('the draft model\'s context is not reachable by Promptscope\'s native loop', 'See the runtime log for why the native loop is unavailable.');
            }
            sequence = await context.acquireSequence();
            const reused = await prepareSequence(sequence, tokens as Token[], true);
            const { sequenceId, startPosition } = nativeSequencePlace(sequence);
            return {
                run: {
                    method: 'draft-model', draftModel: lease.draft.path, draftSequence: sequence, draftLoadMs: lease.loadMs,
                    drafter: {
                        maxDraft: speculative.maxDraft,
                        draft: { contextId: context.nativeContextId, sequenceId, startPosition, pending: tokens.slice(reused), minProbability: speculative.minProbability },
                    },
                },
                done,
            };
        } catch (error) {
            done();
            throw error;
        }
    }

    /**
     * Samples `n` paths from one prompt in a context of `n` sequences (one per distinct `n`, labelled
     * {@link samplePathsContextLabel}): the prompt is evaluated once and shared, the paths decode in one batch.
     * All `n` sequences are leased together, so concurrent requests take turns instead of each holding a few.
     */
    async generateMany(job: GenerateManyJob): Promise<MultiCompletionResult> {
        if (!Number.isInteger(job.n) || job.n < 1 || job.n > maxSamplePaths) {
            throw new RangeError(`Invalid path count n = ${String(job.n)}: use an integer from 1 to ${maxSamplePaths}.`);
        }
        // Flash attention off: llama.cpp's CPU kernel walks the keys once per query, so a step of n paths reads the
        // shared prompt's cells n times; the plain path multiplies all queries against them at once. Measured on the
        // 100m fixture, 2 threads, 8 paths × 128 tokens after a 513-token prompt: 4.3–5.4 s off against 6.6–7.0 s on.
        const context = await this.contexts.get({ lora: job.lora ?? this.lora, sequences: job.n, label: samplePathsContextLabel, flashAttention: false });
        checkPromptFits(job.tokens, context.contextSize);

        const { signal, finish } = this.startJob(job.signal);
        // Requested in one synchronous burst: the pool serves waiters in order, so two requests cannot each hold half.
        const sequences = await Promise.all(Array.from({ length: job.n }, () => context.acquireSequence()));
        const release = once(() => {
            for (const sequence of sequences) context.releaseSequence(sequence);
            finish();
        });
        try {
            const seed = job.sampling.seed ?? randomSeed();
            const { result, settled } = await sampleManyPaths(this, sequences, {
                tokens: job.tokens, sampling: job.sampling, seed, stopSequences: job.stopSequences, stopTokens: job.stopTokens,
                signal, startedAt: job.startedAt, nativeContextId: context.nativeContextId,
            });
            void settled.then(release);
            return result;
        } catch (error) {
            release();
            throw error;
        }
    }

    /**
     * Runs `work` on a leased sequence of `context`, registered as a running job: unloading aborts `signal` and waits
     * for `work` to return before freeing the context. `work` should check the signal between evaluations.
     */
    async withSequence<T>(context: ManagedContext, outer: AbortSignal | undefined,
        work: (sequence: LlamaContextSequence, signal: AbortSignal) => Promise<T>): Promise<T> {
        return this.withJob(outer, async signal => {
            const sequence = await context.acquireSequence();
            try {
                return await work(sequence, signal);
            } finally {
                context.releaseSequence(sequence);
            }
        });
    }

    /** Runs `work` registered as a running job: unloading aborts `signal` and waits for `work` to return. */
    async withJob<T>(outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        const { signal, finish } = this.startJob(outer);
        try {
            return await work(signal);
        } finally {
            finish();
        }
    }

    /**
     * Registers a running job: its `signal` aborts with `outer` or when the model unloads, which then waits for
     * `finish` (a generation finishes when its sequences are idle again, after its result went out).
     */
    private startJob(outer: AbortSignal | undefined): { signal: AbortSignal; finish: () => void } {
        const controller = new AbortController();
        const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
        let resolve!: () => void;
        const entry = { controller, done: new Promise<void>(r => { resolve = r; }) };
        this.running.add(entry);
        return {
            signal,
            finish: () => {
                this.running.delete(entry);
                resolve();
            },
        };
    }

    /** Stops every running generation and frees the contexts and the model. */
    async dispose(): Promise<void> {
        for (const entry of this.running) entry.controller.abort();
        await Promise.all([...this.running].map(entry => entry.done));
        await this.drafts.dispose();
        await this.contexts.dispose();
        await this.model.dispose();
    }
}

/** Why a speculative request cannot run: it needs the native loop, which knows no grammar. */
function speculationUnavailable(sampling: ResolvedSampling): SpeculativeDecodingError {
    const why = sampling.grammar !== undefined || sampling.jsonSchema !== undefined ? 'it does not combine with a grammar or JSON schema'
        : `Promptscope's native loop is unavailable (${addonUnavailableReason() ?? 'the model\'s context is not reachable by it'})`;
    return new SpeculativeDecodingError(why, 'Run without speculative decoding, or without the grammar.');
}

/** `action`, run on its first call only. */
function once(action: () => void): () => void {
    let done = false;
    return () => {
        if (done) return;
        done = true;
        action();
    };
}

function checkPromptFits(tokens: readonly Token[], contextSize: number): void {
    if (tokens.length >= contextSize) throw new ContextOverflowError(tokens.length, contextSize);
    if (tokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to continue.');
}
