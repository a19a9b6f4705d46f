import { dirname } from 'node:path';
import { nodeLlamaCppFolder } from '../../runtime/nodeLlamaCppFolder';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { ReferenceLlamaBench } from './ReferenceLlamaBench';
import { throughputSection } from './throughputSection';

/**
 * llama.cpp's own `llama-bench`, built natively from the source node-llama-cpp ships, on the same model and threads:
 * what the hardware can do with this exact llama.cpp, against which both of our paths are measured. Built only
 * with `--reference` (about 5 minutes, cached); without it a cached build is used when there is one.
 */
/** Issue goal: the runtime host within 10% of llama.cpp's own llama-bench, for prompt processing and generation. */
export const llamaBenchRatioGoal = 0.9;

export const referenceSection: BenchSection = {
    id: 'reference',
    title: 'Reference: llama.cpp\'s own llama-bench (native build of the same llama.cpp)',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const nodeLlamaCppDir = nodeLlamaCppFolder();
        if (!nodeLlamaCppDir) {
            ctx.note('skipped: node-llama-cpp\'s package folder (with its bundled llama.cpp source) was not found');
            return [];
        }
        let bench = ReferenceLlamaBench.find({ nodeLlamaCppDir });
        const figures: BenchFigure[] = [];
        if (!bench) {
            if (!ctx.reference) {
                ctx.note('skipped: no reference build yet; `npm run bench -- --reference` builds llama.cpp\'s llama-bench once (~5 min, cached) and compares with it');
                return [];
            }
            ctx.log('Building the reference llama-bench (once; about 5 minutes on 2 cores)…');
            const started = performance.now();
            bench = await ReferenceLlamaBench.build({ nodeLlamaCppDir, onLine: line => ctx.log(`  ${line}`) });
            const seconds = (performance.now() - started) / 1000;
            ctx.note(`reference llama-bench built in ${seconds.toFixed(0)} s (cached in ${dirname(dirname(dirname(bench.binary)))})`);
            figures.push({ id: 'build.seconds', label: 'reference build time (this run only; cached afterwards)', value: seconds, unit: 's' });
        }

        ctx.log(`Running llama-bench ${bench.tag} (pp ${ctx.promptTokens}, tg ${ctx.genTokens}, ${ctx.threads} thread${ctx.threads === 1 ? '' : 's'}, ${ctx.repeat} repetition${ctx.repeat === 1 ? '' : 's'})…`);
        let rows;
        try {
            rows = await bench.measure(ctx.modelPath, {
                threads: ctx.threads, promptTokens: ctx.promptTokens, generateTokens: ctx.genTokens, repetitions: ctx.repeat,
            });
        } catch (error) {
            // Asked for explicitly, a failure is the answer; merely found in the cache, it must not hide the other figures.
            if (ctx.reference) throw error;
            ctx.note(`skipped: the cached llama-bench failed: ${(error as Error).message.split('\n')[0]}`);
            return [];
        }
        ctx.note(`llama-bench ${bench.tag}: ${bench.binary}`);

        const ours = new Map((ctx.results.get(throughputSection.id) ?? []).map(f => [f.id, f.value]));
        for (const test of ['pp', 'tg'] as const) {
            const row = rows.find(r => r.test === test);
            if (!row) continue;
            figures.push({
                id: `${test}.llamaBench`,
                label: `${test === 'pp' ? 'prompt processing' : 'generation'} (${test} ${row.tokens}), llama-bench (mean ± ${row.stddev.toFixed(1)})`,
                value: row.tokensPerSecond,
                unit: 'tok/s',
            });
            for (const [path, name] of [['host', 'runtime host'], ['inProcess', 'in-process']] as const) {
                const value = ours.get(`${test}.${path}`);
                if (value === undefined) continue;
                figures.push({
                    id: `${test}.${path}VsLlamaBench`, label: `${test} ratio, ${name} / llama-bench`, value: value / row.tokensPerSecond, unit: '×',
                    // Issue 7's goal is for what users run: the runtime host.
                    ...(path === 'host' ? { goal: { min: llamaBenchRatioGoal } } : {}),
                });
            }
        }
        return figures;
    },
};
