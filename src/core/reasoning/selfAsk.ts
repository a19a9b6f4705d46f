import type { ChatMessage } from '../prompt/chatMessages';
import { appendToLastUser } from './appendToLastUser';

/** Self-ask settings (`promptscope.selfAsk`, Press et al. 2022). */
export interface SelfAskSettings {
    /** What starts a follow-up question in the model's reply. Defaults to "Follow up:". */
    followUp?: string;
    /** What starts the answer to a follow-up, as it is given back. Defaults to "Intermediate answer:". */
    intermediate?: string;
    /** What starts the final answer. Defaults to "So the final answer is:". */
    final?: string;
    /** Follow-up questions at most. Defaults to 3. */
    maxFollowUps?: number;
    /**
     * Who answers a follow-up: `model` (the model, the question on its own) or `retrieval` (the passage of the prompt's
     * `promptscope.retrieval` index nearest to the question, as a search engine's snippet answered in Press et al.).
     * Defaults to `model`.
     */
    answerWith?: SelfAskAnswerer;
}

export type SelfAskAnswerer = 'model' | 'retrieval';

export const selfAskAnswerers: readonly SelfAskAnswerer[] = ['model', 'retrieval'];

export const selfAskDefaults = {
    followUp: 'Follow up:', intermediate: 'Intermediate answer:', final: 'So the final answer is:', maxFollowUps: 3, answerWith: 'model',
} as const satisfies Required<SelfAskSettings>;

/** The most follow-ups one run may ask. */
export const maxSelfAskFollowUps = 8;

export interface SelfAskStep {
    question: string;
    answer: string;
    /** Where a follow-up answered by retrieval found its answer: the passage and its cosine score. */
    passage?: { file: string; startLine: number; endLine: number; score: number; chunk: number };
}

export interface SelfAskResult {
    followUps: SelfAskStep[];
    /** The reply holding the final answer (after the final marker when there is one). */
    finalText: string;
    /** Every conversation sent, in order. */
    conversations: ChatMessage[][];
    /** Every reply, in order (the model's turns and the follow-ups' answers). */
    replies: string[];
}

/** What the model is told about the format, after the prompt's last user turn. */
export function selfAskInstruction(settings: Required<SelfAskSettings>): string {
    return `Answer by asking yourself follow-up questions when they help. Ask one at a time, on a line starting "${settings.followUp}", `
        + `and stop there: its answer will be given to you as "${settings.intermediate} …". When you know the answer, write `
        + `"${settings.final}" followed by the answer.`;
}

/** The conversation's first turns: the prompt's, with self-ask's instruction added to its last user turn. */
export function selfAskMessages(prompt: readonly ChatMessage[], settings: Required<SelfAskSettings>): ChatMessage[] {
    return appendToLastUser(prompt, `\n\n${selfAskInstruction(settings)}`);
}

/** What the model is sent when it answers a follow-up itself: the question on its own, as a new one-turn conversation. */
export function followUpMessages(question: string): ChatMessage[] {
    return [{ role: 'user', text: question }];
}

/**
 * Self-ask as a conversation: the model either asks a follow-up (the first line starting with the follow-up marker,
 * in a reply without the final marker) or gives the final answer. Each follow-up is answered by `answerFollowUp` (the
 * model answering the question on its own, or retrieval) and given back as the next user turn. After
 * `maxFollowUps`, the model is asked for the final answer.
 */
export async function runSelfAsk(
    chat: (messages: ChatMessage[]) => Promise<string>,
    answerFollowUp: (question: string) => Promise<string>,
    prompt: readonly ChatMessage[],
    settings: Required<SelfAskSettings>,
    signal?: AbortSignal,
): Promise<SelfAskResult> {
    const conversation = selfAskMessages(prompt, settings);
    const result: SelfAskResult = { followUps: [], finalText: '', conversations: [], replies: [] };
    const turn = async (messages: ChatMessage[]) => {
        // A snapshot: the conversation grows after this turn, and neither the caller nor the record may see that.
        const sent = messages.map(m => ({ ...m }));
        result.conversations.push(sent);
        const reply = await chat(sent.map(m => ({ ...m })));
        result.replies.push(reply);
        return reply;
    };
    let reply = await turn(conversation);
    while (!signal?.aborted) {
        const finalAt = reply.indexOf(settings.final);
        if (finalAt >= 0) {
            result.finalText = reply.slice(finalAt + settings.final.length).trim();
            return result;
        }
        const question = followUpIn(reply, settings.followUp);
        if (question === undefined || result.followUps.length >= settings.maxFollowUps) break;
        const answer = (await answerFollowUp(question)).trim();
        result.replies.push(answer);
        result.followUps.push({ question, answer });
        conversation.push({ role: 'model', text: reply.slice(0, reply.indexOf(settings.followUp)) + `${settings.followUp} ${question}` });
        conversation.push({ role: 'user', text: `${settings.intermediate} ${answer}` });
        reply = await turn(conversation);
    }
    if (signal?.aborted) return { ...result, finalText: reply };
    // No follow-up left to ask (or none asked) and no final answer yet: ask for it.
    conversation.push({ role: 'model', text: reply });
    conversation.push({ role: 'user', text: `${settings.final}` });
    result.finalText = (await turn(conversation)).trim();
    return result;
}

/** The question of the first follow-up line in `reply`, if any. */
export function followUpIn(reply: string, marker: string): string | undefined {
    const at = reply.indexOf(marker);
    if (at < 0) return undefined;
    const question = reply.slice(at + marker.length).split('\n')[0]!.trim();
    return question === '' ? undefined : question;
}
