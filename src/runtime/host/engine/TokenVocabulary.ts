import type { LlamaModel, Token, TokenAttributes } from 'node-llama-cpp';
import { tokenPieceBytes, type PieceKind, type PieceSpelling } from '../../../core/tokens/tokenPieceBytes';
import { textAfter, tokenTexts, type TokenBytes } from '../../../core/tokens/tokenTexts';
import type { TokenText } from '../../../shared/tokenText';

const utf8 = new TextEncoder();
const lenient = new TextDecoder();

/**
 * Each token's exact bytes and vocabulary piece, for showing tokens (src/core/tokens/tokenTexts). node-llama-cpp only
 * hands out token text as JavaScript strings, where a byte token or half a character has become U+FFFD, so the bytes
 * are computed from the GGUF's piece (`tokenizer.ggml.tokens`) the way llama.cpp's token_to_piece does, and checked
 * against llama.cpp's own text of the token: the spelling that agrees is taken (byte-level BPE vocabularies spell
 * spaces `Ġ`, Gemma-style BPE ones `▁`, which the vocabulary type alone does not say). A token no spelling explains
 * (RWKV, an unknown kind) is taken as llama.cpp's text, U+FFFD and all.
 */
export class TokenVocabulary {
    private readonly known = new Map<number, TokenBytes>();
    private readonly pieces: readonly string[] | undefined;
    private readonly spellings: readonly PieceSpelling[];

    constructor(private readonly model: LlamaModel) {
        const pieces = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
        this.pieces = Array.isArray(pieces) ? pieces as string[] : undefined;
        switch (model.vocabularyType) {
            case 'spm': case 'ugm': case 'wpm': this.spellings = ['sentencepiece']; break;
            case 'bpe': this.spellings = ['byte-level', 'sentencepiece']; break;
            default: this.spellings = [];
        }
    }

    /** A token's bytes and piece (memoized: a probabilities pass asks for the same alternatives again and again). */
    bytes(id: number): TokenBytes {
        let entry = this.known.get(id);
        if (entry === undefined) {
            entry = this.read(id);
            this.known.set(id, entry);
        }
        return entry;
    }

    /** A sequence's tokens as shown (joined, their texts are the sequence's text). */
    texts(ids: readonly number[]): TokenText[] {
        return tokenTexts(ids.map(id => this.bytes(id)));
    }

    /** Token `id` as it would be shown at `index` of `sequence` (the tokens' bytes), after the tokens before it. */
    textAfter(sequence: readonly TokenBytes[], index: number, id: number): TokenText {
        // textAfter reads 32 bytes back at most, and every token but a silent one has a byte.
        return textAfter(sequence.slice(Math.max(0, index - 32), index), this.bytes(id));
    }

    private read(id: number): TokenBytes {
        // With special tokens shown, as the views show control tokens (`<s>`, `<|im_end|>`).
        const llamaText = this.model.detokenize([id as Token], true);
        const raw = this.pieces?.[id];
        if (typeof raw === 'string') {
            const kind = pieceKind(this.model.getTokenAttributes(id as Token));
            for (const spelling of this.spellings) {
                const bytes = tokenPieceBytes(raw, kind, spelling);
                if (sameText(lenient.decode(bytes), llamaText)) return { bytes, raw };
            }
        }
        return { bytes: utf8.encode(llamaText), raw: typeof raw === 'string' ? raw : llamaText };
    }
}

/** The order llama.cpp's token_to_piece tests a token's attributes in. */
function pieceKind(attributes: TokenAttributes): PieceKind {
    if (attributes.unknown || attributes.control || attributes.userDefined) return 'verbatim';
    if (attributes.normal) return 'normal';
    if (attributes.byte) return 'byte';
    return 'silent';
}

/**
 * Whether bytes decoded leniently (as node-llama-cpp decodes llama.cpp's) match llama.cpp's text of the lone token, up
 * to spaces: detokenize strips an SPM text's leading space and, for some BPE vocabularies, cleans up spaces before
 * punctuation; a wrong spelling differs in more than spaces (`Ġ` for a space, `[UNK_BYTE_…]`).
 */
function sameText(decoded: string, llamaText: string): boolean {
    return decoded === llamaText || decoded.replace(/ /g, '') === llamaText.replace(/ /g, '');
}
