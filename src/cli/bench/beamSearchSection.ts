import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { benchSampling, median, medianOfPairedRatios } from './measureThroughput';

/** Issue goal: beam search with k = 4 may take at most this much longer than greedy decoding of the same length. */
export const beamSearchGoal = 2;

const beams = 4;

/**
 * Beam search (k = 4, α = 1, F16 KV cache like plain generation) vs greedy generation of the same number of tokens,
 * both through the runtime host, runs alternating and which goes first alternating. Beam search always runs its full
 * length (its kept beams never end: an end token finishes a hypothesis beside them), greedy has EOS banned. The
 * breakdown comes from the addon's loop (beamSearchLoop.cc): its time in llama_decode (the k-token batches), the rest
 * of its steps (top-k, ranking, forks), and what the request spent outside the loop (prompt, context, RPC, the tree).
 */
export const beamSearchSection: BenchSection = {
    id: 'beamSearch',
    title: `Beam search (k = ${beams}) vs greedy generation (runtime host)`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const prompt = (await ctx.client.tokenize('The quick brown fox jumps over the lazy dog.', { addBos: true })).slice(0, 16);
        const steps = ctx.genTokens;
        const greedyRun = async () => {
            const started = performance.now();
            await ctx.client.complete({ prompt, sampling: benchSampling(steps, ctx.seed, ctx.model.eosToken) });
            return performance.now() - started;
        };
        const decode: number[] = [];
        const inLoop: number[] = [];
        const beamRun = async () => {
            const started = performance.now();
            const result = await ctx.client.beamSearch({ prompt, beams, maxTokens: steps, exact: false });
            const ms = performance.now() - started;
            if (result.steps.length !== steps) ctx.note(`beam search ran ${result.steps.length} of ${steps} steps`);
            decode.push(result.timing.decodeMs ?? Number.NaN);
            inLoop.push(result.timing.loopMs ?? Number.NaN);
            return ms;
        };
        // Untimed: the k-sequence context and its compute buffers are created on first use.
        await beamRun();
        await greedyRun();
        decode.length = inLoop.length = 0;
        const greedy: number[] = [];
        const beam: number[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${steps} tokens, greedy vs beam search k = ${beams}`);
            for (const which of r % 2 === 0 ? ['greedy', 'beam'] : ['beam', 'greedy']) {
                if (which === 'greedy') greedy.push(await greedyRun());
                else beam.push(await beamRun());
            }
        }
        const label = `${prompt.length}-token prompt, ${steps} tokens`;
        const restOfLoop = inLoop.map((ms, i) => ms - decode[i]!);
        const outside = beam.map((ms, i) => ms - inLoop[i]!);
        return [
            { id: 'greedy.ms', label: `greedy generation (${label})`, value: median(greedy), unit: 'ms', samples: greedy },
            { id: 'beam.ms', label: `beam search, k = ${beams}, α = 1 (${label})`, value: median(beam), unit: 'ms', samples: beam },
            { id: 'beam.decode.ms', label: `  of which llama_decode of the ${beams}-token batches`, value: median(decode), unit: 'ms', samples: decode },
            { id: 'beam.loopRest.ms', label: '  of which the rest of the steps (top-k, ranking, forks)', value: median(restOfLoop), unit: 'ms', samples: restOfLoop },
            { id: 'beam.outside.ms', label: '  of which outside the loop (prompt, context, RPC, tree)', value: median(outside), unit: 'ms', samples: outside },
            { id: 'decodeRatio', label: `the batches alone / greedy (the floor of the ratio)`, ...medianOfPairedRatios(decode, greedy), unit: '×' },
            { id: 'ratio', label: 'beam search / greedy (median of the repetitions\' ratios)', ...medianOfPairedRatios(beam, greedy), unit: '×', goal: { max: beamSearchGoal } },
        ];
    },
};
