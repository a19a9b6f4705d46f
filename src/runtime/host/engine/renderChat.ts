import type { ChatHistoryItem, ChatWrapper, LlamaModel, LlamaText, Token, Tokenizer } from 'node-llama-cpp';
import type { ChatMessage } from '../../../shared/runtimeApi';

export interface RenderedChat {
    tokens: Token[];
    /** Per token: whether the template wrote it (markers, role names, BOS) rather than a message's text. */
    fromTemplate: boolean[];
    /** The template's output before tokenization: message text, the template's own text and special tokens. */
    contextText: LlamaText;
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
    const { tokens, fromTemplate } = tokenizeByOrigin(contextText, model.tokenizer);
    return { tokens, fromTemplate, contextText, stopTokens, stopTexts };
}

/**
 * `text.tokenize(tokenizer)`, with each token's origin: node-llama-cpp tokenizes message text with special tokens
 * off (so a message cannot forge `<|im_start|>`) and the template's own text with them on, one call per part, so
 * the calls tell which part each token came from.
 */
function tokenizeByOrigin(text: LlamaText, tokenizer: Tokenizer): { tokens: Token[]; fromTemplate: boolean[] } {
    const fromTemplate: boolean[] = [];
    const recording = ((input: string, specialTokens?: boolean | 'builtin', options?: 'trimLeadingSpace') => {
        const tokens = (tokenizer as (input: string, specialTokens?: boolean | 'builtin', options?: 'trimLeadingSpace') => Token[])(input, specialTokens, options);
        for (let i = 0; i < tokens.length; i++) fromTemplate.push(specialTokens !== false && specialTokens !== undefined);
        return tokens;
    }) as Tokenizer;
    Object.assign(recording, { detokenize: tokenizer.detokenize, isSpecialToken: tokenizer.isSpecialToken, isEogToken: tokenizer.isEogToken });
    const tokens = text.tokenize(recording);
    if (tokens.length !== fromTemplate.length) throw new Error(`renderChat: ${tokens.length} tokens but ${fromTemplate.length} origins (node-llama-cpp's LlamaText.tokenize changed?)`);
    return { tokens, fromTemplate };
}

function isOnlySpecial(text: LlamaText): boolean {
    return text.values.every(value => typeof value !== 'string');
}
