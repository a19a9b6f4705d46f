/**
 * How a token is shown: the text it stands for, exactly, whatever the tokenizer (SentencePiece `▁`, byte-level BPE
 * `Ġ`/`Ċ`, byte tokens `<0xE6>`). src/core/tokens/tokenTexts makes these from each token's bytes.
 */

/** Part of one character whose UTF-8 bytes are split over several tokens (e.g. 正 = E6 AD A3 over three byte tokens). */
export interface CharacterPiece {
    /** The whole character the bytes belong to. */
    character: string;
    /** The first and last of its bytes this token holds, counted from 1. */
    from: number;
    to: number;
    /** How many bytes the character has (2 to 4). */
    of: number;
}

export interface TokenText {
    /**
     * What the token shows. Joining the texts of a sequence's tokens gives the text those tokens decode to: a character
     * split over tokens is shown once, on the token that holds its last byte (its earlier tokens show '' or only their
     * other characters), and bytes that never make UTF-8 are shown as `\xNN` escapes, never as U+FFFD.
     */
    text: string;
    /** The vocabulary's own piece, as the tokenizer spells it: `Ġthe`, `▁the`, `<0xE6>`, `<|im_end|>`. */
    raw: string;
    /** The split characters this token holds bytes of (at most two: one it ends, one it starts), in order. */
    pieces?: CharacterPiece[];
    /** The token's text begins inside a user-perceived character the previous token began (a combining mark, ZWJ, skin tone). */
    joinsPrevious?: true;
    /** Some of the token's bytes are not UTF-8 in the sequence they stand in: its text writes each of them as `\xNN`. */
    undecodable?: true;
}
