import type { LlamaContextSequence, SequenceEvaluateMetadataOptions, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { CompletionResult, StopReason } from '../api';
import { StopSequenceMatcher } from '../../core/text/StopSequenceMatcher';
import { TokenTextDecoder } from './TokenTextDecoder';

/**
 * Receives generated tokens as they come. `text` is the newly completed output text (possibly '', while a
 * character or a possible stop sequence is incomplete); `token` is undefined for text released at the end.
 * Called synchronously from the loop: it must not block (the host only queues the token for sending).
 */
export type TokenSink = (token: Token | undefined, text: string) => void;

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

const aborted = Symbol('aborted');

/**
 * Our own token loop over `LlamaContextSequence.evaluate` (not LlamaChatSession), so later features can read
 * probabilities, batch sequences and reuse prefixes. Per token: one evaluation, one detokenize, a stop check
 * and a synchronous hand-off to the sink; nothing in here waits on the IPC channel.
 */
export async function runDecodeLoop(job: DecodeJob): Promise<DecodeOutcome> {
    const { sequence, promptTokens, signal, onToken } = job;
    const model = sequence.model;
    const contextSize = sequence.contextSize;

    const reused = await prepareSequence(sequence, promptTokens, job.reusePrefix);
    const evalTokens = promptTokens.slice(reused);
    // Generated token k is sampled after k−1 of them were evaluated behind the prompt; node-llama-cpp keeps one
    // cell free, so at most contextSize − prompt tokens fit. Past that it would silently shift the context.
    const room = contextSize - promptTokens.length;
    const limit = Math.min(job.maxTokens, room);

    const decoder = new TokenTextDecoder(model, promptTokens);
    const stops = new StopSequenceMatcher(job.stopSequences);
    const generated: Token[] = [];
    let text = '';
    let stopReason: StopReason = job.maxTokens <= room ? 'maxTokens' : 'contextFull';
    let firstTokenAt = 0;
    let lastTokenAt = 0;

    const emit = (token: Token | undefined, piece: string) => {
        text += piece;
        onToken?.(token, piece);
    };

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
                    stopReason = 'aborted';
                    break;
                }
                if (step.done) {
                    stopReason = 'eos';
                    break;
                }
                const token = step.value.token;
                job.onTokenMetadata?.(token, step.value as { probabilities?: Map<Token, number>; confidence?: number });
                lastTokenAt = performance.now();
                if (generated.length === 0) firstTokenAt = lastTokenAt;
                if (model.isEogToken(token) || job.stopTokens?.has(token)) {
                    stopReason = 'eos';
                    break;
                }
                generated.push(token);
                job.history.push(token);
                const piece = decoder.push(token);
                if (piece !== '' && stops.hasStops) {
                    const { text: safe, stopped } = stops.push(piece);
                    emit(token, safe);
                    if (stopped) {
                        stopReason = 'stopSequence';
                        break;
                    }
                } else {
                    emit(token, piece);
                }
                if (generated.length >= limit) break;
                if (signal?.aborted) {
                    stopReason = 'aborted';
                    break;
                }
            }
        } finally {
            // Queued behind a pending evaluation when aborted mid-token; the caller waits on it before reusing the sequence.
            settled = iterator.return().then(() => undefined, () => undefined);
        }
    } else if (signal?.aborted) {
        stopReason = 'aborted';
    }

    if (stopReason !== 'stopSequence') {
        const rest = decoder.flush();
        const tail = stops.hasStops ? stops.push(rest).text + stops.flush() : rest;
        if (tail !== '') emit(undefined, tail);
    }

    const end = performance.now();
    const generatedCount = generated.length;
    const decodeSpan = lastTokenAt - firstTokenAt;
    return {
        result: {
            text,
            tokens: generated,
            stopReason,
            seed: job.seed,
            timing: {
                promptTokens: promptTokens.length,
                reusedPromptTokens: reused,
                generatedTokens: generatedCount,
                ms: end - job.startedAt,
                timeToFirstTokenMs: firstTokenAt > 0 ? firstTokenAt - job.startedAt : 0,
                // From the first generated token: (n − 1) intervals; with one token fall back to the whole request.
                tokensPerSecond: generatedCount >= 2 && decodeSpan > 0
                    ? (generatedCount - 1) / (decodeSpan / 1000)
                    : generatedCount > 0 ? generatedCount / ((end - job.startedAt) / 1000) : 0,
            },
        },
        settled,
    };
}

/**
 * Aligns the sequence's KV cache with the prompt and returns how many prompt tokens are already evaluated.
 * At least the last prompt token is always evaluated again, because its logits are what the first sample needs.
 */
async function prepareSequence(sequence: LlamaContextSequence, promptTokens: Token[], reusePrefix: boolean): Promise<number> {
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
