import type { ChatMessage } from '../prompt/chatMessages';
import type { ExtractAnswer } from './extractAnswer';

export interface ZeroShotCotOptions {
    /** Starts the model's reasoning. Defaults to `"Let's think step by step."` (Kojima et al. 2022). */
    reasoningTrigger?: string;
    /**
     * Follows the reasoning in the second turn, so the answer comes out in a short, extractable form.
     * Defaults to `"Therefore, the answer is"`; Kojima et al. add the format, e.g. `"Therefore, the answer (arabic numerals) is"`.
     */
    answerTrigger?: string;
}

export const zeroShotCotDefaults = {
    reasoningTrigger: "Let's think step by step.",
    answerTrigger: 'Therefore, the answer is',
} as const;

/**
 * Turn 1 of zero-shot chain of thought: the conversation with the model's reply prefilled by the reasoning
 * trigger, so the model continues with its reasoning. A conversation that already ends in a model prefill keeps
 * it, followed by the trigger.
 */
export function cotReasoningMessages(messages: readonly ChatMessage[], options: ZeroShotCotOptions = {}): ChatMessage[] {
    const trigger = options.reasoningTrigger ?? zeroShotCotDefaults.reasoningTrigger;
    return withPrefill(messages, trigger);
}

/**
 * Turn 2: the same conversation, the model's reply now holding the trigger, the reasoning turn 1 produced and
 * the answer trigger, so the model continues with just the answer (Kojima et al.'s answer extraction).
 */
export function cotAnswerMessages(messages: readonly ChatMessage[], reasoning: string, options: ZeroShotCotOptions = {}): ChatMessage[] {
    const trigger = options.reasoningTrigger ?? zeroShotCotDefaults.reasoningTrigger;
    const answerTrigger = options.answerTrigger ?? zeroShotCotDefaults.answerTrigger;
    return withPrefill(messages, `${trigger} ${reasoning.trim()}\n${answerTrigger}`);
}

function withPrefill(messages: readonly ChatMessage[], text: string): ChatMessage[] {
    if (messages.length === 0) throw new RangeError('Chain of thought needs a conversation with at least one message.');
    const copy = messages.map(m => ({ ...m }));
    const last = copy[copy.length - 1]!;
    if (last.role === 'model') last.text = last.text.trim() === '' ? text : `${last.text.trimEnd()} ${text}`;
    else copy.push({ role: 'model', text });
    return copy;
}

/** The two turns of zero-shot chain of thought. */
export type CotTurn = 'reasoning' | 'answer';

/**
 * Continues a conversation with the model (a trailing `model` message is continued) and returns the new text.
 * `turn` says which turn it is, since the turns may be sampled differently (a grammar shapes the answer only).
 */
export type ContinueChat = (messages: ChatMessage[], turn: CotTurn) => Promise<string>;

export interface CotResult {
    /** What the model wrote after the reasoning trigger. */
    reasoning: string;
    /** What it wrote after the answer trigger. */
    answerText: string;
    /** The answer extracted from `answerText`; undefined when the extractor found none. */
    answer: string | undefined;
    /** The two conversations sent: the reasoning turn's, then the answer turn's. */
    messages: [ChatMessage[], ChatMessage[]];
}

/**
 * Runs both turns of zero-shot chain of thought and keeps the reasoning and the answer apart. The answer is
 * extracted from the second turn only, so numbers in the reasoning cannot leak into it.
 */
export async function runZeroShotCot(
    continueChat: ContinueChat,
    messages: readonly ChatMessage[],
    extract: ExtractAnswer,
    options: ZeroShotCotOptions = {},
): Promise<CotResult> {
    const reasoningMessages = cotReasoningMessages(messages, options);
    const reasoning = (await continueChat(reasoningMessages, 'reasoning')).trim();
    const answerMessages = cotAnswerMessages(messages, reasoning, options);
    const answerText = (await continueChat(answerMessages, 'answer')).trim();
    return { reasoning, answerText, answer: extract(answerText), messages: [reasoningMessages, answerMessages] };
}
