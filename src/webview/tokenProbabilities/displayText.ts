import { piecesMark } from '../../core/tokens/pieceSummary';
import type { TokenText } from '../../shared/tokenText';

/**
 * A token's text made visible in a token chip: control characters that would vanish or break the layout become
 * symbols. The result is still model text: render it with textContent only.
 */
export function visibleText(text: string): string {
    if (text === '') return '∅';
    return text.replace(/[\n\r\t\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, c => {
        switch (c) {
            case '\n': return '↵';
            case '\r': return '␍';
            case '\t': return '⇥';
            default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
        }
    });
}

/** Whether a line break follows the token's chip, so the token view keeps the text's lines. */
export function endsLine(text: string): boolean {
    return text.endsWith('\n');
}

/** A token in a list of alternatives: quoted, so leading spaces show. */
export function quotedToken(text: string): string {
    return `“${visibleText(text).replace(/ /g, '·')}”`;
}

/**
 * A token's text where it stands alone (a details heading, a list): a piece of a split character has no text of its own
 * in the sequence, so its vocabulary piece (`<0xE6>`) says what it is.
 */
export function standaloneText(token: TokenText): string {
    return token.text === '' && token.pieces !== undefined ? token.raw : token.text;
}

/** A token named in a sentence (a readout): quoted as it stands alone, then the split characters it holds (`“面”⟨面 3/3⟩`). */
export function quotedLabel(token: TokenText): string {
    return quotedToken(standaloneText(token)) + piecesMark(token);
}
