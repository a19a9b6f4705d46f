import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionResult, SpeculativeOptions } from '../../shared/runtimeApi';
import { nodeLlamaCppFolder } from '../../runtime/build/nodeLlamaCppFolder';
import type { BenchContext, BenchFigure, BenchSection, SectionRun } from './BenchSection';
import { benchFixture } from './benchFixture';
import { benchSampling, median, medianOfPairedRatios } from './measureThroughput';
import { ReferenceBuild } from './ReferenceBuild';
import { runProcess } from './runProcess';
import { nodeLlamaSpeculationInProcess, type NodeLlamaSpeculationJob } from './inProcessEngine';

/** Issue goal: our speculative decoding reaches at least this share of llama.cpp's own on the same pair and threads. */
export const speculativeGoal = 0.9;

/** The settings both runtimes speculate with: up to 8 drafted tokens a round, every draft token taken (p-min 0). */
const maxDraft = 8;

const prompt = 'The quick brown fox jumps over the lazy dog. The quick brown fox';

interface Drafter {
    id: string;
    label: string;
    speculative: SpeculativeOptions;
    /** llama-speculative-simple's arguments for the same drafter. */
    reference: string[];
    /** node-llama-cpp's token predictor for the same drafter. */
    nodeLlamaCpp: NodeLlamaSpeculationJob['drafter'];
}

/**
 * Greedy generation with speculative decoding against plain generation of the same tokens (runs alternating), for
 * drafters of the model under test: its own Q8_0 and Q4_0 copies (quantized here by llama.cpp's quantizer), for a
 * fixture the tiny fixture of the same vocabulary, and prompt lookup; then llama.cpp's llama-speculative-simple on the
 * same pair, threads and draft settings. The draft and verify times say where the time goes when there is no gain.
 */
export const speculativeSection: BenchSection = {
    id: 'speculative',
    title: `Speculative decoding (greedy, up to ${maxDraft} drafted tokens a round) vs plain generation, and llama.cpp's llama-speculative-simple`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const folder = mkdtempSync(join(tmpdir(), 'promptscope-bench-drafts-'));
        try {
            const drafters = await draftersFor(ctx, folder);
            const sampling = benchSampling(ctx.genTokens, ctx.seed, ctx.model.eosToken);
            const plainRun = () => ctx.client.complete({ prompt, sampling });
            const figures: BenchFigure[] = [];
            const plainSpeed: number[] = [];
            const plain = await plainRun();
            const reference = await findReference(ctx);
            for (const drafter of drafters) {
                // Untimed: loads the draft model and creates its context.
                const first = await ctx.client.complete({ prompt, sampling, speculative: drafter.speculative });
                if (first.tokens.join() !== plain.tokens.join()) ctx.note(`${drafter.label}: the tokens differ from plain generation's (float rounding of batched rows)`);
                const speculativeSpeed: number[] = [];
                const basis: number[] = [];
                let last: CompletionResult = first;
                for (let r = 0; r < ctx.repeat; r++) {
                    ctx.log(`  ${drafter.label}: repetition ${r + 1}/${ctx.repeat}`);
                    for (const which of r % 2 === 0 ? ['plain', 'speculative'] : ['speculative', 'plain']) {
                        if (which === 'plain') basis.push((await plainRun()).timing.tokensPerSecond);
                        else {
                            last = await ctx.client.complete({ prompt, sampling, speculative: drafter.speculative });
                            speculativeSpeed.push(last.timing.tokensPerSecond);
                        }
                    }
                }
                plainSpeed.push(...basis);
                const s = last.speculative!;
                figures.push(
                    { id: `${drafter.id}.tps`, label: `${drafter.label}: generation`, value: median(speculativeSpeed), unit: 'tok/s', samples: speculativeSpeed },
                    { id: `${drafter.id}.speedup`, label: `${drafter.label}: speed-up over plain generation (median of paired ratios)`, ...medianOfPairedRatios(speculativeSpeed, basis), unit: '×' },
                    { id: `${drafter.id}.acceptance`, label: `${drafter.label}: drafted tokens accepted (${s.accepted} of ${s.drafted}, ${s.rounds} rounds for ${last.tokens.length} tokens)`, value: s.drafted > 0 ? 100 * s.accepted / s.drafted : 0, unit: '%' },
                    { id: `${drafter.id}.draftMs`, label: `${drafter.label}: drafting time per round`, value: s.draftMs / Math.max(1, s.rounds), unit: 'ms' },
                    { id: `${drafter.id}.verifyMs`, label: `${drafter.label}: verifying time per round (one batch of the model)`, value: s.verifyMs / Math.max(1, s.rounds), unit: 'ms' },
                );
                const predicted = await nodeLlamaSpeculationInProcess(ctx.loadOptions, ctx.verbose, Array.from({ length: ctx.repeat }, () => ({
                    prompt, tokens: ctx.genTokens, drafter: drafter.nodeLlamaCpp, ...(ctx.model.eosToken !== undefined ? { bannedToken: ctx.model.eosToken } : {}),
                })));
                const predictedSpeed = predicted.map(run => run.tokensPerSecond);
                const lastPredicted = predicted.at(-1)!;
                if (lastPredicted.tokens.join() !== plain.tokens.join()) ctx.note(`${drafter.label}: node-llama-cpp's predictor run's tokens differ from plain generation's`);
                figures.push(
                    { id: `${drafter.id}.nodeLlamaCpp.tps`, label: `${drafter.label}: node-llama-cpp's ${'draftModel' in drafter.nodeLlamaCpp ? 'DraftSequenceTokenPredictor' : 'InputLookupTokenPredictor'} in-process (confirmed ${lastPredicted.validated}, refuted ${lastPredicted.refuted})`, value: median(predictedSpeed), unit: 'tok/s', samples: predictedSpeed },
                    { id: `${drafter.id}.vsNodeLlamaCpp`, label: `${drafter.label}: ours / node-llama-cpp's predictor`, value: median(speculativeSpeed) / median(predictedSpeed), unit: '×' },
                );
                if (reference) {
                    const theirs = await runReference(ctx, reference, drafter);
                    if (theirs) {
                        figures.push(
                            { id: `${drafter.id}.reference.tps`, label: `${drafter.label}: llama-speculative-simple (accepted ${theirs.acceptance.toFixed(1)}%)`, value: median(theirs.speeds), unit: 'tok/s', samples: theirs.speeds },
                            { id: `${drafter.id}.vsReference`, label: `${drafter.label}: ours / llama-speculative-simple`, value: median(speculativeSpeed) / median(theirs.speeds), unit: '×', goal: { min: speculativeGoal } },
                        );
                    }
                }
            }
            figures.splice(0, 0, { id: 'plain.tps', label: `plain generation (${ctx.genTokens} tokens, median over every drafter's paired runs)`, value: median(plainSpeed), unit: 'tok/s', samples: plainSpeed });
            return figures;
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    },
    markdownSummary: formatSpeculation,
};

