import { dirname } from 'node:path';
import { RuntimeClient } from '../../runtime/client/RuntimeClient';
import { nodeLlamaCppFolder } from '../../runtime/build/nodeLlamaCppFolder';
import type { BenchContext, BenchFigure, BenchSection, SectionRun } from './BenchSection';
import { formatValue } from './formatValue';
import { measureGeneration, measurePromptProcessing, median, PromptPool } from './measureThroughput';
import { ReferenceLlamaBench } from './ReferenceLlamaBench';

/** Issue goal: the runtime host within 10% of llama.cpp's own llama-bench, for prompt processing and generation. */
export const llamaBenchRatioGoal = 0.9;

/**
 * llama.cpp's own `llama-bench`, built natively from the source node-llama-cpp ships, on the same model and threads:
 * what the hardware can do with this exact llama.cpp. The runtime host and llama-bench run interleaved, one run each in
 * turn per repetition (which goes first alternates), because on a shared machine speed drifts by 10% or more within
 * a minute: figures taken in separate blocks compare the machine's moods as much as the runtimes. The ratio is the median
 * of each turn's host / llama-bench. Built only with
 * `--reference` (about 5 minutes, cached); without it a cached build is used when there is one.
 */
export const referenceSection: BenchSection = {
    id: 'reference',
    title: 'Reference: llama.cpp\'s own llama-bench (native build of the same llama.cpp), interleaved with the runtime host',
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const nodeLlamaCppDir = nodeLlamaCppFolder();
        if (!nodeLlamaCppDir) {
            ctx.note('skipped: node-llama-cpp\'s package folder (with its bundled llama.cpp source) was not found');
            return [];
        }
        // On CUDA the reference is llama.cpp built with CUDA, all layers offloaded as the host offloads them.
        const cuda = ctx.model.backend === 'cuda';
        let bench = ReferenceLlamaBench.find({ nodeLlamaCppDir, cuda });
        const figures: BenchFigure[] = [];
        if (!bench) {
            if (!ctx.reference) {
                ctx.note('skipped: no reference build yet; `npm run bench -- --reference` builds llama.cpp\'s llama-bench once (~5 min, cached) and compares with it');
                return [];
            }
            ctx.log('Building the reference llama-bench (once; about 5 minutes on 2 cores)…');
            const started = performance.now();
            bench = await ReferenceLlamaBench.build({ nodeLlamaCppDir, cuda, onLine: line => ctx.log(`  ${line}`) });
            const seconds = (performance.now() - started) / 1000;
            ctx.note(`reference llama-bench built in ${seconds.toFixed(0)} s (cached in ${dirname(dirname(dirname(bench.binary)))})`);
            figures.push({ id: 'build.seconds', label: 'reference build time (this run only; cached afterwards)', value: seconds, unit: 's' });
        }
        const reference = bench;

        const eos = ctx.model.eosToken;
        const host = ctx.client;
        // With the CPU backend built for this CPU in use, node-llama-cpp's prebuilt binary takes the same turns in a host
        // of its own, so that BENCHMARKS.md shows what a user without that build gets, measured side by side.
        const prebuilt = ctx.model.runtimeBinary === 'optimized' ? await startPrebuiltHost(ctx) : undefined;
        const pool = await PromptPool.create(text => ctx.client.tokenize(text, { addBos: false }), ctx.promptTokens, ctx.seed);
        const startToken = ctx.model.bosToken ?? pool.anyToken;
        const samples = {
            pp: { host: [] as number[], llamaBench: [] as number[], prebuilt: [] as number[] },
            tg: { host: [] as number[], llamaBench: [] as number[], prebuilt: [] as number[] },
        };
        const tokens = { pp: ctx.promptTokens, tg: ctx.genTokens };
        const measureHost = async (test: 'pp' | 'tg', client: RuntimeClient = host) => {
            if (test === 'pp') return measurePromptProcessing(client, pool.next(client), ctx.seed, eos);
            const run = await measureGeneration(client, startToken, ctx.genTokens, ctx.seed, eos);
            pool.used(client, startToken);
            return run.tokensPerSecond;
        };
        const measureReference = async (test: 'pp' | 'tg') =>
            (await reference.measureOnce(ctx.modelPath, { threads: ctx.threads, test, tokens: tokens[test], ...cuda ? { gpuLayers: ctx.model.gpuLayers } : {} })).tokensPerSecond;

        ctx.log(`Running llama-bench ${reference.tag} interleaved with the runtime host (pp ${ctx.promptTokens}, tg ${ctx.genTokens}, ${ctx.threads} thread${ctx.threads === 1 ? '' : 's'}, ${ctx.repeat} repetition${ctx.repeat === 1 ? '' : 's'})…`);
        try {
            for (let r = 0; r < ctx.repeat; r++) {
                const hostFirst = r % 2 === 0;
                ctx.log(`  repetition ${r + 1}/${ctx.repeat} (${hostFirst ? 'host then llama-bench' : 'llama-bench then host'}, pp then tg)`);
                for (const test of ['pp', 'tg'] as const) {
                    for (const side of hostFirst ? ['host', 'llamaBench'] as const : ['llamaBench', 'host'] as const) {
                        samples[test][side].push(side === 'host' ? await measureHost(test) : await measureReference(test));
                    }
                    if (prebuilt) samples[test].prebuilt.push(await measureHost(test, prebuilt));
                }
            }
        } catch (error) {
            await prebuilt?.dispose();
            // Asked for explicitly, a failure is the answer; merely found in the cache, it must not hide the other figures.
            if (ctx.reference) throw error;
            ctx.note(`skipped: the cached llama-bench failed: ${(error as Error).message.split('\n')[0]}`);
            return [];
        }
        await prebuilt?.dispose();
        ctx.note(`llama-bench ${reference.tag}: ${reference.binary}; each of its runs is one repetition after its own warm-up run`);
        if (prebuilt) ctx.note('prebuilt: node-llama-cpp\'s prebuilt CPU binary (PROMPTSCOPE_RUNTIME_BINARY=prebuilt) in a second runtime host, measured after the other two in each turn');

        for (const test of ['pp', 'tg'] as const) {
            const name = test === 'pp' ? 'prompt processing' : 'generation';
            const { host: hostRuns, llamaBench: referenceRuns } = samples[test];
            // Each turn's two runs saw the same machine: the median of their ratios cancels drift between turns, which
            // a ratio of the two medians would not.
            const turnRatios = hostRuns.map((value, i) => value / referenceRuns[i]!);
            figures.push(
                { id: `${test}.llamaBench`, label: `${name} (${test} ${tokens[test]}), llama-bench`, value: median(referenceRuns), unit: 'tok/s', samples: referenceRuns },
                { id: `${test}.host`, label: `${name} (${test} ${tokens[test]}), runtime host, in the same turns`, value: median(hostRuns), unit: 'tok/s', samples: hostRuns },
                {
                    id: `${test}.hostVsLlamaBench`, label: `${test} ratio, runtime host / llama-bench (median of the turns' ratios)`,
                    value: median(turnRatios), unit: '×', samples: turnRatios, goal: { min: llamaBenchRatioGoal },
                },
            );
            const prebuiltRuns = samples[test].prebuilt;
            if (prebuiltRuns.length > 0) {
                const prebuiltRatios = prebuiltRuns.map((value, i) => value / referenceRuns[i]!);
                figures.push(
                    { id: `${test}.prebuilt`, label: `${name} (${test} ${tokens[test]}), runtime host on the prebuilt binary, in the same turns`, value: median(prebuiltRuns), unit: 'tok/s', samples: prebuiltRuns },
                    { id: `${test}.prebuiltVsLlamaBench`, label: `${test} ratio, prebuilt binary / llama-bench (median of the turns' ratios)`, value: median(prebuiltRatios), unit: '×', samples: prebuiltRatios },
                );
            }
        }
        return figures;
    },
    markdownSummary: formatBinaries,
};

