import type { CompletionRequest, CompletionResult, SamplingOptions } from '../../shared/runtimeApi';
import { SeededRandom } from '../../core/fixtures/SeededRandom';
import { englishWords } from '../../core/fixtures/englishWords';

/** Anything that completes a prompt: the RPC client and the in-process engine both fit, so both are timed by the same code. */
export interface CompletionTarget {
    complete(request: CompletionRequest): Promise<CompletionResult>;
}

/**
 * Prompts for prompt-processing runs, and the KV-cache bookkeeping that keeps them honest: the runtime reuses the
 * KV cache of a shared prefix with the previous request, which would make a repeated prompt look nearly free.
 * Each target gets the same prompts in the same order (so host and in-process do identical work), and each
 * prompt starts with a different token than the one before on that target.
 */
export class PromptPool {
    private readonly lastFirstToken = new Map<CompletionTarget, number>();
    private readonly nextOffset = new Map<CompletionTarget, number>();

    private constructor(private readonly pool: readonly number[], private readonly length: number) {}

    /** Tokenizes seeded English-like text until `length` tokens plus room for shifted prompts are available. */
    static async create(tokenize: (text: string) => Promise<number[]>, length: number, seed: number): Promise<PromptPool> {
        const random = new SeededRandom(seed, 'bench-prompt');
        const words: string[] = [];
        let tokens: number[] = [];
        // Shifting by one token per prompt needs `length + 64` tokens; a word is one or more tokens.
        while (tokens.length < length + 64) {
            for (let i = 0; i < length + 64; i++) words.push(englishWords[random.nextInt(englishWords.length)]!);
            tokens = await tokenize(words.join(' '));
            if (words.length > 64 * (length + 64)) throw new Error('the model\'s tokenizer returned too few tokens for the benchmark prompt');
        }
        return new PromptPool(tokens, length);
    }

    /** The next prompt for `target`: `length` tokens whose first token differs from that of the target's previous prompt. */
    next(target: CompletionTarget): number[] {
        let offset = this.nextOffset.get(target) ?? 0;
        const last = this.lastFirstToken.get(target);
        for (let tries = 0; tries < 64 && this.pool[offset % 64] === last; tries++) offset++;
        const start = offset % 64;
        this.nextOffset.set(target, offset + 1);
        this.lastFirstToken.set(target, this.pool[start]!);
        return this.pool.slice(start, start + this.length);
    }

    /** A token of ordinary text, for a generation run's one-token prompt when the model has no BOS. */
    get anyToken(): number {
        return this.pool[0]!;
    }

    /** For generation runs: the token they start from becomes the target's last first token. */
    used(target: CompletionTarget, firstToken: number): void {
        this.lastFirstToken.set(target, firstToken);
    }
}

/** Greedy, no repeat penalty: llama-bench does no sampling at all, and both runtimes must do identical work. */
export function benchSampling(maxTokens: number, seed: number, eosToken: number | undefined): SamplingOptions {
    return {
        temperature: 0,
        repeatPenalty: 1,
        seed,
        maxTokens,
        // Random fixture weights may pick EOS early; banned, every run generates the full count.
        ...(eosToken !== undefined ? { logitBias: { [eosToken]: 'ban' as const } } : {}),
    };
}

/** Prompt processing in tokens/s, timed around the call as a caller sees it (IPC included for the host). */
export async function measurePromptProcessing(target: CompletionTarget, prompt: number[], seed: number, eosToken: number | undefined): Promise<number> {
    const started = performance.now();
    const result = await target.complete({ prompt, sampling: benchSampling(1, seed, eosToken) });
    const seconds = (performance.now() - started) / 1000;
    const evaluated = prompt.length - (result.timing.reusedPromptTokens ?? 0);
    return evaluated / seconds;
}

/**
 * Generation in tokens/s from a one-token prompt, timed around the call: `n` tokens cost `n` single-token
 * evaluations (the prompt token's, then n − 1 generated ones), which is what llama-bench's `tg n` times.
 */
export async function measureGeneration(target: CompletionTarget, startToken: number, tokens: number, seed: number, eosToken: number | undefined): Promise<{ tokensPerSecond: number; tokens: number[] }> {
    const started = performance.now();
    const result = await target.complete({ prompt: [startToken], sampling: benchSampling(tokens, seed, eosToken) });
    const seconds = (performance.now() - started) / 1000;
    return { tokensPerSecond: result.tokens.length / seconds, tokens: result.tokens };
}

export function median(values: readonly number[]): number {
    if (values.length === 0) throw new RangeError('median of no values');
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median of `numerators[i] / denominators[i]`: for runs paired within a repetition (one right after the other),
 * this cancels the machine's drift between repetitions, which a ratio of two medians would not.
 */
export function medianOfPairedRatios(numerators: readonly number[], denominators: readonly number[]): { value: number; samples: number[] } {
    if (numerators.length !== denominators.length) throw new RangeError('paired ratios need as many numerators as denominators');
    const samples = numerators.map((value, i) => value / denominators[i]!);
    return { value: median(samples), samples };
}