async function draftersFor(ctx: BenchContext, folder: string): Promise<Drafter[]> {
    const drafters: Drafter[] = [];
    for (const type of ['Q8_0', 'Q4_0'] as const) {
        const path = join(folder, `draft-${type}.gguf`);
        ctx.log(`  quantizing the model to ${type} for a draft…`);
        try {
            await ctx.client.quantizeModel({ input: ctx.modelPath, output: path, type });
        } catch (error) {
            ctx.note(`the ${type} draft was left out: ${(error as Error).message}`);
            continue;
        }
        drafters.push(draftModel(`q${type === 'Q8_0' ? 8 : 4}`, `its ${type} copy as draft`, path));
    }
    if (ctx.model.name.startsWith('Promptscope fixture') && ctx.model.architecture === 'llama' && ctx.model.parameters > 10_000_000) {
        const tiny = await benchFixture('tiny', ctx.log, { vocab: ctx.model.vocabularySize });
        drafters.push(draftModel('tiny', 'the tiny fixture of the same vocabulary as draft', tiny));
    }
    drafters.push({
        // Trigrams on both sides: llama-speculative-simple's ngram-simple matches one n-gram size.
        id: 'lookup', label: 'prompt lookup (trigrams)', speculative: { lookup: { ngramMin: 3, ngramMax: 3 }, maxDraft },
        reference: ['--spec-type', 'ngram-simple', '--spec-ngram-simple-size-n', '3', '--spec-ngram-simple-size-m', String(maxDraft)],
        nodeLlamaCpp: { lookup: { ngram: 3, maxDraft } },
    });
    return drafters;
}

function draftModel(id: string, label: string, path: string): Drafter {
    return {
        id, label, speculative: { draftModel: path, maxDraft, minProbability: 0 },
        reference: ['--spec-type', 'draft-simple', '-md', path, '--spec-draft-n-max', String(maxDraft), '--spec-draft-n-min', '0', '--draft-p-min', '0'],
        nodeLlamaCpp: { draftModel: path, maxDraft, minProbability: 0 },
    };
}

