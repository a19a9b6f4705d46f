import type { Message } from 'dotprompt';
import type { ChatMessage, ChatRole } from '../../shared/runtimeApi';
import { UnsupportedContentError } from './errors/UnsupportedContentError';

/** A rendered message is what the runtime's chat template takes. */
export type { ChatMessage, ChatRole };

const roles: ReadonlySet<string> = new Set<ChatRole>(['system', 'user', 'model']);

/**
 * Flattens Dotprompt's rendered messages (roles with parts) into text turns for the model's chat template.
 * Section markers (`{{section}}`) carry no text and are left out; anything a local text model cannot take
 * (media, tool calls, data parts, the `tool` role) is an error rather than silently dropped content.
 */
export function toChatMessages(messages: readonly Message[], path?: string): ChatMessage[] {
    return messages.map((message, index) => {
        const where = `message ${index + 1} (${message.role})`;
        if (!roles.has(message.role)) {
            throw new UnsupportedContentError(`${where}: the role \`${message.role}\` cannot go through a chat template; use system, user or model.`, { path });
        }
        let text = '';
        for (const part of message.content) {
            if (typeof part.text === 'string') text += part.text;
            else if (part.media !== undefined) throw new UnsupportedContentError(`${where} holds media (${part.media.url}); local text models take text only.`, { path });
            else if (part.toolRequest !== undefined || part.toolResponse !== undefined) throw new UnsupportedContentError(`${where} holds a tool call; Promptscope runs prompts without tools.`, { path });
            else if (part.data !== undefined) throw new UnsupportedContentError(`${where} holds a data part; render it as text, e.g. with {{json value}}.`, { path });
            // What remains are pending section markers: placeholders without content.
        }
        return { role: message.role as ChatRole, text };
    });
}
