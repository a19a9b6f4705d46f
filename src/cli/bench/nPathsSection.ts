import { dirname } from 'node:path';
import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import { nodeLlamaCppFolder } from '../../runtime/build/nodeLlamaCppFolder';
import type { BenchContext, BenchFigure, BenchSection, SectionRun } from './BenchSection';
import { formatValue } from './formatValue';
import { median, medianOfPairedRatios, PromptPool, type CompletionTarget } from './measureThroughput';
import { pathSampling } from './pathSampling';
import { ReferenceBatchedBench } from './ReferenceBatchedBench';

/** Path counts measured: one path, and the parallel counts of self-consistency (and later beam search, tree of thoughts). */
export const nPathsCounts: readonly number[] = [1, 4, 8, 16];

/** Issue 16 goal: N paths at ≥ 0.9× llama.cpp's own speed for the same work, at every N. */
export const nPathsRatioGoal = 0.9;

/** One side's runs of one configuration: wall time and generation speed, one entry per repetition. */
interface Runs { ms: number[]; tokensPerSecond: number[] }

/**
 * What N paths cost: `completeMany` through the runtime host (one shared prompt, N sampled paths decoded together, as
 * self-consistency runs them) against llama.cpp's own `llama-batched-bench -pps -kvu` on the same model, threads,
 * prompt length and tokens per path, for N = 1, 4, 8, 16. Per N, the two take turns, one run each per repetition
 * (which goes first alternates), as the llama-bench reference does, because a shared machine drifts within a minute;
 * ratios are the medians of the turns' ratios. The reference is built with `--reference` (seconds next to an existing
 * llama-bench build); without it a cached build is used, and without one only our figures are reported.
 */
export const nPathsSection: BenchSection = {
    id: 'nPaths',
    title: 'What N paths cost: completeMany (runtime host) vs llama.cpp\'s llama-batched-bench -pps -kvu, interleaved',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const figures: BenchFigure[] = [];
        const reference = await findReference(ctx, figures);
        const genTokens = ctx.genTokens;
        // Every path needs room in its sequence for the prompt and its own tokens.
        const promptLength = Math.max(8, Math.min(ctx.promptTokens, ctx.model.contextSize - genTokens - 8));
        const bos = ctx.model.bosToken;
        const promptTokens = promptLength + (bos !== undefined ? 1 : 0);
        const eos = ctx.model.eosToken;
        const pool = await PromptPool.create(text => ctx.client.tokenize(text, { addBos: false }), promptLength, ctx.seed);
        const withBos = (tokens: number[]) => (bos !== undefined ? [bos, ...tokens] : tokens);
        const target: CompletionTarget = { complete: request => ctx.client.complete(request) };
        let short = 0;
        figures.push({ id: 'promptTokens', label: 'shared prompt, evaluated once per run (with BOS)', value: promptTokens, unit: 'tokens' });

        const runOurs = async (paths: number, prompt: number[], tokens: number, seed: number) => {
            const started = performance.now();
            const result = await ctx.client.completeMany({ prompt, n: paths, sampling: pathSampling(tokens, seed, eos) });
            const ms = performance.now() - started;
            if (result.paths.some(p => p.tokens.length < tokens)) short++;
            return { ms, tokensPerSecond: result.timing.tokensPerSecond };
        };

        let referenceFailed = false;
        for (const paths of nPathsCounts) {
            // Untimed: creates the N-sequence context and faults in its buffers; batched-bench warms up on its own.
            await runOurs(paths, withBos(pool.next(target).slice(0, 16)), Math.min(4, genTokens), ctx.seed);
            const ours: Runs = { ms: [], tokensPerSecond: [] };
            const theirs: Runs = { ms: [], tokensPerSecond: [] };
            for (let r = 0; r < ctx.repeat; r++) {
                const sides = r % 2 === 0 ? ['ours', 'reference'] as const : ['reference', 'ours'] as const;
                ctx.log(`  ${paths} path${paths === 1 ? '' : 's'}, repetition ${r + 1}/${ctx.repeat}: prompt ${promptTokens}, ${genTokens} tokens per path`
                    + (reference && !referenceFailed ? ` (${sides.join(' then ')})` : ''));
                for (const side of sides) {
                    if (side === 'ours') {
                        const run = await runOurs(paths, withBos(pool.next(target)), genTokens, ctx.seed + r);
                        ours.ms.push(run.ms);
                        ours.tokensPerSecond.push(run.tokensPerSecond);
                    } else if (reference && !referenceFailed) {
                        try {
                            const row = await reference.measureOnce(ctx.modelPath, { threads: ctx.threads, promptTokens, genTokens, paths });
                            theirs.ms.push(row.totalSeconds * 1000);
                            theirs.tokensPerSecond.push(row.genTokensPerSecond);
                        } catch (error) {
                            // Asked for explicitly, a failure is the answer; merely found in the cache, it must not hide our figures.
                            if (ctx.reference) throw error;
                            ctx.note(`llama-batched-bench left out from ${paths} paths on: the cached build failed: ${(error as Error).message.split('\n')[0]}`);
                            referenceFailed = true;
                        }
                    }
                }
            }
            figures.push(...configurationFigures(paths, genTokens, ours, reference && !referenceFailed ? theirs : undefined));
        }

        if (short > 0) ctx.note(`${short} runs generated fewer than ${genTokens} tokens on some path (a stop the EOS ban does not cover): the comparison may be unfair`);
        ctx.note(`same work on both sides: a ${promptTokens}-token prompt evaluated once and shared by the N paths (one unified KV stream; `
            + `batched-bench: -pps -kvu, flash attention off as in our multi-path contexts), then N paths of ${genTokens} tokens decoded one batch of N per step`);
        ctx.note(`ms: our wall time of the completeMany call (RPC, prompt, sampling at temperature ${selfConsistencyDefaults.temperature}, decoding, detokenizing) against batched-bench's T `
            + `(T_PP + T_TG: prompt plus the ${genTokens} decode steps, random tokens, no sampling); speed ratio = batched-bench ms / ours`);
        ctx.note('tok/s: generated tokens of all paths per second of decoding, ours from the first generated token to the last '
            + '(`timing.tokensPerSecond`) against batched-bench\'s S_TG (N × tokens / T_TG)');
        if (reference && !referenceFailed) {
            ctx.note(`llama-batched-bench ${reference.tag}: ${reference.binary} ${ReferenceBatchedBench.arguments('MODEL', { threads: ctx.threads, promptTokens, genTokens, paths: 8 }).join(' ')} (N = 8 shown; -c is the prompt plus N × tokens)`);
        }
        return figures;
    },
    markdownSummary: formatNPathsCost,
};

