import type { LlamaContextSequence, SequenceEvaluateMetadataOptions, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { CompletionResult } from '../../../shared/runtimeApi';
import { GenerationTranscript, type TokenSink } from './GenerationTranscript';

export type { TokenSink } from './GenerationTranscript';

export interface DecodeJob {
    sequence: LlamaContextSequence;
    promptTokens: Token[];
    evaluateOptions: SequenceEvaluateOptions;
    /** The array the repeat penalty reads: starts as the prompt, the loop appends each generated token. */
    history: Token[];
    seed: number;
    maxTokens: number;
    stopSequences: readonly string[];
    /** Tokens that end generation besides the model's end-of-generation tokens (chat-template end markers). */
    stopTokens?: ReadonlySet<Token>;
    /** Keep the part of the sequence's KV cache that matches the prompt and evaluate only the rest. */
    reusePrefix: boolean;
    onToken?: TokenSink;
    /**
     * Per-token metadata to compute (post-sampler probabilities, the chosen token's confidence), passed to
     * `onTokenMetadata` before the token is handled. Defaults to none (the cheapest path).
     */
    metadata?: SequenceEvaluateMetadataOptions;
    onTokenMetadata?: (token: Token, metadata: { probabilities?: Map<Token, number>; confidence?: number }) => void;
    signal?: AbortSignal;
    /** `performance.now()` when the request arrived, so timings include tokenizing and setup. */
    startedAt: number;
}

export interface DecodeOutcome {
    result: CompletionResult;
    /**
     * Settles once the sequence is idle again. An abort resolves `result` at once, even in the middle of a
     * token's evaluation; the evaluation itself cannot be interrupted, so the sequence stays busy until then.
     */
    settled: Promise<void>;
}

/** What a loop over a sequence starts from: the prompt tokens still to evaluate and the transcript to feed. */
export interface PreparedDecode {
    reused: number;
    evalTokens: Token[];
    /** The most tokens that may be generated: maxTokens, or fewer when the context has less room. */
    limit: number;
    transcript: GenerationTranscript;
}

/** Aligns the sequence with the prompt (prefix reuse) and sets up the transcript; shared by both token loops. */
export async function prepareDecode(job: DecodeJob): Promise<PreparedDecode> {
    const { sequence, promptTokens } = job;
    const reused = await prepareSequence(sequence, promptTokens, job.reusePrefix);
    // Generated token k is sampled after k−1 of them were evaluated behind the prompt; node-llama-cpp keeps one
    // cell free, so at most contextSize − prompt tokens fit. Past that it would silently shift the context.
    const room = sequence.contextSize - promptTokens.length;
    const limit = Math.min(job.maxTokens, room);
    const transcript = new GenerationTranscript({
        model: sequence.model,
        promptTokens,
        limit,
        limitReason: job.maxTokens <= room ? 'maxTokens' : 'contextFull',
        stopSequences: job.stopSequences,
        stopTokens: job.stopTokens,
        history: job.history,
        onToken: job.onToken,
    });
    return { reused, evalTokens: promptTokens.slice(reused), limit, transcript };
}

const aborted = Symbol('aborted');

/**
 * Our own token loop over `LlamaContextSequence.evaluate` (not LlamaChatSession), so later features can read
 * probabilities, batch sequences and reuse prefixes. Per token: one evaluation, one detokenize, a stop check
 * and a synchronous hand-off to the sink; nothing in here waits on the IPC channel.
 */
export async function runDecodeLoop(job: DecodeJob): Promise<DecodeOutcome> {
    const { sequence, signal } = job;
    const { reused, evalTokens, limit, transcript } = await prepareDecode(job);

    let settled: Promise<void> = Promise.resolve();
    if (limit > 0 && !signal?.aborted) {
        const abortPromise = signal ? abortedPromise(signal) : undefined;
        // evaluateWithMetadata is what `evaluate` wraps; calling it directly saves a generator layer per token.
        const iterator = sequence.evaluateWithMetadata(evalTokens, job.metadata ?? {}, job.evaluateOptions);
        try {
            while (true) {
                const pending = iterator.next();
                const step = abortPromise ? await Promise.race([pending, abortPromise]) : await pending;
                if (step === aborted) {
                    // The abandoned evaluation may still fail (e.g. the model is being unloaded): not our concern now.
                    pending.catch(() => undefined);
                    transcript.stop('aborted');
                    break;
                }
                if (step.done) {
                    transcript.stop('eos');
                    break;
                }
                const token = step.value.token;
                job.onTokenMetadata?.(token, step.value as { probabilities?: Map<Token, number>; confidence?: number });
                if (!transcript.accept(token)) break;
                if (signal?.aborted) {
                    transcript.stop('aborted');
                    break;
                }
            }
        } finally {
            // Queued behind a pending evaluation when aborted mid-token; the caller waits on it before reusing the sequence.
            settled = iterator.return().then(() => undefined, () => undefined);
        }
    } else if (signal?.aborted) {
        transcript.stop('aborted');
    }

    return { result: transcript.finish({ seed: job.seed, startedAt: job.startedAt, reusedPromptTokens: reused, loop: 'node-llama-cpp' }), settled };
}

/**
 * Aligns the sequence's KV cache with the prompt and returns how many prompt tokens are already evaluated.
 * At least the last prompt token is always evaluated again, because its logits are what the first sample needs.
 */
/**
 * Aligns `sequence` with `promptTokens`: keeps the KV of their common prefix (all but the last prompt token at most, whose
 * logits the caller needs) and erases the rest; returns how many tokens were kept.
 */
export async function prepareSequence(sequence: LlamaContextSequence, promptTokens: Token[], reusePrefix: boolean): Promise<number> {
    if (!reusePrefix || sequence.needsCheckpoints) {
        if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
        return 0;
    }
    const { firstDifferentIndex } = sequence.compareContextTokens(promptTokens);
    const keep = Math.max(0, Math.min(firstDifferentIndex, promptTokens.length - 1));
    if (sequence.nextTokenIndex > keep) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    return keep;
}

function abortedPromise(signal: AbortSignal): Promise<typeof aborted> {
    return new Promise(resolve => {
        if (signal.aborted) resolve(aborted);
        else signal.addEventListener('abort', () => resolve(aborted), { once: true });
    });
}
