import type { LlamaModel, LlamaText } from 'node-llama-cpp';

/**
 * A chat template's output as text: message text and the template's own text as they are, each special token
 * (BOS, EOS) as the text the model prints for it. What a user reads as "the prompt the model receives".
 */
export function templatedText(text: LlamaText, model: LlamaModel): string {
    return text.values.map(value => {
        if (typeof value === 'string') return value;
        const json = value.toJSON();
        if (json.type === 'specialTokensText') return json.value;
        return model.detokenize(value.tokenize(model.tokenizer), true);
    }).join('');
}