/** The built llama-batched-bench, building it when `--reference` asks; undefined (with a note why) when there is none. */
async function findReference(ctx: BenchContext, figures: BenchFigure[]): Promise<ReferenceBatchedBench | undefined> {
    const nodeLlamaCppDir = nodeLlamaCppFolder();
    if (!nodeLlamaCppDir) {
        ctx.note('llama-batched-bench left out: node-llama-cpp\'s package folder (with its bundled llama.cpp source) was not found');
        return undefined;
    }
    if (ctx.model.backend !== 'cpu') {
        // Its runs here are CPU-only (no -ngl): a CPU reference for a GPU run would compare different machines.
        ctx.note(`llama-batched-bench left out: the model runs on ${ctx.model.backend}, and this comparison is made with llama.cpp's CPU build only`);
        return undefined;
    }
    const cached = ReferenceBatchedBench.find({ nodeLlamaCppDir });
    if (cached) return cached;
    if (!ctx.reference) {
        ctx.note('llama-batched-bench left out: no reference build yet; `npm run bench -- --reference` builds it once (cached) and compares with it');
        return undefined;
    }
    ctx.log('Building the reference llama-batched-bench (once; seconds next to an existing llama-bench build, else about 5 minutes)…');
    const started = performance.now();
    const built = await ReferenceBatchedBench.build({ nodeLlamaCppDir, onLine: line => ctx.log(`  ${line}`) });
    const seconds = (performance.now() - started) / 1000;
    ctx.note(`reference llama-batched-bench built in ${seconds.toFixed(0)} s (cached in ${dirname(dirname(dirname(built.binary)))})`);
    figures.push({ id: 'build.seconds', label: 'reference llama-batched-bench build time (this run only; cached afterwards)', value: seconds, unit: 's' });
    return built;
}

