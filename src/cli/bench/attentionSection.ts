import { AddonUnavailableError } from '../../shared/errors/AddonUnavailableError';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { benchSampling, median, medianOfPairedRatios, PromptPool } from './measureThroughput';

/** Issue goal: capturing every layer's attention may take at most this much longer than a plain prefill of the same prompt. */
export const attentionOverheadGoal = 1.5;
/** The prompt length for this comparison. */
export const attentionBenchTokens = 256;

/**
 * Attention capture (the native addon's own context: flash attention off, F32 KV, every layer's softmax copied out)
 * vs a plain prefill of the same token ids on the runtime host's context, both through the host with the threads
 * the model was loaded with. Runs alternate, and which goes first alternates, so a busy machine slows both alike.
 * Capture is timed around the call as a caller sees it (the maps cross the RPC as JSON) and inside the host.
 */
export const attentionSection: BenchSection = {
    id: 'attention',
    title: `Attention capture vs plain prefill (${attentionBenchTokens}-token prompt, runtime host)`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const length = Math.min(attentionBenchTokens, ctx.model.contextSize - 1);
        const pool = await PromptPool.create(text => ctx.client.tokenize(text, { addBos: false }), length, ctx.seed);
        const prompt = [...(ctx.model.bosToken !== undefined ? [ctx.model.bosToken] : []), ...pool.next(ctx.client)].slice(0, length);
        const eos = ctx.model.eosToken;

        // The host reuses the KV cache of a shared prefix; a one-token evaluation of another token first makes every
        // timed prefill evaluate the whole prompt. It is untimed.
        const other = prompt[0] === pool.anyToken ? prompt[1]! : pool.anyToken;
        const prefill = async () => {
            await ctx.client.complete({ prompt: [other], sampling: benchSampling(1, ctx.seed, eos) });
            const started = performance.now();
            const result = await ctx.client.complete({ prompt, sampling: benchSampling(1, ctx.seed, eos) });
            return { ms: performance.now() - started, reused: result.timing.reusedPromptTokens ?? 0 };
        };
        const capture = async () => {
            const started = performance.now();
            const result = await ctx.client.attention({ prompt });
            return { ms: performance.now() - started, hostMs: result.timing.ms, layers: result.layers.length, heads: result.heads };
        };

        // Untimed: the addon loads the model file and creates its context on first use; compute buffers likewise.
        try {
            await capture();
        } catch (error) {
            if (!(error instanceof AddonUnavailableError)) throw error;
            ctx.note(`skipped: ${error.message}`);
            return [];
        }
        await prefill();

        const plain: number[] = [];
        const attention: number[] = [];
        const inHost: number[] = [];
        let reused = 0;
        let shape = '';
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${prompt.length} tokens, plain prefill vs attention capture`);
            const order = r % 2 === 0 ? ['plain', 'attention'] : ['attention', 'plain'];
            for (const which of order) {
                if (which === 'plain') {
                    const run = await prefill();
                    plain.push(run.ms);
                    reused = Math.max(reused, run.reused);
                } else {
                    const run = await capture();
                    attention.push(run.ms);
                    inHost.push(run.hostMs);
                    shape = `${run.layers} layers × ${run.heads} heads`;
                }
            }
        }
        if (reused > 0) ctx.note(`a plain prefill reused ${reused} cached prompt tokens: it did less work than the capture`);
        const label = `${prompt.length}-token prompt`;
        return [
            { id: 'prefill.ms', label: `plain prefill (${label}, 1 token sampled)`, value: median(plain), unit: 'ms', samples: plain },
            { id: 'capture.ms', label: `attention capture, ${shape}, as the caller sees it (RPC included)`, value: median(attention), unit: 'ms', samples: attention },
            { id: 'capture.host.ms', label: 'attention capture inside the runtime host', value: median(inHost), unit: 'ms', samples: inHost },
            { id: 'ratio', label: 'attention capture / plain prefill (median of the repetitions\' ratios)', ...medianOfPairedRatios(attention, plain), unit: '×', goal: { max: attentionOverheadGoal } },
            { id: 'host.ratio', label: 'capture inside the host / plain prefill (median of the repetitions\' ratios)', ...medianOfPairedRatios(inHost, plain), unit: '×' },
        ];
    },
};
