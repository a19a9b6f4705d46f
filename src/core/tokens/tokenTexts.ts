import type { TokenText } from '../../shared/tokenText';
import { utf8SequenceAt } from './utf8Sequence';

/** A token as the tokenizer defines it: the exact bytes it stands for, and the vocabulary piece that spells them. */
export interface TokenBytes {
    bytes: Uint8Array;
    raw: string;
}

/**
 * How much of the text before a candidate token {@link textAfter} decodes with it: enough for a character the candidate
 * would finish (at most 3 bytes before it) and for the user-perceived character it would join (an emoji ZWJ sequence).
 */
const contextBytes = 32;

let graphemes: Intl.Segmenter | undefined;

/**
 * Each token of a sequence as it is shown (see {@link TokenText}): the tokens' bytes are decoded as one UTF-8 text, each
 * character is shown on the token that holds its last byte (that is where the text is known: a streaming decoder
 * prints it there), a character split over tokens is marked on every token that holds part of it, and a byte that
 * is not part of well-formed UTF-8 (a character cut off by another token, or by the end) is written as `\xNN` on its
 * own token. So joining the texts gives exactly the decoded text, with escapes where a decoder would put U+FFFD.
 */
export function tokenTexts(tokens: readonly TokenBytes[]): TokenText[] {
    const shown: TokenText[] = tokens.map(token => ({ text: '', raw: token.raw }));
    const bytes: number[] = [];
    const owner: number[] = [];
    tokens.forEach((token, i) => {
        for (const byte of token.bytes) {
            bytes.push(byte);
            owner.push(i);
        }
    });
    for (let at = 0; at < bytes.length;) {
        const sequence = utf8SequenceAt(bytes, at);
        if (sequence === undefined) {
            const token = shown[owner[at]!]!;
            token.text += `\\x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
            token.undecodable = true;
            at++;
            continue;
        }
        const character = String.fromCodePoint(sequence.codePoint);
        shown[owner[at + sequence.length - 1]!]!.text += character;
        if (owner[at] !== owner[at + sequence.length - 1]) markPieces(shown, owner, at, sequence.length, character);
        at += sequence.length;
    }
    markGraphemeJoins(shown);
    return shown;
}

/**
 * A candidate for the token after `before` (an alternative at that position) as it would be shown there: a byte token
 * that finishes the character the tokens before began shows that character, one that starts a character shows its
 * byte escaped (nothing follows it yet), and a combining mark is marked as joining the text before.
 */
export function textAfter(before: readonly TokenBytes[], candidate: TokenBytes): TokenText {
    let start = before.length;
    for (let bytes = 0; start > 0 && bytes < contextBytes; start--) bytes += before[start - 1]!.bytes.length;
    return tokenTexts([...before.slice(start), candidate]).at(-1)!;
}

/** Records, on each token holding bytes of `character` (at `at`, `length` bytes), which of them it holds. */
function markPieces(shown: TokenText[], owner: readonly number[], at: number, length: number, character: string): void {
    for (let from = 0; from < length;) {
        const token = owner[at + from]!;
        let to = from;
        while (to + 1 < length && owner[at + to + 1] === token) to++;
        (shown[token]!.pieces ??= []).push({ character, from: from + 1, to: to + 1, of: length });
        from = to + 1;
    }
}

/** Marks tokens whose text starts inside a grapheme cluster (Unicode's user-perceived character) begun before them. */
function markGraphemeJoins(shown: TokenText[]): void {
    if (shown.length < 2 || typeof Intl.Segmenter !== 'function') return;
    graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const boundaries = new Set<number>();
    for (const segment of graphemes.segment(shown.map(token => token.text).join(''))) boundaries.add(segment.index);
    let offset = 0;
    for (const token of shown) {
        if (token.text !== '' && offset > 0 && !boundaries.has(offset)) token.joinsPrevious = true;
        offset += token.text.length;
    }
}