function configurationFigures(paths: number, genTokens: number, ours: Runs, theirs: Runs | undefined): BenchFigure[] {
    const name = `${paths} path${paths === 1 ? '' : 's'} × ${genTokens} tokens`;
    const figures: BenchFigure[] = [
        { id: `n${paths}.ms`, label: `${name}, completeMany wall time`, value: median(ours.ms), unit: 'ms', samples: ours.ms },
    ];
    if (theirs) {
        figures.push(
            { id: `n${paths}.llamaBatchedBench.ms`, label: `${name}, llama-batched-bench T (prompt + generation)`, value: median(theirs.ms), unit: 'ms', samples: theirs.ms },
            // Speed is inverse time: batched-bench's time over ours, so that ≥ 1 means as fast as llama.cpp.
            { id: `n${paths}.speedRatio`, label: `${name}, speed ratio (llama-batched-bench ms / ours)`, ...medianOfPairedRatios(theirs.ms, ours.ms), unit: '×', goal: { min: nPathsRatioGoal } },
        );
    }
    figures.push({ id: `n${paths}.tokensPerSecond`, label: `${name}, generated tok/s, runtime`, value: median(ours.tokensPerSecond), unit: 'tok/s', samples: ours.tokensPerSecond });
    if (theirs) {
        figures.push(
            { id: `n${paths}.llamaBatchedBench.tokensPerSecond`, label: `${name}, generated tok/s, llama-batched-bench S_TG`, value: median(theirs.tokensPerSecond), unit: 'tok/s', samples: theirs.tokensPerSecond },
            { id: `n${paths}.tokensPerSecondRatio`, label: `${name}, generation ratio (ours / S_TG)`, ...medianOfPairedRatios(ours.tokensPerSecond, theirs.tokensPerSecond), unit: '×', goal: { min: nPathsRatioGoal } },
        );
    }
    return figures;
}

/** BENCHMARKS.md's "What N paths cost": one row per model, thread count and N, ours beside llama.cpp's. */
export function formatNPathsCost(runs: readonly SectionRun[]): string[] {
    const rows: string[] = [];
    for (const { model, section } of runs) {
        const byId = new Map(section.figures.map(f => [f.id, f]));
        for (const paths of nPathsCounts) {
            const ms = byId.get(`n${paths}.ms`);
            if (!ms) continue;
            const cell = (id: string) => {
                const figure = byId.get(`n${paths}.${id}`);
                return figure ? `${formatValue(figure.value, figure.unit)}${figure.unit === '×' ? '×' : ''}` : '—';
            };
            rows.push(`| ${model.name} | ${model.threads} | ${paths} | ${cell('ms')} | ${cell('llamaBatchedBench.ms')} | ${cell('speedRatio')} `
                + `| ${cell('tokensPerSecond')} | ${cell('llamaBatchedBench.tokensPerSecond')} | ${cell('tokensPerSecondRatio')} |`);
        }
    }
    if (rows.length === 0) return [];
    const { model, section } = runs[0]!;
    const prompt = section.figures.find(f => f.id === 'promptTokens')?.value;
    return [
        '## What N paths cost',
        '',
        `Self-consistency (and anything else sampling N paths of one prompt) runs N paths in one batch: the prompt is evaluated once,`,
        `then each step decodes one token of every path. Here a ${prompt ?? model.promptTokens}-token prompt and ${model.genTokens} tokens per path,`,
        `through the runtime host (\`completeMany\`, sampled at temperature ${selfConsistencyDefaults.temperature}), against llama.cpp's own \`llama-batched-bench -pps -kvu\``,
        '(same model, threads, prompt and path length; built from the llama.cpp source node-llama-cpp ships, `--reference`), in turns.',
        '*ms* is the whole call (batched-bench: T, prompt plus generation); *tok/s* is generated tokens of all paths per second of',
        'decoding (batched-bench: S_TG). Ratios are ours relative to llama.cpp\'s speed (goal ≥ 0.9×); — where no reference was built.',
        '',
        '| model | threads | N | ms, Promptscope | ms, llama.cpp | speed ratio | tok/s, Promptscope | tok/s, llama.cpp | tok/s ratio |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...rows,
    ];
}
