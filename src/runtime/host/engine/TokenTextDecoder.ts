import type { LlamaModel, Token } from 'node-llama-cpp';

/** How many tokens one character may span (UTF-8 is at most 4 bytes; byte-fallback tokens carry one each). */
const maxTokensPerCharacter = 4;
const replacementCharacter = '\uFFFD';

/**
 * Turns generated tokens into text as they arrive. Two things make that more than `detokenize([token])`:
 * a multi-byte character split over byte-fallback tokens decodes to U+FFFD until its last byte arrives (so
 * those tokens are held back), and SentencePiece strips a leading space from a lone token (so the previous
 * tokens are given as context, as node-llama-cpp's `detokenize(tokens, special, lastTokens)` allows).
 */
export class TokenTextDecoder {
    private readonly pending: Token[] = [];
    private emitted: Token[];

    constructor(private readonly model: LlamaModel, context: readonly Token[] = []) {
        this.emitted = context.slice(-maxTokensPerCharacter);
    }

    /** Adds a token; returns the text that is now complete (often the token's own piece, sometimes ''). */
    push(token: Token): string {
        this.pending.push(token);
        const text = this.model.detokenize(this.pending, false, this.emitted);
        if (text.endsWith(replacementCharacter) && this.pending.length < maxTokensPerCharacter) return '';
        this.emitted = this.emitted.concat(this.pending).slice(-maxTokensPerCharacter);
        this.pending.length = 0;
        return text;
    }

    /** Whatever is still held back at the end of generation (an incomplete character decodes as U+FFFD). */
    flush(): string {
        if (this.pending.length === 0) return '';
        const text = this.model.detokenize(this.pending, false, this.emitted);
        this.pending.length = 0;
        return text;
    }
}
