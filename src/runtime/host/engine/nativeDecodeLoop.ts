import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import { forcedLogit } from './buildEvaluateOptions';
import { greenThreshold } from '../../../core/watermark/greenList';
import { prepareDecode, type DecodeJob, type DecodeOutcome } from './decodeLoop';
import type { CompletionResult, SpeculativeStats } from '../../../shared/runtimeApi';
import { removeNativeSequence, startNativeGeneration, type NativeGenerateOptions, type NativeGenerateResult, type NativeSpeculation } from './llamaExtrasAddon';

/** A speculative native run: the addon's drafter settings, and the draft model's sequence whose record to update. */
export interface NativeSpeculativeRun {
    method: SpeculativeStats['method'];
    /** Absolute path of the draft model. */
    draftModel?: string;
    /** Milliseconds this request spent loading the draft model (0 when it was loaded already). */
    draftLoadMs?: number;
    drafter: NativeSpeculation;
    /** The draft model's sequence (its node-llama-cpp record is brought up to date like the target's). */
    draftSequence?: LlamaContextSequence;
}

interface SequenceInternals {
    _sequenceId?: number;
    _contextTokens?: Token[];
    _nextTokenIndex?: number;
    _loadedTokenPredictions?: unknown[];
}

/**
 * Whether the addon's generation loop can stand in for node-llama-cpp's on this sequence: it samples with
 * node-llama-cpp's chain but knows no grammar, and it updates only the plain sequence state (no checkpoints of
 * recurrent models, no token predictions). Reads node-llama-cpp 3.22.1 internals (the package is pinned).
 */
export function canDecodeNatively(sequence: LlamaContextSequence, sampling: ResolvedSampling): boolean {
    const internals = sequence as unknown as SequenceInternals;
    return sampling.grammar === undefined && sampling.jsonSchema === undefined && !sequence.needsCheckpoints
        && typeof internals._sequenceId === 'number' && Array.isArray(internals._contextTokens)
        && typeof internals._nextTokenIndex === 'number' && (internals._loadedTokenPredictions?.length ?? 0) === 0;
}

/** The addon's options for `sampling`: the values node-llama-cpp's sampler would be configured with. */
export function nativeSamplingOptions(sampling: ResolvedSampling, seed: number, history: readonly Token[]): Omit<NativeGenerateOptions, 'maxTokens' | 'stream' | 'stopTokens'> {
    const penalize = sampling.repeatPenalty !== 1 && sampling.repeatLastTokens > 0;
    const bias = [...sampling.logitBias];
    return {
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        minP: sampling.minP,
        seed,
        repeatPenalty: penalize ? sampling.repeatPenalty : 1,
        repeatLastTokens: penalize ? sampling.repeatLastTokens : 0,
        repeatHistory: penalize ? history.slice(-sampling.repeatLastTokens) : [],
        biasTokens: bias.map(([token]) => token),
        // As buildEvaluateOptions gives them to node-llama-cpp: a ban is −Infinity, a forced token a huge finite logit.
        biasValues: bias.map(([, value]) => value === Infinity ? forcedLogit : value),
        // The first green list hangs on the prompt's last token (core/watermark/greenList.ts).
        ...(sampling.watermark && history.length > 0 ? {
            watermark: {
                keyHash: sampling.watermark.keyHash, threshold: greenThreshold(sampling.watermark.gamma), delta: sampling.watermark.delta,
                hard: sampling.watermark.hard, previous: history.at(-1)!,
            },
        } : {}),
    };
}

/**
 * The token loop of {@link runDecodeLoop}, run by the native addon (generationLoop.cc) on `contextId`, the
 * llama.cpp context behind the sequence's node-llama-cpp context: the rest of the prompt and every token are
 * evaluated and sampled natively, one thread-pool round trip per ~50 ms slice instead of two per token, and no
 * JavaScript between tokens. Tokens come
 * back one by one when the text must be watched (stop sequences, a listener), else all at the end. The sequence's
 * node-llama-cpp state is brought up to date once the loop has stopped, before `settled`.
 */
