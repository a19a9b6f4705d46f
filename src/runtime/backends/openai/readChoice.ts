import { ServerResponseError } from '../../../shared/errors/ServerResponseError';
import type { StopReason } from '../../../shared/runtimeApi';

/** One token as a server's `logprobs.content` lists it: OpenAI's fields, and llama-server's `id`. */
export interface ServerToken {
    id: number | undefined;
    text: string;
    /** Natural-log probability; llama-server's `prob` (with `post_sampling_probs`) is converted. */
    logprob: number;
    top: { id: number | undefined; text: string; logprob: number }[];
}

/** The part of one streamed chunk's (or one reply's) first choice a generation needs. */
export interface ChoicePart {
    text: string;
    tokens: ServerToken[];
    finishReason: string | undefined;
}

/** Reads `choices[0]` of a chat (`delta.content` or `message.content`) or completions (`text`) reply or chunk. */
export function readChoice(url: string, event: Record<string, unknown>): ChoicePart | undefined {
    const choices = event.choices;
    if (!Array.isArray(choices)) {
        // A final usage-only chunk (`stream_options.include_usage`) has an empty or absent list.
        if (choices === undefined && 'usage' in event) return undefined;
        throw new ServerResponseError(url, '`choices` is missing');
    }
    const choice = choices[0] as Record<string, unknown> | undefined;
    if (choice === undefined) return undefined;
    const delta = (choice.delta ?? choice.message) as Record<string, unknown> | undefined;
    const content = delta !== undefined ? delta.content : choice.text;
    if (content !== undefined && content !== null && typeof content !== 'string') throw new ServerResponseError(url, '`content` is not a string');
    const finish = choice.finish_reason;
    return { text: content ?? '', tokens: readLogprobs(url, choice.logprobs), finishReason: typeof finish === 'string' ? finish : undefined };
}

function readLogprobs(url: string, logprobs: unknown): ServerToken[] {
    if (logprobs === undefined || logprobs === null) return [];
    const content = (logprobs as { content?: unknown }).content;
    if (!Array.isArray(content)) throw new ServerResponseError(url, '`logprobs.content` is not a list');
    return content.map(entry => {
        const e = entry as Record<string, unknown>;
        const top = (e.top_logprobs ?? e.top_probs ?? []) as Record<string, unknown>[];
        return { id: tokenId(e.id), text: String(e.token ?? ''), logprob: logprobOf(url, e), top: top.map(t => ({ id: tokenId(t.id), text: String(t.token ?? ''), logprob: logprobOf(url, t) })) };
    });
}

function logprobOf(url: string, entry: Record<string, unknown>): number {
    if (typeof entry.logprob === 'number') return entry.logprob;
    if (typeof entry.prob === 'number') return Math.log(entry.prob);
    throw new ServerResponseError(url, 'a `logprobs` entry without `logprob`');
}

function tokenId(value: unknown): number | undefined {
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/**
 * OpenAI's `finish_reason` as ours. `stop` covers both the end-of-generation token and a stop sequence and the API
 * does not say which: with stop sequences asked for it is reported as `stopSequence`, else as `eos`.
 */
export function stopReasonOf(finishReason: string | undefined, stopSequencesAsked: boolean): StopReason {
    if (finishReason === 'length') return 'maxTokens';
    return stopSequencesAsked && finishReason === 'stop' ? 'stopSequence' : 'eos';
}