/** The built llama-speculative-simple, building it when `--reference` asks; undefined (with a note why) when there is none. */
async function findReference(ctx: BenchContext): Promise<string | undefined> {
    const nodeLlamaCppDir = nodeLlamaCppFolder();
    if (!nodeLlamaCppDir) {
        ctx.note('llama-speculative-simple left out: node-llama-cpp\'s package folder was not found');
        return undefined;
    }
    if (ctx.model.backend !== 'cpu') {
        ctx.note(`llama-speculative-simple left out: the model runs on ${ctx.model.backend}, and this comparison is made with llama.cpp's CPU build only`);
        return undefined;
    }
    const cached = ReferenceBuild.find({ nodeLlamaCppDir }, 'llama-speculative-simple');
    if (cached) return cached;
    if (!ctx.reference) {
        ctx.note('llama-speculative-simple left out: no reference build yet; `npm run bench -- --reference` builds it once (cached)');
        return undefined;
    }
    ctx.log('Building the reference llama-speculative-simple (once; seconds beside an existing reference build, else about 5 minutes)…');
    return ReferenceBuild.build({ nodeLlamaCppDir, onLine: line => ctx.log(`  ${line}`) }, 'llama-speculative-simple');
}

/** llama-speculative-simple's decoding speed and acceptance, median over the repetitions; undefined (noted) when it prints none. */
async function runReference(ctx: BenchContext, binary: string, drafter: Drafter): Promise<{ speeds: number[]; acceptance: number } | undefined> {
    const speeds: number[] = [];
    let acceptance = 0;
    for (let r = 0; r < ctx.repeat; r++) {
        // Its logger writes from a thread of its own and now and then loses the last lines at exit: such a run is repeated.
        for (let attempt = 0; attempt < 3; attempt++) {
            const output = await runProcess(binary, ['-m', ctx.modelPath, ...drafter.reference, '-p', prompt, '-n', String(ctx.genTokens), '--temp', '0',
                '-t', String(ctx.threads), '-td', String(ctx.threads), '-c', String(ctx.model.contextSize), '-ngl', '0'], undefined, true, true);
            const speed = /decoded\s+\d+ tokens in\s+[\d.]+ seconds, speed:\s+([\d.]+) t\/s/.exec(output)?.[1];
            const accepted = /n_accept\s+=\s+(\d+)/.exec(output)?.[1];
            const drafted = /n_drafted\s+=\s+(\d+)/.exec(output)?.[1];
            if (speed === undefined) continue;
            speeds.push(Number(speed));
            acceptance = Number(drafted) > 0 ? 100 * Number(accepted) / Number(drafted) : 0;
            break;
        }
    }
    if (speeds.length === 0) {
        ctx.note(`${drafter.label}: llama-speculative-simple printed no speed`);
        return undefined;
    }
    return { speeds, acceptance };
}

/** BENCHMARKS.md: when speculation paid off, and the costs that say why it did not. */
function formatSpeculation(runs: readonly SectionRun[]): string[] {
    const lines = [
        'Speculative decoding pays when acceptance × (the model\'s cost per token − the draft\'s) outweighs the extra rows a',
        'rejected draft costs the model. Each row: speed-up over plain generation in the same run, acceptance, and the',
        'per-round drafting and verifying times that explain it.',
        '',
        '| model | threads | drafter | speed-up | accepted | draft ms / round | verify ms / round | ours / llama.cpp | ours / node-llama-cpp\'s predictor |',
        '|---|---|---|---|---|---|---|---|---|',
    ];
    for (const { model, section } of runs) {
        const figure = (id: string) => section.figures.find(f => f.id === id);
        for (const drafter of ['q8', 'q4', 'tiny', 'lookup']) {
            const speedup = figure(`${drafter}.speedup`);
            if (!speedup) continue;
            const vs = figure(`${drafter}.vsReference`);
            lines.push(`| ${model.name} | ${model.threads} | ${figure(`${drafter}.speedup`)!.label.split(':')[0]} | ${speedup.value.toFixed(2)}× `
                + `| ${figure(`${drafter}.acceptance`)!.value.toFixed(1)}% | ${figure(`${drafter}.draftMs`)!.value.toFixed(1)} | ${figure(`${drafter}.verifyMs`)!.value.toFixed(1)} `
                + `| ${vs ? `${vs.value.toFixed(2)}×` : '—'} | ${figure(`${drafter}.vsNodeLlamaCpp`)?.value.toFixed(2) ?? '—'}× |`);
        }
    }
    return lines;
}
