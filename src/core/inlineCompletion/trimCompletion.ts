export interface TrimContext {
    /** Text before the cursor (the end of it is enough). */
    prefix: string;
    /** Text after the cursor on the same line. */
    restOfLine: string;
    /** `line`: cut at the first line break; `paragraph`: at the first blank line. Defaults to `"line"`. */
    stopAt?: 'line' | 'paragraph' | 'none';
}

/**
 * The part of a model's completion worth showing as ghost text, or `''` for none: cut where the completion should
 * stop, without trailing blanks, without a second space after a prefix that ends in one (SentencePiece models
 * like to start with `▁word`), and without re-typing what already follows the cursor on the line.
 */
export function trimCompletion(raw: string, context: TrimContext): string {
    let text = raw;
    const stopAt = context.stopAt ?? 'line';
    if (stopAt === 'line') {
        const lineBreak = text.search(/\r?\n/);
        if (lineBreak !== -1) text = text.slice(0, lineBreak);
    } else if (stopAt === 'paragraph') {
        const blank = text.search(/\r?\n[ \t]*\r?\n/);
        if (blank !== -1) text = text.slice(0, blank);
    }
    if (/[ \t]$/.test(context.prefix) || context.prefix === '' || /\n$/.test(context.prefix)) text = text.replace(/^[ \t]+/, '');
    text = text.replace(/\s+$/, '');

    // Infill models often finish by writing the text that follows the cursor; it is there already.
    const rest = context.restOfLine.trim();
    if (rest !== '') {
        const at = text.lastIndexOf(rest);
        if (at !== -1 && at + rest.length === text.length) text = text.slice(0, at).replace(/\s+$/, '');
    }
    return text.trim() === '' ? '' : text;
}
