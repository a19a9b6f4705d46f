import type { CharacterPiece, TokenText } from '../../shared/tokenText';

const utf8 = new TextEncoder();

/** A mark that would combine with whatever precedes it is written on a dotted circle, as Unicode's charts show marks. */
const combiningMark = /^\p{M}/u;

/** `正 1/3`, `面 2-3/3`, `◌́ 2/2`: which bytes of which split characters a token holds, for a table cell or a tooltip. */
export function pieceSummary(pieces: readonly CharacterPiece[]): string {
    return pieces.map(p => {
        const character = combiningMark.test(p.character) ? `\u25CC${p.character}` : p.character;
        return `${character} ${p.from === p.to ? p.from : `${p.from}-${p.to}`}/${p.of}`;
    }).join(', ');
}

/**
 * A token's tooltip: its vocabulary piece, and what is special about how it is shown (the bytes of a split character
 * it holds, a mark that joins the character before, bytes that are not UTF-8).
 */
export function tokenTooltip(token: TokenText): string {
    const lines = [`token ${JSON.stringify(token.raw)}`];
    if (token.pieces !== undefined) lines.push(`bytes of a character split over tokens: ${pieceSummary(token.pieces)}`);
    if (token.joinsPrevious === true) lines.push('joins the character before it');
    if (token.undecodable === true) lines.push('holds bytes that are not UTF-8 here (shown as \\xNN)');
    return lines.join('\n');
}

/** After a token's text in a one-line view (the CLI's tables): `⟨正 1/3⟩` when it holds bytes of a split character, else ''. */
export function piecesMark(token: TokenText): string {
    return token.pieces === undefined ? '' : `⟨${pieceSummary(token.pieces)}⟩`;
}

/** The bytes of split characters a token holds, in hex (`E6 AD`): what a piece with no text of its own is drawn with. */
export function pieceBytesHex(pieces: readonly CharacterPiece[]): string {
    return pieces.flatMap(p => [...utf8.encode(p.character)].slice(p.from - 1, p.to))
        .map(byte => byte.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** A token in a list or on an axis, where it stands alone: its text, and the split characters it holds a part of. */
export function tokenLabel(token: TokenText): string {
    return token.text + piecesMark(token);
}
