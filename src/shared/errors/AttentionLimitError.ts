/** A prompt longer than attention maps are made for (see `maxAttentionTokens` in src/shared/limits.ts). */
export class AttentionLimitError extends RangeError {
    /** The most tokens an attention map is made for. */
    readonly limit: number;
    /** The prompt's tokens (with any generated tokens evaluated after it). */
    readonly tokens: number;

    constructor(limit: number, tokens: number) {
        super(`Attention maps are limited to ${limit} tokens; this prompt has ${tokens}: shorten it.`);
        this.name = 'AttentionLimitError';
        this.limit = limit;
        this.tokens = tokens;
    }
}
