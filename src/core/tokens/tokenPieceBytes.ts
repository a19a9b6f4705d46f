import { byteLevelByte } from './byteLevelAlphabet';

/**
 * How a vocabulary spells the normal tokens' text: `sentencepiece` writes a space as `▁` (U+2581) and keeps the rest as
 * UTF-8 (SPM, and BPE vocabularies with escaped whitespace such as Gemma's); `byte-level` writes every byte as one
 * character of GPT-2's alphabet (`Ġ` is a space), so one piece may hold part of a character.
 */
export type PieceSpelling = 'sentencepiece' | 'byte-level';

/**
 * A token's kind as llama.cpp's token_to_piece reads its attributes: `verbatim` (control, unknown and user-defined
 * tokens: their text as it is), `normal`, `byte` (`<0xNN>`: that one byte) or `silent` (anything else: no bytes).
 */
export type PieceKind = 'verbatim' | 'normal' | 'byte' | 'silent';

const utf8 = new TextEncoder();
const spmSpace = /\u2581/g;

/**
 * The bytes a token stands for, computed as llama.cpp's `token_to_piece` does with special tokens shown (v0.5.0,
 * src/llama-vocab.cpp), from the vocabulary's piece: these are exact where a string from llama.cpp is not (a lone byte
 * token or half a character decodes to U+FFFD there). No leading space is stripped: that is detokenize's business for
 * the first token of a text, not the token's.
 */
export function tokenPieceBytes(raw: string, kind: PieceKind, spelling: PieceSpelling): Uint8Array {
    switch (kind) {
        case 'verbatim': return utf8.encode(raw);
        case 'silent': return new Uint8Array(0);
        case 'byte': return Uint8Array.of(byteTokenValue(raw));
        case 'normal': return spelling === 'sentencepiece' ? utf8.encode(raw.replace(spmSpace, ' ')) : byteLevelBytes(raw);
    }
}

/** `<0xE6>` → 0xE6; llama.cpp reads the two characters after `<0x` with strtol, so anything else gives what strtol gives. */
function byteTokenValue(raw: string): number {
    const match = /^[0-9A-Fa-f]{1,2}/.exec(raw.slice(3, 5));
    return match ? Number.parseInt(match[0], 16) : 0;
}

/** llama_decode_text: each character back to its byte; one outside the alphabet is written as llama.cpp writes it. */
function byteLevelBytes(raw: string): Uint8Array {
    const bytes: number[] = [];
    for (const character of raw) {
        const byte = byteLevelByte(character.codePointAt(0)!);
        if (byte !== undefined) {
            bytes.push(byte);
            continue;
        }
        const hex = [...utf8.encode(character)].map(b => b.toString(16).padStart(2, '0')).join('');
        bytes.push(...utf8.encode(`[UNK_BYTE_0x${hex}${raw}]`));
    }
    return Uint8Array.from(bytes);
}
