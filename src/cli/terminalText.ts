import { escapeControlCharacters } from '../core/text/escapeControlCharacters';

/**
 * Model text as `run` and `eval` print it on stdout: on a terminal its control characters are escaped (a model can
 * generate `\x1b[2J` as easily as a word), line breaks and tabs kept; raw when `raw` is asked for (`--raw`) or when
 * stdout is not a terminal, so a pipe or a file gets the exact text.
 */
export function terminalText(text: string, raw: boolean, isTerminal: boolean = process.stdout.isTTY === true): string {
    return raw || !isTerminal ? text : escapeControlCharacters(text, { keepLayout: true });
}
