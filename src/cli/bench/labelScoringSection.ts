import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { benchSampling, median, medianOfPairedRatios } from './measureThroughput';

/** Labels as a sentiment prompt scores them: one common English word and two CJK labels that split into several tokens. */
const labels = [' positive', ' negative', ' neutral', ' 正面', ' 负面'];
const prompt = 'Review: The coffee was cold, the staff forgot our order twice, but the view from the terrace made up for a lot of it.\nSentiment:';

/**
 * Label scoring (exact log P(label | prompt) of every label, the prompt evaluated once on an F32 KV cache) vs a plain
 * prefill of the same prompt on the host's own context, both through the runtime host. Runs alternate, and which goes
 * first alternates. Reported without a goal: label scoring is the exact path, and its cost grows with the labels'
 * tokens, which a large vocabulary changes.
 */
export const labelScoringSection: BenchSection = {
    id: 'labelScoring',
    title: `Label scoring (${labels.length} labels, exact) vs plain prefill (runtime host)`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const tokens = await ctx.client.tokenize(prompt, { addBos: true });
        const eos = ctx.model.eosToken;
        const other = tokens[0] === tokens.at(-1) ? tokens[1]! : tokens.at(-1)!;
        const prefill = async () => {
            // A one-token evaluation first, so the timed prefill never reuses the prompt's KV cells.
            await ctx.client.complete({ prompt: [other], sampling: benchSampling(1, ctx.seed, eos) });
            const started = performance.now();
            await ctx.client.complete({ prompt: tokens, sampling: benchSampling(1, ctx.seed, eos) });
            return performance.now() - started;
        };
        let labelTokens = 0;
        const score = async () => {
            const started = performance.now();
            const result = await ctx.client.scoreContinuations({ prompt: tokens, continuations: labels });
            labelTokens = result.scores.reduce((sum, s) => sum + s.tokens.length, 0);
            return performance.now() - started;
        };
        // Untimed: the exact context and compute buffers are created on first use.
        await score();
        await prefill();
        const plain: number[] = [];
        const scoring: number[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${tokens.length}-token prompt, plain prefill vs ${labels.length} labels scored`);
            for (const which of r % 2 === 0 ? ['plain', 'score'] : ['score', 'plain']) {
                if (which === 'plain') plain.push(await prefill());
                else scoring.push(await score());
            }
        }
        ctx.note(`${labels.length} labels (${labels.map(l => JSON.stringify(l.trim())).join(', ')}) are ${labelTokens} tokens in this vocabulary of ${ctx.model.vocabularySize}`);
        return [
            { id: 'prefill.ms', label: `plain prefill (${tokens.length}-token prompt, 1 token sampled)`, value: median(plain), unit: 'ms', samples: plain },
            { id: 'score.ms', label: `label scoring, ${labels.length} labels (${labelTokens} label tokens), exact`, value: median(scoring), unit: 'ms', samples: scoring },
            { id: 'ratio', label: 'label scoring / plain prefill (median of the repetitions\' ratios)', ...medianOfPairedRatios(scoring, plain), unit: '×' },
        ];
    },
};
