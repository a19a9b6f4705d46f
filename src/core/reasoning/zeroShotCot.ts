import type { ExtractAnswer } from './extractAnswer';

/**
 * Structurally the runtime's `ChatMessage` (src/runtime/api.ts), restated because src/core may not import
 * other layers. A trailing `model` message is a prefill the model continues.
 */
export interface CotMessage {
    role: 'system' | 'user' | 'model';
    text: string;
}

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
export function cotReasoningMessages(messages: readonly CotMessage[], options: ZeroShotCotOptions = {}): CotMessage[] {
    const trigger = options.reasoningTrigger ?? zeroShotCotDefaults.reasoningTrigger;
    return withPrefill(messages, trigger);
}

/**
 * Turn 2: the same conversation, the model's reply now holding the trigger, the reasoning turn 1 produced and
 * the answer trigger, so the model continues with just the answer (Kojima et al.'s answer extraction).
 */
export function cotAnswerMessages(messages: readonly CotMessage[], reasoning: string, options: ZeroShotCotOptions = {}): CotMessage[] {
    const trigger = options.reasoningTrigger ?? zeroShotCotDefaults.reasoningTrigger;
    const answerTrigger = options.answerTrigger ?? zeroShotCotDefaults.answerTrigger;
    return withPrefill(messages, `${trigger} ${reasoning.trim()}\n${answerTrigger}`);
}

/** Turn 1 as plain text for a base model: `Q: … A: Let's think step by step.` as in the paper. */
export function cotReasoningText(question: string, options: ZeroShotCotOptions = {}): string {
    return `Q: ${question.trim()}\nA: ${options.reasoningTrigger ?? zeroShotCotDefaults.reasoningTrigger}`;
}

/** Turn 2 as plain text: turn 1, its reasoning, and the answer trigger. */
export function cotAnswerText(question: string, reasoning: string, options: ZeroShotCotOptions = {}): string {
    return `${cotReasoningText(question, options)} ${reasoning.trim()}\n${options.answerTrigger ?? zeroShotCotDefaults.answerTrigger}`;
}

function withPrefill(messages: readonly CotMessage[], text: string): CotMessage[] {
    if (messages.length === 0) throw new RangeError('Chain of thought needs a conversation with at least one message.');
    const copy = messages.map(m => ({ ...m }));
    const last = copy[copy.length - 1]!;
    if (last.role === 'model') last.text = last.text.trim() === '' ? text : `${last.text.trimEnd()} ${text}`;
    else copy.push({ role: 'model', text });
    return copy;
}

/** Continues a conversation with the model (a trailing `model` message is continued) and returns the new text. */
export type ContinueChat = (messages: CotMessage[]) => Promise<string>;

export interface CotResult {
    /** What the model wrote after the reasoning trigger. */
    reasoning: string;
    /** What it wrote after the answer trigger. */
    answerText: string;
    /** The answer extracted from `answerText`; undefined when the extractor found none. */
    answer: string | undefined;
}

/**
 * Runs both turns of zero-shot chain of thought and keeps the reasoning and the answer apart. The answer is
 * extracted from the second turn only, so numbers in the reasoning cannot leak into it.
 */
export async function runZeroShotCot(
    continueChat: ContinueChat,
    messages: readonly CotMessage[],
    extract: ExtractAnswer,
    options: ZeroShotCotOptions = {},
): Promise<CotResult> {
    const reasoning = (await continueChat(cotReasoningMessages(messages, options))).trim();
    const answerText = (await continueChat(cotAnswerMessages(messages, reasoning, options))).trim();
    return { reasoning, answerText, answer: extract(answerText) };
}
