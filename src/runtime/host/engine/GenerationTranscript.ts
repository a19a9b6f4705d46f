import type { LlamaModel, Token } from 'node-llama-cpp';
import type { CompletionResult, StopReason } from '../../../shared/runtimeApi';
import { StopSequenceMatcher } from '../../../core/text/StopSequenceMatcher';
import { TokenTextDecoder } from './TokenTextDecoder';

/**
 * Receives generated tokens as they come. `text` is the newly completed output text (possibly '', while a
 * character or a possible stop sequence is incomplete); `token` is undefined for text released at the end.
 * Called synchronously from the loop: it must not block (the host only queues the token for sending).
 */
export type TokenSink = (token: Token | undefined, text: string) => void;

export interface GenerationTranscriptOptions {
    model: LlamaModel;
    promptTokens: readonly Token[];
    /** The most tokens generation may produce (the request's maxTokens or the room left in the context). */
    limit: number;
    /** Why generation stops when it reaches `limit`. */
    limitReason: StopReason;
    stopSequences: readonly string[];
    /** Tokens that end generation besides the model's end-of-generation tokens (chat-template end markers). */
    stopTokens?: ReadonlySet<Token>;
    /** Gets each generated token appended (the repeat penalty of node-llama-cpp's loop reads it). */
    history?: Token[];
    onToken?: TokenSink;
}

/**
 * What a token loop made of the tokens it sampled: the text (stop sequences cut, split characters held back),
 * the tokens, why it stopped and when tokens came. Both loops (node-llama-cpp's and the native one) feed it.
 */
export class GenerationTranscript {
    readonly generated: Token[] = [];
    text = '';
    stopReason: StopReason;
    firstTokenAt = 0;
    lastTokenAt = 0;
    private readonly decoder: TokenTextDecoder;
    private readonly stops: StopSequenceMatcher;

    constructor(private readonly options: GenerationTranscriptOptions) {
        this.decoder = new TokenTextDecoder(options.model, options.promptTokens);
        this.stops = new StopSequenceMatcher(options.stopSequences);
        this.stopReason = options.limitReason;
    }

    /** Whether text must be checked token by token (stop sequences or a listener), not only at the end. */
    get needsEveryToken(): boolean {
        return this.stops.hasStops || this.options.onToken !== undefined;
    }

    /** Takes the next sampled token (sampled at `at`, performance.now() time); false once generation must stop. */
    accept(token: Token, at = performance.now()): boolean {
        this.lastTokenAt = at;
        if (this.generated.length === 0) this.firstTokenAt = at;
        if (this.options.model.isEogToken(token) || this.options.stopTokens?.has(token)) {
            this.stopReason = 'eos';
            return false;
        }
        this.generated.push(token);
        this.options.history?.push(token);
        const piece = this.decoder.push(token);
        if (piece !== '' && this.stops.hasStops) {
            const { text: safe, stopped } = this.stops.push(piece);
            this.emit(token, safe);
            if (stopped) {
                this.stopReason = 'stopSequence';
                return false;
            }
        } else {
            this.emit(token, piece);
        }
        return this.generated.length < this.options.limit;
    }

    /** Ends generation for `reason` (the loop's own: end of generation, abort). */
    stop(reason: StopReason): void {
        this.stopReason = reason;
    }

    /** The request's result: releases text still held back (unless a stop sequence cut it) and adds the timings. */
    finish(job: { seed: number; startedAt: number; reusedPromptTokens: number; loop: 'native' | 'node-llama-cpp' }): CompletionResult {
        if (this.stopReason !== 'stopSequence') {
            const rest = this.decoder.flush();
            const tail = this.stops.hasStops ? this.stops.push(rest).text + this.stops.flush() : rest;
            if (tail !== '') this.emit(undefined, tail);
        }
        const end = performance.now();
        const count = this.generated.length;
        const decodeSpan = this.lastTokenAt - this.firstTokenAt;
        return {
            text: this.text,
            tokens: this.generated,
            stopReason: this.stopReason,
            seed: job.seed,
            timing: {
                promptTokens: this.options.promptTokens.length,
                reusedPromptTokens: job.reusedPromptTokens,
                generatedTokens: count,
                ms: end - job.startedAt,
                timeToFirstTokenMs: this.firstTokenAt > 0 ? this.firstTokenAt - job.startedAt : 0,
                // From the first generated token: (n − 1) intervals; with one token fall back to the whole request.
                tokensPerSecond: count >= 2 && decodeSpan > 0
                    ? (count - 1) / (decodeSpan / 1000)
                    : count > 0 ? count / ((end - job.startedAt) / 1000) : 0,
                loop: job.loop,
            },
        };
    }

    private emit(token: Token | undefined, piece: string): void {
        this.text += piece;
        this.options.onToken?.(token, piece);
    }
}
