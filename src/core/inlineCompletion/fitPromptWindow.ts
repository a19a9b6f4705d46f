export interface PromptWindowInput {
    prefixTokens: number;
    suffixTokens: number;
    /** Tokens the prefix and suffix may use together. */
    budget: number;
    /**
     * Prefix tokens are dropped from the start in multiples of this, so that the first kept token stays the same
     * while the prefix grows and the evaluated prefix can be reused. Defaults to `64`.
     */
    quantum?: number;
    /** Largest share of the budget the suffix may take. Defaults to `0.25`. */
    maxSuffixShare?: number;
}

export interface PromptWindow {
    /** Index of the first prefix token to keep. */
    prefixStart: number;
    /** Number of suffix tokens to keep (from its start). */
    suffixCount: number;
}

/**
 * Which prefix and suffix tokens of an inline completion fit the context. Normally all of them: the editor already
 * sends a bounded window. When they do not fit, the suffix is cut first (the prefix matters more), then the
 * prefix loses whole quanta at its start.
 */
export function fitPromptWindow(input: PromptWindowInput): PromptWindow {
    const budget = Math.max(0, Math.floor(input.budget));
    const quantum = Math.max(1, Math.floor(input.quantum ?? 64));
    const suffixCount = Math.min(input.suffixTokens, Math.floor(budget * (input.maxSuffixShare ?? 0.25)), Math.max(0, budget - input.prefixTokens));
    const prefixRoom = budget - suffixCount;
    if (input.prefixTokens <= prefixRoom) return { prefixStart: 0, suffixCount };
    const prefixStart = Math.min(input.prefixTokens, Math.ceil((input.prefixTokens - prefixRoom) / quantum) * quantum);
    return { prefixStart, suffixCount };
}