/** A second runtime host with the bench's model on node-llama-cpp's prebuilt CPU binary. */
async function startPrebuiltHost(ctx: BenchContext): Promise<RuntimeClient> {
    const client = new RuntimeClient({
        env: { PROMPTSCOPE_RUNTIME_BINARY: 'prebuilt' },
        log: (level, message, source) => {
            if (ctx.verbose && level !== 'debug' && level !== 'trace') process.stderr.write(`[prebuilt ${source}] ${message}\n`);
        },
    });
    try {
        const info = await client.loadModel(ctx.loadOptions);
        if (info.runtimeBinary !== 'prebuilt') throw new Error(`the second host computes with the ${info.runtimeBinary ?? 'unknown'} binary`);
        return client;
    } catch (error) {
        await client.dispose();
        throw error;
    }
}

/** BENCHMARKS.md's "Prebuilt and optimized binaries": what the CPU backend built for this CPU changes, beside llama-bench. */
export function formatBinaries(runs: readonly SectionRun[]): string[] {
    const rows: string[] = [];
    for (const { model, section } of runs) {
        const byId = new Map(section.figures.map(f => [f.id, f]));
        for (const test of ['pp', 'tg'] as const) {
            const cell = (id: string) => {
                const figure = byId.get(`${test}.${id}`);
                return figure ? `${formatValue(figure.value, figure.unit)}${figure.unit === '×' ? '×' : ''}` : '—';
            };
            if (!byId.has(`${test}.prebuilt`)) continue;
            const size = test === 'pp' ? model.promptTokens : model.genTokens;
            rows.push(`| ${model.name} | ${model.threads} | ${test}${size} | ${cell('host')} | ${cell('prebuilt')} | ${cell('llamaBench')} `
                + `| ${cell('hostVsLlamaBench')} | ${cell('prebuiltVsLlamaBench')} |`);
        }
    }
    if (rows.length === 0) return [];
    return [
        '## Prebuilt and optimized binaries',
        '',
        'What a user gets from node-llama-cpp\'s prebuilt binary (its generic CPU variant) and from the default install, which',
        'builds llama.cpp\'s CPU backend for this CPU at `npm install` (or in the background on first use of an installed `.vsix`),',
        'each in a runtime host of its own, taking turns with llama.cpp\'s own `llama-bench` (tok/s, medians; ratios are medians of',
        'the turns\' ratios).',
        '',
        '| model | threads | test | optimized (default) | prebuilt | llama-bench | optimized / llama-bench | prebuilt / llama-bench |',
        '|---|---:|---|---:|---:|---:|---:|---:|',
        ...rows,
    ];
}
