import { treeOfThought, nextThoughtMessages, type ThoughtModel } from '../../core/reasoning/treeOfThought';
import type { ChatMessage } from '../../core/prompt/chatMessages';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median, medianOfPairedRatios } from './measureThroughput';
import { pathSampling } from './pathSampling';

/** The search's shape: the strategy's defaults (3 thoughts per state, a beam of 2, 3 steps) with the value evaluator. */
const search = { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'value' } as const;
/** Tokens per thought: a one-line step of arithmetic. */
const thoughtTokens = 16;

/**
 * Tree-of-thought against the same number of independent sampled paths, through the runtime host. The search runs as
 * `--strategy tree-of-thought` runs it (core's treeOfThought: each kept state's thoughts sampled in one chatMany batch
 * sharing its prefix, every new state valued by label scoring), to its full depth; the baseline samples as many
 * thoughts as the search generated, as independent paths of the question in one chatMany batch. Every thought is
 * exactly {@link thoughtTokens} tokens on both sides (end of generation banned, no newline stop), so both decode the
 * same tokens and the ratio is what the tree's structure costs: a batch per kept state from a longer prefix, step after
 * step, and the evaluator's prompts. Each repetition asks a new question (no KV reuse from the one before), and the
 * two sides alternate which goes first.
 */
export const treeOfThoughtSection: BenchSection = {
    id: 'treeOfThought',
    title: `Tree of thoughts (${search.thoughts} thoughts per state, beam ${search.beamWidth}, ${search.maxDepth} steps, value evaluator) vs as many independent paths`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const question = (r: number): ChatMessage[] => [{ role: 'user', text: `What is ${12 + 7 * r} + ${30 + 3 * r} + ${5 + r}? Solve it step by step.` }];
        const sampling = (seed: number) => pathSampling(thoughtTokens, seed, ctx.model.eosToken);
        const runTree = async (r: number) => {
            let generated = 0;
            let thoughtsGenerated = 0;
            let sampleMs = 0;
            let scoreMs = 0;
            let scoring = 0;
            let scoringSince = 0;
            const model: ThoughtModel = {
                async sampleThoughts(messages, n) {
                    const started = performance.now();
                    const result = await ctx.client.chatMany({ messages, n, sampling: sampling(ctx.seed + r) });
                    sampleMs += performance.now() - started;
                    generated += result.timing.generatedTokens;
                    thoughtsGenerated += n;
                    return result.paths.map(p => p.text);
                },
                async score(messages, continuations) {
                    // The value evaluator scores a step's states concurrently: the time counted is while any is in flight.
                    if (scoring++ === 0) scoringSince = performance.now();
                    const result = await ctx.client.scoreContinuations({ prompt: messages, continuations }).finally(() => {
                        if (--scoring === 0) scoreMs += performance.now() - scoringSince;
                    });
                    const byText = new Map(result.scores.map(s => [s.text, s.logprob]));
                    return continuations.map(c => byText.get(c)!);
                },
            };
            const started = performance.now();
            const tree = await treeOfThought(model, question(r), search, () => false);
            return { ms: performance.now() - started, sampleMs, scoreMs, generated, thoughts: thoughtsGenerated, steps: tree.steps.length };
        };
        const runPaths = async (r: number, n: number) => {
            const started = performance.now();
            const result = await ctx.client.chatMany({ messages: nextThoughtMessages(question(r), []), n, sampling: sampling(ctx.seed + r) });
            return { ms: performance.now() - started, generated: result.timing.generatedTokens };
        };
        // Untimed: the sequences' context and the scoring context are created on first use.
        const warm = await runTree(-1);
        await runPaths(-1, warm.thoughts);

        const trees: Awaited<ReturnType<typeof runTree>>[] = [];
        const paths: Awaited<ReturnType<typeof runPaths>>[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: tree of thoughts vs independent paths`);
            // The baseline needs the search's thought count first: a repeated thought adds no state, so it can vary.
            if (r % 2 === 0) {
                const tree = await runTree(r);
                trees.push(tree);
                paths.push(await runPaths(r, tree.thoughts));
            } else {
                const expected = trees.at(-1)?.thoughts ?? warm.thoughts;
                const path = await runPaths(r, expected);
                const tree = await runTree(r);
                if (tree.thoughts !== expected) ctx.note(`repetition ${r + 1}: the search generated ${tree.thoughts} thoughts, the paths ${expected}`);
                trees.push(tree);
                paths.push(path);
            }
        }
        const thoughts = median(trees.map(t => t.thoughts));
        const treeMs = trees.map(t => t.ms);
        const pathMs = paths.map(p => p.ms);
        const sampleMs = trees.map(t => t.sampleMs);
        const scoreMs = trees.map(t => t.scoreMs);
        const rest = trees.map(t => t.ms - t.sampleMs - t.scoreMs);
        return [
            { id: 'thoughts', label: `thoughts generated per search (${thoughtTokens} tokens each)`, value: thoughts, unit: '', samples: trees.map(t => t.thoughts) },
            { id: 'tree.ms', label: `tree of thoughts, ${median(trees.map(t => t.steps))} steps`, value: median(treeMs), unit: 'ms', samples: treeMs },
            { id: 'tree.sample.ms', label: '  of which sampling thoughts (one batch per kept state)', value: median(sampleMs), unit: 'ms', samples: sampleMs },
            { id: 'tree.score.ms', label: '  of which valuing states (label scoring)', value: median(scoreMs), unit: 'ms', samples: scoreMs },
            { id: 'tree.rest.ms', label: '  of which the rest (prompts, ranking)', value: median(rest), unit: 'ms', samples: rest },
            { id: 'tree.tokens', label: '  tokens generated by the search', value: median(trees.map(t => t.generated)), unit: 'tokens' },
            { id: 'paths.ms', label: `the same number of independent paths, one batch`, value: median(pathMs), unit: 'ms', samples: pathMs },
            { id: 'paths.tokens', label: '  tokens generated by the paths', value: median(paths.map(p => p.generated)), unit: 'tokens' },
            { id: 'sampleRatio', label: 'the search\'s thought sampling alone / the paths', ...medianOfPairedRatios(sampleMs, pathMs), unit: '×' },
            { id: 'ratio', label: 'tree of thoughts / independent paths (median of the repetitions\' ratios)', ...medianOfPairedRatios(treeMs, pathMs), unit: '×' },
        ];
    },
};
