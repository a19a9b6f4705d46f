import type { ChatHistoryItem, ChatWrapper, LlamaModel, LlamaText, Token } from 'node-llama-cpp';
import type { ChatMessage } from '../../../shared/runtimeApi';

export interface RenderedChat {
    tokens: Token[];
    /** Single tokens that end the model's turn (e.g. ChatML's `<|im_end|>` when it is not an EOG token). */
    stopTokens: Set<Token>;
    /** Textual end-of-turn markers, handled like user stop sequences. */
    stopTexts: string[];
}

/**
 * Renders messages through the model's chat wrapper (its chat template) into prompt tokens, ready for the model
 * to write the next `model` turn. A trailing `model` message is a prefill: the model continues it.
 */
export function renderChat(model: LlamaModel, wrapper: ChatWrapper, messages: readonly ChatMessage[]): RenderedChat {
    const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
        switch (message.role) {
            case 'system': return { type: 'system', text: message.text };
            case 'user': return { type: 'user', text: message.text };
            case 'model': return { type: 'model', response: [message.text] };
        }
    });
    if (history.length === 0 || history[history.length - 1]!.type !== 'model') history.push({ type: 'model', response: [] });

    const { contextText, stopGenerationTriggers } = wrapper.generateContextState({ chatHistory: history });
    const stopTokens = new Set<Token>();
    const stopTexts: string[] = [];
    for (const trigger of stopGenerationTriggers) {
        const tokens = trigger.tokenize(model.tokenizer);
        if (tokens.length === 1 && isOnlySpecial(trigger)) stopTokens.add(tokens[0]!);
        else {
            const text = trigger.values.filter((v): v is string => typeof v === 'string').join('');
            if (text !== '') stopTexts.push(text);
            else if (tokens.length === 1) stopTokens.add(tokens[0]!);
        }
    }
    return { tokens: contextText.tokenize(model.tokenizer), stopTokens, stopTexts };
}

function isOnlySpecial(text: LlamaText): boolean {
    return text.values.every(value => typeof value !== 'string');
}
