import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median, medianOfPairedRatios } from './measureThroughput';

/** Issue goal: a probabilities run may take at most this much longer than plain generation of the same tokens. */
export const probabilitiesOverheadGoal = 1.15;

/**
 * Probabilities mode (raw distribution of every prompt position and generation step) vs plain generation of the
 * same tokens, both through the runtime host: one short prompt, greedy, `genTokens` tokens. Runs alternate (and
 * which goes first alternates), so a busy machine slows both alike. The ratio compares like with like (F16 KV
 * cache in both); exact mode (F32 KV, no flash attention) is reported beside it without a goal.
 */
export const tokenProbabilitiesSection: BenchSection = {
    id: 'tokenProbabilities',
    title: 'Token probabilities vs plain generation (runtime host)',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const prompt = (await ctx.client.tokenize('The quick brown fox jumps over the lazy dog.', { addBos: true })).slice(0, 16);
        const sampling = { temperature: 0, repeatPenalty: 1, seed: ctx.seed };
        const plainRun = async () => {
            const started = performance.now();
            const result = await ctx.client.complete({ prompt, sampling: { ...sampling, maxTokens: ctx.genTokens } });
            return { ms: performance.now() - started, tokens: result.tokens };
        };
        let source = '';
        const probsRun = async (exact: boolean) => {
            const started = performance.now();
            const result = await ctx.client.tokenProbabilities({ prompt, generate: ctx.genTokens, sampling, topK: 10, exact });
            source = result.logitsSource;
            return { ms: performance.now() - started, tokens: result.tokens.filter(t => t.source === 'generated').map(t => t.id) };
        };
        // Untimed: compute buffers and the F32 context are created on first use.
        await plainRun();
        await probsRun(false);
        await probsRun(true);

        const plain: number[] = [];
        const probs: number[] = [];
        const exact: number[] = [];
        let plainTokens: number[] = [];
        let probsTokens: number[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${ctx.genTokens} tokens, plain vs probabilities`);
            const order = r % 2 === 0 ? ['plain', 'probs'] : ['probs', 'plain'];
            for (const which of order) {
                if (which === 'plain') {
                    const run = await plainRun();
                    plain.push(run.ms);
                    plainTokens = run.tokens;
                } else {
                    const run = await probsRun(false);
                    probs.push(run.ms);
                    probsTokens = run.tokens;
                }
            }
            exact.push((await probsRun(true)).ms);
        }
        if (plainTokens.join() !== probsTokens.join()) {
            ctx.note(`plain generation and probabilities mode generated different greedy tokens (${plainTokens.length} vs ${probsTokens.length}): the comparison may be unfair`);
        }
        ctx.note(source === 'native'
            ? 'distributions from the native addon (statistics in C++; only the last position\'s logits reach JavaScript)'
            : 'distributions from node-llama-cpp (the native addon is not built or the model runs on a GPU): every position\'s logits cross into JavaScript as a Map');
        const label = `${prompt.length}-token prompt + ${ctx.genTokens} generated, greedy`;
        return [
            { id: 'plain.ms', label: `plain generation (${label})`, value: median(plain), unit: 'ms', samples: plain },
            { id: 'probs.ms', label: `probabilities mode, F16 KV (${label})`, value: median(probs), unit: 'ms', samples: probs },
            { id: 'exact.ms', label: `probabilities mode, exact: F32 KV, no flash attention (${label})`, value: median(exact), unit: 'ms', samples: exact },
            { id: 'ratio', label: 'probabilities / plain (median of the repetitions\' ratios)', ...medianOfPairedRatios(probs, plain), unit: '×', goal: { max: probabilitiesOverheadGoal } },
            { id: 'exact.ratio', label: 'exact probabilities / plain (median of the repetitions\' ratios)', ...medianOfPairedRatios(exact, plain), unit: '×' },
        ];
    },
};
