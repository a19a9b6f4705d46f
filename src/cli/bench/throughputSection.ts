import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { withInProcessEngine } from './inProcessEngine';
import { measureGeneration, measurePromptProcessing, median, medianOfPairedRatios, PromptPool, type CompletionTarget } from './measureThroughput';

/** The goal of the runtime host over RPC relative to node-llama-cpp in-process (issue: "RPC overhead ratio, goal ≥ 0.95"). */
export const rpcRatioGoal = 0.95;

/**
 * Prompt processing and generation speed of the runtime host (RPC) and of node-llama-cpp in this process, on the
 * same model and threads. Runs alternate between the two (and which one goes first alternates per repetition), so
 * that the other engineers' jobs on a shared machine slow both alike. The in-process copy of the model is loaded for
 * this section only.
 */
export const throughputSection: BenchSection = {
    id: 'throughput',
    title: 'Throughput: runtime host (RPC) vs node-llama-cpp in-process',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        ctx.log('  loading the model in this process too…');
        return withInProcessEngine(ctx.loadOptions, ctx.verbose, inProcess => measureBoth(ctx, inProcess));
    },
};

async function measureBoth(ctx: BenchContext, inProcess: CompletionTarget): Promise<BenchFigure[]> {
    const host: CompletionTarget = ctx.client;
    const eos = ctx.model.eosToken;
    const pool = await PromptPool.create(text => ctx.client.tokenize(text, { addBos: false }), ctx.promptTokens, ctx.seed);
    const startToken = ctx.model.bosToken ?? pool.anyToken;

    // Untimed: the first evaluation allocates compute buffers and faults in the weights.
    for (const target of [host, inProcess]) {
        await measurePromptProcessing(target, pool.next(target).slice(0, Math.min(32, ctx.promptTokens)), ctx.seed, eos);
        await measureGeneration(target, startToken, Math.min(4, ctx.genTokens), ctx.seed, eos);
        pool.used(target, startToken);
    }

    const pp = { host: [] as number[], inProcess: [] as number[] };
    const tg = { host: [] as number[], inProcess: [] as number[] };
    const generated = new Map<CompletionTarget, number[]>();
    for (let r = 0; r < ctx.repeat; r++) {
        const order: ['host' | 'inProcess', CompletionTarget][] = [['host', host], ['inProcess', inProcess]];
        if (r % 2 === 1) order.reverse();
        ctx.log(`  repetition ${r + 1}/${ctx.repeat}: pp ${ctx.promptTokens}, tg ${ctx.genTokens} (${order.map(([name]) => name).join(' then ')})`);
        for (const [name, target] of order) {
            pp[name].push(await measurePromptProcessing(target, pool.next(target), ctx.seed, eos));
        }
        for (const [name, target] of order) {
            const run = await measureGeneration(target, startToken, ctx.genTokens, ctx.seed, eos);
            pool.used(target, startToken);
            tg[name].push(run.tokensPerSecond);
            generated.set(target, run.tokens);
        }
    }

    // Same model, same greedy settings: a difference would mean the two paths do not do the same work.
    const hostTokens = generated.get(host) ?? [];
    const localTokens = generated.get(inProcess) ?? [];
    if (hostTokens.join() !== localTokens.join()) {
        ctx.note(`the host and in-process generated different greedy tokens (${hostTokens.length} vs ${localTokens.length}): the comparison may be unfair`);
    }
    if (localTokens.length < ctx.genTokens) {
        ctx.note(`generation stopped after ${localTokens.length} of ${ctx.genTokens} tokens (an end-of-generation token); tok/s counts the tokens generated`);
    }

    const ppLabel = `prompt processing (pp ${ctx.promptTokens})`;
    const tgLabel = `generation (tg ${ctx.genTokens}, greedy)`;
    return [
        ...pair('pp', ppLabel, pp),
        ...pair('tg', tgLabel, tg),
    ];
}

function pair(id: 'pp' | 'tg', label: string, samples: { host: number[]; inProcess: number[] }): BenchFigure[] {
    return [
        { id: `${id}.host`, label: `${label}, runtime host over RPC`, value: median(samples.host), unit: 'tok/s', samples: samples.host },
        { id: `${id}.inProcess`, label: `${label}, node-llama-cpp in-process`, value: median(samples.inProcess), unit: 'tok/s', samples: samples.inProcess },
        {
            id: `${id}.ratio`, label: `${id} RPC overhead ratio, host / in-process (median of the repetitions' ratios)`,
            ...medianOfPairedRatios(samples.host, samples.inProcess), unit: '×', goal: { min: rpcRatioGoal },
        },
    ];
}
