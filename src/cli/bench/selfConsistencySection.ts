import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import type { CompletionRequest, MultiCompletionResult } from '../../shared/runtimeApi';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median, PromptPool, type CompletionTarget } from './measureThroughput';
import { pathSampling } from './pathSampling';

/** Paths per self-consistency run, as the figure asks. */
export const selfConsistencyPaths = 8;

/**
 * Self-consistency speed through the runtime host, as `promptscope run --strategy self-consistency` sees it:
 * `completeMany` with N = 8 paths (prompt evaluated once, paths decoded in one batch) against `complete` of one path,
 * with the same prompt length, the same number of generated tokens per path (end of generation banned) and the same
 * sampling. Each run gets a fresh prompt (no KV reuse from the run before), and the two sides alternate which goes
 * first, so a busy machine slows both alike. The ratio compares the runtime with itself, so it has no goal: the goal
 * for N paths is against llama.cpp's own llama-batched-bench (nPathsSection.ts).
 */
export const selfConsistencySection: BenchSection = {
    id: 'selfConsistency',
    title: `Self-consistency: ${selfConsistencyPaths} paths in one batch vs one path`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const n = selfConsistencyPaths;
        const genTokens = ctx.genTokens;
        // Every path needs room for the prompt and its own tokens; keep the prompt a typical few-shot length.
        const promptLength = Math.max(8, Math.min(ctx.promptTokens, ctx.model.contextSize - genTokens - 8));
        const eos = ctx.model.eosToken;
        const sampling = (seed: number) => pathSampling(genTokens, seed, eos);
        const pool = await PromptPool.create(text => ctx.client.tokenize(text, { addBos: false }), promptLength, ctx.seed);
        // Two pool keys, so each side gets fresh prompts in the same order (the pool tracks prompts per target).
        const single: CompletionTarget = { complete: request => ctx.client.complete(request) };
        const many: CompletionTarget = { complete: request => ctx.client.complete(request) };
        const withBos = (tokens: number[]) => (ctx.model.bosToken !== undefined ? [ctx.model.bosToken, ...tokens] : tokens);

        const runSingle = async (prompt: number[], seed: number) => {
            const started = performance.now();
            const result = await ctx.client.complete({ prompt, sampling: sampling(seed) } satisfies CompletionRequest);
            return { ms: performance.now() - started, generated: result.tokens.length };
        };
        const runMany = async (prompt: number[], seed: number) => {
            const started = performance.now();
            const result: MultiCompletionResult = await ctx.client.completeMany({ prompt, n, sampling: sampling(seed) });
            return { ms: performance.now() - started, result };
        };

        // Untimed: creates the N-sequence context and faults in its buffers (and the single path's).
        await runMany(withBos(pool.next(many).slice(0, 16)), ctx.seed);
        await runSingle(withBos(pool.next(single).slice(0, 16)), ctx.seed);

        const singleMs: number[] = [];
        const manyMs: number[] = [];
        const evaluated: number[] = [];
        let short = 0;
        for (let r = 0; r < ctx.repeat; r++) {
            const order: ('single' | 'many')[] = r % 2 === 0 ? ['many', 'single'] : ['single', 'many'];
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${n} paths vs 1, prompt ${promptLength}, ${genTokens} tokens per path (${order.join(' then ')})`);
            for (const side of order) {
                const seed = ctx.seed + r;
                if (side === 'single') {
                    const run = await runSingle(withBos(pool.next(single)), seed);
                    singleMs.push(run.ms);
                    if (run.generated < genTokens) short++;
                } else {
                    const run = await runMany(withBos(pool.next(many)), seed);
                    manyMs.push(run.ms);
                    evaluated.push(run.result.timing.evaluatedPromptTokens);
                    if (run.result.paths.some(p => p.tokens.length < genTokens)) short++;
                }
            }
        }
        if (short > 0) ctx.note(`${short} runs generated fewer than ${genTokens} tokens on some path (a stop the EOS ban does not cover): the comparison may be unfair`);
        ctx.note(`prompt of ${promptLength + (ctx.model.bosToken !== undefined ? 1 : 0)} tokens, ${genTokens} tokens per path at temperature ${selfConsistencyDefaults.temperature}, `
            + `times around the RPC call; prompt tokens evaluated per ${n}-path run: ${median(evaluated)}`);

        const one = median(singleMs);
        const all = median(manyMs);
        return [
            { id: 'single.ms', label: `one path (complete), ${genTokens} tokens`, value: one, unit: 'ms', samples: singleMs },
            { id: 'many.ms', label: `${n} paths (completeMany, one batch), ${genTokens} tokens each`, value: all, unit: 'ms', samples: manyMs },
            { id: 'ratio', label: `${n} paths / one path (naive: ${n}×)`, value: all / one, unit: '×' },
            { id: 'many.tokensPerSecond', label: `generated tokens per second, ${n} paths together`, value: n * genTokens / (all / 1000), unit: 'tok/s' },
            { id: 'single.tokensPerSecond', label: 'generated tokens per second, one path', value: genTokens / (one / 1000), unit: 'tok/s' },
        ];
    },
};
