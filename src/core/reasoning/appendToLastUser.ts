import type { ChatMessage } from '../prompt/chatMessages';

/**
 * A copy of `messages` with `text` appended to the last turn when it is the user's, else as a new user turn: how a
 * strategy adds its instruction (program-aided, self-ask, tree-of-thought) without touching the prompt's own turns.
 */
export function appendToLastUser(messages: readonly ChatMessage[], text: string): ChatMessage[] {
    const copy = messages.map(m => ({ ...m }));
    const last = copy.at(-1);
    if (last?.role === 'user') last.text = `${last.text.trimEnd()}${text}`;
    else copy.push({ role: 'user', text: text.trimStart() });
    return copy;
}
