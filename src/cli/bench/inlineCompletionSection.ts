import { englishWords } from '../../core/fixtures/englishWords';
import { SeededRandom } from '../../core/fixtures/SeededRandom';
import type { InlineCompletionRequest, InlineCompletionResult } from '../../shared/runtimeApi';
import { SuggestionMemory, type SuggestionPlace } from '../../core/inlineCompletion/SuggestionMemory';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median } from './measureThroughput';

/** Issue goal: a completion after one more typed character takes at most this share of a cold one. */
export const inlineWarmRatioGoal = 0.3;

/** Issue goal: the rest of a shown suggestion, after typing one of its characters, within this many milliseconds. */
export const typedThroughGoalMs = 5;

/** The editor's default (promptscope.inlineCompletion.maxTokens). */
const completionTokens = 32;

/**
 * Inline completion latency through the runtime host, as the editor sees it: a completion of a text whose prefix the
 * inline sequence evaluated on the previous keystroke, against a cold completion of the same text (the sequence
 * last held an unrelated text). Warm and cold runs alternate which goes first, so machine noise hits both alike.
 */
export const inlineCompletionSection: BenchSection = {
    id: 'inlineCompletion',
    title: 'Inline completion: after one more typed character vs cold, and typed through a shown suggestion',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        // Room for the generated tokens and the typed character's tokens behind the prompt.
        const length = Math.max(8, Math.min(ctx.promptTokens, ctx.model.contextSize - completionTokens - 16));
        const tokenCount = async (text: string) => (await ctx.client.tokenize(text, { addBos: false })).length;
        const random = new SeededRandom(ctx.seed, 'bench-inline');
        // Full-length completions with the same work on both sides: no early end of line or end of generation.
        const eos = ctx.model.eosToken;
        const request = (prefix: string): InlineCompletionRequest => ({
            prefix,
            stopAt: 'none',
            sampling: { maxTokens: completionTokens, ...(eos !== undefined ? { logitBias: { [eos]: 'ban' as const } } : {}) },
        });
        const timed = async (prefix: string): Promise<{ ms: number; result: InlineCompletionResult }> => {
            const started = performance.now();
            const result = await ctx.client.completeInline(request(prefix));
            return { ms: performance.now() - started, result };
        };

        // Untimed: creates the inline context and faults in its buffers.
        await ctx.client.completeInline(request(await seededText(random, length, tokenCount)));

        const warm: number[] = [];
        const cold: number[] = [];
        const warmFirst: number[] = [];
        const coldFirst: number[] = [];
        const reused: number[] = [];
        const typedThrough: number[] = [];
        let promptTokens = 0;
        let differing = 0;
        for (let r = 0; r < ctx.repeat; r++) {
            const text = await seededText(random, length, tokenCount);
            const unrelated = await seededText(random, length, tokenCount);
            const runs = {
                warm: async () => {
                    await ctx.client.completeInline(request(text.slice(0, -1)));
                    return timed(text);
                },
                cold: async () => {
                    await ctx.client.completeInline(request(unrelated));
                    return timed(text);
                },
            };
            const order: ('warm' | 'cold')[] = r % 2 === 0 ? ['warm', 'cold'] : ['cold', 'warm'];
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${order.join(' then ')}`);
            const measured: Partial<Record<'warm' | 'cold', { ms: number; result: InlineCompletionResult }>> = {};
            for (const kind of order) measured[kind] = await runs[kind]();
            const w = measured.warm!;
            const c = measured.cold!;
            warm.push(w.ms);
            cold.push(c.ms);
            warmFirst.push(w.result.timing.timeToFirstTokenMs);
            coldFirst.push(c.result.timing.timeToFirstTokenMs);
            reused.push(w.result.timing.reusedPromptTokens ?? 0);
            promptTokens = w.result.timing.promptTokens;
            if (w.result.text !== c.result.text) differing++;
            typedThrough.push(typeThrough(text, w.result.text));
        }
        if (differing > 0) ctx.note(`${differing} of ${ctx.repeat} warm completions differed from the cold one of the same text (greedy): KV reuse changed the numbers`);
        ctx.note(`prompt of ${promptTokens} tokens, ${completionTokens} generated tokens per completion, times around the RPC call`);
        ctx.note('typed-through: each character of the warm suggestion typed in turn, the rest served by the editor\'s SuggestionMemory '
            + '(no model call); per repetition the median over the characters');

        const warmMs = median(warm);
        const coldMs = median(cold);
        return [
            { id: 'warm.ms', label: 'completion after one more typed character (prefix cached)', value: warmMs, unit: 'ms', samples: warm },
            { id: 'cold.ms', label: 'cold completion of the same text', value: coldMs, unit: 'ms', samples: cold },
            { id: 'ratio', label: 'after one more character / cold', value: warmMs / coldMs, unit: '×', goal: { max: inlineWarmRatioGoal } },
            { id: 'warm.ttft', label: 'time to first token, after one more character (in the runtime)', value: median(warmFirst), unit: 'ms', samples: warmFirst },
            { id: 'cold.ttft', label: 'time to first token, cold (in the runtime)', value: median(coldFirst), unit: 'ms', samples: coldFirst },
            { id: 'ttft.ratio', label: 'time to first token, after one more character / cold', value: median(warmFirst) / median(coldFirst), unit: '×' },
            { id: 'warm.reused', label: `prompt tokens reused from the cache, of ${promptTokens}`, value: median(reused), unit: 'tokens', samples: reused },
            {
                id: 'typedThrough.ms', label: 'typed-through suggestion latency (a shown character typed, rest from memory)',
                value: median(typedThrough), unit: 'ms', samples: typedThrough, goal: { max: typedThroughGoalMs },
            },
        ];
    },
};

/**
 * Milliseconds the inline completion provider takes to serve the rest of a shown suggestion when the user types its
 * next character, through the same {@link SuggestionMemory} the provider uses: the suggestion is shown at the end of
 * `document`, then typed one character at a time (the document text after each keystroke is built outside the
 * timing, as the editor has it already). The median over the characters.
 */
function typeThrough(document: string, suggestion: string): number {
    const memory = new SuggestionMemory();
    const shown: SuggestionPlace = { document: 'bench.prompt', version: 1, text: document, offset: document.length, context: 'bench' };
    memory.remember(shown, suggestion);
    const times: number[] = [];
    for (let typed = 1; typed < suggestion.length; typed++) {
        const place = { ...shown, version: 1 + typed, text: document + suggestion.slice(0, typed), offset: document.length + typed };
        const started = performance.now();
        const rest = memory.rest(place);
        times.push(performance.now() - started);
        if (rest !== suggestion.slice(typed)) throw new Error(`typed-through served ${JSON.stringify(rest)} after ${typed} characters of ${JSON.stringify(suggestion)}`);
    }
    return times.length === 0 ? 0 : median(times);
}

/** Seeded English-like text of at least `length` tokens, ending in a letter (the "typed character" is the last one). */
async function seededText(random: SeededRandom, length: number, tokenCount: (text: string) => Promise<number>): Promise<string> {
    const words: string[] = [];
    do {
        for (let i = 0; i < 8; i++) words.push(englishWords[random.nextInt(englishWords.length)]!);
    } while (await tokenCount(words.join(' ')) < length);
    return words.join(' ').replace(/[^\p{L}]+$/u, '');
}
