import { pieceBytesHex } from '../../core/tokens/pieceSummary';
import type { TokenText } from '../../shared/tokenText';
import { visibleText } from '../tokenProbabilities/displayText';

/**
 * A token chip's text: the token's text with invisible characters made visible, or nothing for a piece of a split
 * character that has no text of its own (its bytes are drawn by CSS from `data-bytes`, outside the text, so the chips'
 * text still spells the decoded text).
 */
export function chipText(token: TokenText): string {
    return token.text === '' && token.pieces !== undefined ? '' : visibleText(token.text);
}

/**
 * Marks a chip for how its token is shown (styles in media/webview/*.css): `char-piece` (holds bytes of a character
 * split over tokens; consecutive pieces are drawn joined), `joins-previous` (a combining mark, ZWJ or skin tone drawn on
 * a dotted circle) and `undecodable` (bytes shown as `\xNN`).
 */
export function markTokenChip(chip: HTMLElement, token: TokenText): void {
    chip.classList.toggle('char-piece', token.pieces !== undefined);
    if (token.pieces !== undefined) chip.dataset.bytes = pieceBytesHex(token.pieces);
    else delete chip.dataset.bytes;
    chip.classList.toggle('joins-previous', token.joinsPrevious === true);
    chip.classList.toggle('undecodable', token.undecodable === true);
}