export async function runNativeDecodeLoop(job: DecodeJob & { sampling: ResolvedSampling; speculative?: NativeSpeculativeRun }, contextId: number): Promise<DecodeOutcome> {
    const { sequence, signal, speculative } = job;
    const { reused, evalTokens, limit, transcript } = await prepareDecode(job);
    let speculation: NativeGenerateResult['speculative'];
    const finish = (): CompletionResult => {
        const result = transcript.finish({ seed: job.seed, startedAt: job.startedAt, reusedPromptTokens: reused, loop: 'native' });
        return speculative ? { ...result, speculative: speculativeStats(speculative, speculation, result.tokens.length) } : result;
    };
    if (limit <= 0 || signal?.aborted) {
        if (signal?.aborted) transcript.stop('aborted');
        return { result: finish(), settled: Promise.resolve() };
    }

    const { sequenceId, startPosition } = nativeSequencePlace(sequence);
    const stream = transcript.needsEveryToken;
    let stopped = false;
    let stopEarly!: () => void;
    const early = new Promise<void>(resolve => { stopEarly = resolve; });
    const stop = () => {
        stopped = true;
        run.cancel();
        stopEarly();
    };
    const run = startNativeGeneration(contextId, sequenceId, startPosition, evalTokens, {
        ...nativeSamplingOptions(job.sampling, job.seed, job.history),
        maxTokens: limit,
        stream,
        stopTokens: job.stopTokens ? [...job.stopTokens] : [],
        ...(speculative ? { speculative: speculative.drafter } : {}),
    }, stream ? tokens => {
        for (const token of tokens) {
            if (stopped) return;
            if (!transcript.accept(token as Token)) stop();
        }
    } : undefined);
    const onAbort = () => {
        if (stopped) return;
        transcript.stop('aborted');
        stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const settled = run.result.then(outcome => {
        signal?.removeEventListener('abort', onAbort);
        recordEvaluated(sequence, startPosition, evalTokens, outcome);
        speculation = outcome.speculative;
        const draft = speculative?.draftSequence;
        if (draft && speculative.drafter.draft) {
            if (outcome.reason === 'error') {
                // The draft's KV may hold anything the failed round left: the next run starts it afresh.
                removeNativeSequence(speculative.drafter.draft.contextId, speculative.drafter.draft.sequenceId);
                forgetNativeCells(draft);
            } else {
                recordEvaluated(draft, speculative.drafter.draft.startPosition, speculative.drafter.draft.pending as Token[],
                    { tokens: outcome.tokens, decoded: outcome.speculative?.draftDecoded ?? 0 });
            }
        }
        return outcome;
    });

    // A stop sequence ends the text at once; a speculative run is waited for (at most one round) for its figures.
    const outcome = await Promise.race([settled, early.then(() => speculative ? settled : undefined)]);
    if (outcome === undefined) return { result: finish(), settled: settled.then(() => undefined) };
    if (outcome.reason === 'error') throw new Error(`Generation failed in llama.cpp: ${outcome.error ?? 'unknown error'}`);
    if (!stream) acceptAll(transcript, outcome);
    // A run cancelled by our own stop (an abort, or a stop sequence awaited above for a speculative run) has its reason.
    if (outcome.reason === 'cancelled' && !stopped) transcript.stop('aborted');
    return { result: finish(), settled: Promise.resolve() };
}

/**
 * Brings node-llama-cpp's record of `sequence` up to what a native run left in its KV cache: of `evalTokens` (evaluated
 * from `startPosition`) and then the sampled tokens, the first `decoded`.
 */
export function recordEvaluated(sequence: LlamaContextSequence, startPosition: number, evalTokens: readonly Token[],
    outcome: { tokens: Int32Array; decoded: number }): void {
    const internals = sequence as unknown as Required<SequenceInternals>;
    const added = [...evalTokens, ...Array.from(outcome.tokens)].slice(0, outcome.decoded) as Token[];
    internals._contextTokens = internals._contextTokens.concat(added);
    internals._nextTokenIndex = startPosition + added.length;
}

/** Tells node-llama-cpp's record of `sequence` that it holds nothing, after its cells were removed behind its back. */
export function forgetNativeCells(sequence: LlamaContextSequence): void {
    const internals = sequence as unknown as Required<SequenceInternals>;
    internals._contextTokens = [];
    internals._nextTokenIndex = 0;
}

/** Where a native run starts on `sequence`: its llama.cpp sequence id and the position after what it holds. */
export function nativeSequencePlace(sequence: LlamaContextSequence): { sequenceId: number; startPosition: number } {
    const internals = sequence as unknown as Required<SequenceInternals>;
    return { sequenceId: internals._sequenceId, startPosition: internals._nextTokenIndex };
}

/** The addon's figures of a speculative run, for the `limit` tokens the result kept (a stop sequence may cut it). */
function speculativeStats(run: NativeSpeculativeRun, figures: NativeGenerateResult['speculative'], kept: number): SpeculativeStats {
    const sources = figures ? Array.from(figures.sources.subarray(0, kept)) : [];
    const rejected: SpeculativeStats['rejected'] = [];
    for (let i = 0; figures && i + 1 < figures.rejected.length; i += 2) {
        if (figures.rejected[i]! < kept) rejected.push({ index: figures.rejected[i]!, token: figures.rejected[i + 1]! });
    }
    const drafted = figures?.drafted ?? 0;
    const accepted = figures?.accepted ?? 0;
    return {
        method: run.method, ...(run.draftModel ? { draftModel: run.draftModel, draftLoadMs: run.draftLoadMs ?? 0 } : {}),
        rounds: figures?.rounds ?? 0, drafted, accepted, ...(drafted > 0 ? { acceptanceRate: accepted / drafted } : {}),
        tokenSources: sources.map(source => source === 1 ? 'accepted' : 'sampled'),
        rejected, draftMs: figures?.draftMs ?? 0, verifyMs: figures?.verifyMs ?? 0,
    };
}

/** Feeds the tokens a non-streaming run returned, with the times the addon measured them at. */
export function acceptAll(transcript: { accept(token: Token, at?: number): boolean },
    outcome: Pick<NativeGenerateResult, 'tokens' | 'firstTokenMs' | 'lastTokenMs'>): void {
    // The addon's clock is process.hrtime's (CLOCK_MONOTONIC); performance.now() counts from the time origin on it.
    const offset = performance.now() - Number(process.hrtime.bigint()) / 1e6;
    const tokens = outcome.tokens;
    for (let i = 0; i < tokens.length; i++) {
        const at = (i === 0 ? outcome.firstTokenMs : outcome.lastTokenMs) + offset;
        if (!transcript.accept(tokens[i] as Token, at)) break;
    }
}
