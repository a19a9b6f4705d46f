export interface CompletionWindowOptions {
    /** Most characters of text before the cursor sent to the model. Defaults to `4000`. */
    maxPrefixChars?: number;
    /**
     * The prefix start moves forward in steps of this many characters, so that it stays put while the user types
     * and the runtime can reuse the evaluated prefix. Defaults to a quarter of `maxPrefixChars`.
     */
    prefixStep?: number;
    /** Most characters of text after the cursor sent as the infill suffix. Defaults to `400`. */
    maxSuffixChars?: number;
}

export interface CompletionWindow {
    /** Text from the window start (a line start in the body) to the cursor. */
    prefix: string;
    /** Text from the cursor to the end of a line at most `maxSuffixChars` further. */
    suffix: string;
    /** Offset of the prefix in the whole text. */
    prefixStart: number;
    /** The rest of the cursor's line after the cursor. */
    restOfLine: string;
}

/**
 * The text around the cursor that an inline completion sends: the body before the cursor (from a line start that
 * moves only every `prefixStep` characters) and a little of what follows. `bodyStart` is the offset where the
 * template body starts (after the front matter); the cursor must not be before it.
 */
export function selectCompletionWindow(text: string, bodyStart: number, cursor: number, options: CompletionWindowOptions = {}): CompletionWindow {
    const maxPrefix = Math.max(1, options.maxPrefixChars ?? 4000);
    const step = Math.max(1, options.prefixStep ?? Math.ceil(maxPrefix / 4));
    const maxSuffix = Math.max(0, options.maxSuffixChars ?? 400);
    const end = Math.min(Math.max(cursor, bodyStart), text.length);

    let prefixStart = bodyStart;
    if (end - bodyStart > maxPrefix) {
        // Round the earliest allowed start up to a multiple of `step` (counted from the body), then up to a line start:
        // the start depends on the cursor only through that rounding, so typing leaves it where it was.
        const earliest = end - maxPrefix;
        const stepped = bodyStart + Math.ceil((earliest - bodyStart) / step) * step;
        const lineStart = nextLineStart(text, stepped);
        // A single line longer than the window: start inside it rather than send nothing.
        prefixStart = lineStart < end ? lineStart : stepped;
    }

    const lineEnd = lineEndFrom(text, end);
    let suffixEnd = lineEnd;
    while (suffixEnd < text.length) {
        const next = lineEndFrom(text, suffixEnd + 1);
        if (next - end > maxSuffix) break;
        suffixEnd = next;
    }
    if (suffixEnd - end > maxSuffix) suffixEnd = end + maxSuffix;
    return {
        prefix: text.slice(prefixStart, end),
        suffix: text.slice(end, suffixEnd),
        prefixStart,
        restOfLine: text.slice(end, lineEnd).replace(/\r$/, ''),
    };
}

/** The first line start at or after `from`; past the text's end when there is none. */
function nextLineStart(text: string, from: number): number {
    if (from === 0 || text[from - 1] === '\n') return from;
    const lineBreak = text.indexOf('\n', from);
    return lineBreak === -1 ? text.length + 1 : lineBreak + 1;
}

/** Offset of the `\n` ending the line that contains `from`, or the text length. */
function lineEndFrom(text: string, from: number): number {
    const lineBreak = text.indexOf('\n', from);
    return lineBreak === -1 ? text.length : lineBreak;
}
