import { chatTemplateSummary } from '../core/model/chatTemplateText';
import { escapeControlCharacters } from '../core/text/escapeControlCharacters';
import type { RenderChatResult } from '../shared/runtimeApi';

/** Marks around a special token when colour is off: characters a chat template is unlikely to write itself. */
export const specialOpen = '⟦';
export const specialClose = '⟧';

export interface FormatRenderedChatOptions {
    /** The model's name, for the heading. */
    model: string;
    /** Colour special tokens (a terminal) instead of bracketing them, and escape control characters. Defaults to `false`. */
    colour?: boolean;
}

/**
 * `render --model`'s text output: the prompt as the model reads it (its tokens' texts, special tokens marked), the
 * token table and the ids; a note when the tokens decode to other text than the template wrote (SentencePiece's
 * space after a special token, for one), since that difference is what the model actually sees.
 */
export function formatRenderedChat(result: RenderChatResult, options: FormatRenderedChatOptions): string {
    const colour = options.colour ?? false;
    const mark = (text: string) => colour ? `\x1b[1;36m${text}\x1b[0m` : `${specialOpen}${text}${specialClose}`;
    const visible = (text: string) => colour ? escapeControlCharacters(text, { keepLayout: true }) : text;
    const lines = [
        `Model: ${options.model}`,
        `Template: ${chatTemplateSummary(result.template)}`,
        '',
        `What the model receives (${result.tokens.length} tokens; special tokens ${colour ? 'in colour' : `marked ${specialOpen}like this${specialClose}`}):`,
        result.tokens.map(token => token.special ? mark(visible(token.text)) : visible(token.text)).join(''),
        '',
    ];
    const decoded = result.tokens.map(token => token.text).join('');
    if (decoded !== result.text) lines.push(differenceNote(result.text, decoded), '');

    const rows = result.tokens.map((token, index) => [
        String(index), String(token.id), JSON.stringify(token.text), JSON.stringify(token.raw),
        [token.special ? 'special' : '', token.fromTemplate ? 'template' : 'message'].filter(Boolean).join(', '),
    ]);
    const header = ['#', 'id', 'text', 'piece', 'from'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i]!)).join('  ').trimEnd();
    lines.push(line(header), ...rows.map(line), '', `Token ids: ${JSON.stringify(result.tokens.map(token => token.id))}`);
    return lines.join('\n') + '\n';
}

/** Where the template's text and its tokens' text part, with a little context on either side. */
function differenceNote(template: string, decoded: string): string {
    let at = 0;
    while (at < template.length && template[at] === decoded[at]) at++;
    const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 12), at + 12));
    return `Note: the tokens do not spell the template's text exactly; the tokenizer changed it, and the tokens are what the model `
        + `reads. First difference at character ${at}: the template wrote ${around(template)}, the tokens read ${around(decoded)}.`;
}
