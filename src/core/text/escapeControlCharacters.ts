export interface EscapeControlOptions {
    /** Keep line breaks (`\n`) and tabs as they are, for text shown as running text rather than in a table cell. Defaults to `false`. */
    keepLayout?: boolean;
}

/** C0 controls, DEL and C1 controls (Unicode category Cc): what a terminal may act on instead of showing. */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' };

/**
 * Model text made safe to print to a terminal: every control character written as an escape (`\n`, `\t`, `\r`,
 * `\u001b`, …), so generated text cannot move the cursor, recolour, retitle or clear the terminal it is shown in.
 * Everything else, printable Unicode included, stays as is.
 */
export function escapeControlCharacters(text: string, options: EscapeControlOptions = {}): string {
    return text.replace(controlCharacters, c => {
        if (options.keepLayout === true && (c === '\n' || c === '\t')) return c;
        return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
}
