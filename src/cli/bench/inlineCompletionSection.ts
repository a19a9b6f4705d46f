import { englishWords } from '../../core/fixtures/englishWords';
import { SeededRandom } from '../../core/fixtures/SeededRandom';
import type { InlineCompletionRequest, InlineCompletionResult } from '../../shared/runtimeApi';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median } from './measureThroughput';

/** Issue goal: a completion after one more typed character takes at most this share of a cold one. */
export const inlineWarmRatioGoal = 0.3;

/** The editor's default (promptscope.inlineCompletion.maxTokens). */
const completionTokens = 32;

/**
 * Inline completion latency through the runtime host, as the editor sees it: a completion of a text whose prefix the
 * inline sequence evaluated on the previous keystroke, against a cold completion of the same text (the sequence
 * last held an unrelated text). Warm and cold runs alternate which goes first, so machine noise hits both alike.
 */
export const inlineCompletionSection: BenchSection = {
    id: 'inlineCompletion',
    title: 'Inline completion: after one more typed character vs cold',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        // Room for the generated tokens and the typed character's tokens behind the prompt.
        const length = Math.max(8, Math.min(ctx.promptTokens, ctx.model.contextSize - completionTokens - 16));
        const tokenCount = async (text: string) => (await ctx.engine.tokenize(text, { addBos: false })).length;
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
        }
        if (differing > 0) ctx.note(`${differing} of ${ctx.repeat} warm completions differed from the cold one of the same text (greedy): KV reuse changed the numbers`);
        ctx.note(`prompt of ${promptTokens} tokens, ${completionTokens} generated tokens per completion, times around the RPC call`);

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
        ];
    },
};

/** Seeded English-like text of at least `length` tokens, ending in a letter (the "typed character" is the last one). */
async function seededText(random: SeededRandom, length: number, tokenCount: (text: string) => Promise<number>): Promise<string> {
    const words: string[] = [];
    do {
        for (let i = 0; i < 8; i++) words.push(englishWords[random.nextInt(englishWords.length)]!);
    } while (await tokenCount(words.join(' ')) < length);
    return words.join(' ').replace(/[^\p{L}]+$/u, '');
}
