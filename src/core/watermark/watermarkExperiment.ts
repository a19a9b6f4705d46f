import type { CompletionRequest, CompletionResult, SamplingOptions, TokenProbabilitiesRequest, TokenProbabilitiesResult } from '../../shared/runtimeApi';
import type { WatermarkOptions } from '../../shared/watermark';
import { meanInterval, wilsonInterval, type Interval, type MeanEstimate } from '../statistics/intervals';
import { detectWatermark } from './detectWatermark';
import { watermarkKeyHash } from './greenList';

/** What the experiment needs of a runtime (the runtime client serves it). */
export interface WatermarkExperimentModel {
    complete(request: CompletionRequest, options?: { signal?: AbortSignal }): Promise<CompletionResult>;
    tokenProbabilities(request: TokenProbabilitiesRequest, options?: { signal?: AbortSignal }): Promise<TokenProbabilitiesResult>;
    tokenize(text: string, options?: { addBos?: boolean }): Promise<number[]>;
    modelInfo(): Promise<{ vocabularySize: number } | undefined>;
}

export interface WatermarkExperimentOptions {
    watermark: Required<Pick<WatermarkOptions, 'key' | 'gamma' | 'delta'>>;
    samples: number;
    unmarked: number;
    tokens: number;
    /** The generations' sampling (seeds are the experiment's). */
    sampling: SamplingOptions;
    human: { file: string; text: string }[];
    threshold: number;
    ignoreRepeated: boolean;
    /** Shares of tokens replaced by random ones in the attack curve. Defaults to 0.1 … 0.5. */
    replaced?: number[];
    signal?: AbortSignal;
    onProgress?: (line: string) => void;
}

export interface DetectionRate {
    n: number;
    /** Texts with z above the threshold. */
    detected: number;
    rate: Interval;
    meanZ: MeanEstimate;
}

export interface WatermarkExperimentResult {
    settings: { gamma: number; delta: number; tokens: number; threshold: number; ignoreRepeated: boolean; temperature: number | undefined };
    watermarked: DetectionRate;
    unmarked: DetectionRate;
    human: (DetectionRate & { file: string })[];
    attack: (DetectionRate & { replaced: number })[];
    /** Per-token log-probability under the unwatermarked model (raw, temperature 1) of each generation's tokens. */
    perplexity: { watermarked: number; unmarked: number; meanLogprob: { watermarked: MeanEstimate; unmarked: MeanEstimate } };
    ms: number;
}

/** Prompt starters the generations cycle through (seed i uses starter i mod their count). */
const starters = [
    'The river ran past the old stone mill and', 'In the morning the market opened with', 'She wrote a letter to her brother about',
    'The committee decided that the new bridge', 'After the storm, the village', 'Our tests show that the algorithm',
    'He opened the door and saw', 'The recipe calls for two cups of', 'Scientists have long wondered why', 'At the end of the season the team',
];

/**
 * The watermark measured on a model: generate with and without it, detect, attack, and compare perplexities. The
 * watermarked and plain generations use the same starters and sampling; a generation's tokens are scored as the
 * detector would score them, the first after the starter's last token.
 */
export async function runWatermarkExperiment(model: WatermarkExperimentModel, options: WatermarkExperimentOptions): Promise<WatermarkExperimentResult> {
    const started = performance.now();
    const { watermark, tokens: length, threshold, ignoreRepeated, signal } = options;
    const keyHash = watermarkKeyHash(watermark.key);
    const say = options.onProgress ?? (() => undefined);
    const vocabularySize = (await model.modelInfo())?.vocabularySize ?? 0;
    const lastTokens = await Promise.all(starters.map(async s => (await model.tokenize(s, { addBos: true })).at(-1)!));
    const zOf = (tokens: readonly number[]) => detectWatermark(tokens, { keyHash, gamma: watermark.gamma, ignoreRepeated }).z;

    const generate = async (count: number, seedBase: number, marked: boolean, label: string) => {
        const runs: { starter: number; tokens: number[] }[] = [];
        for (let i = 0; i < count && !signal?.aborted; i++) {
            if (i % 50 === 0) say(`${label}: ${i}/${count}`);
            const starter = i % starters.length;
            const result = await model.complete({
                prompt: starters[starter]!,
                sampling: { ...options.sampling, maxTokens: length, seed: seedBase + i, ...(marked ? { watermark } : {}) },
            }, { signal });
            runs.push({ starter, tokens: result.tokens });
        }
        return runs;
    };
    const rate = (zs: number[]): DetectionRate => {
        const detected = zs.filter(z => z > threshold).length;
        return { n: zs.length, detected, rate: wilsonInterval(detected, zs.length), meanZ: meanInterval(zs.filter(z => !Number.isNaN(z))) };
    };

    const marked = await generate(options.samples, 1, true, 'watermarked generations');
    const plain = await generate(options.unmarked, 1_000_001, false, 'plain generations');
    const scoredTokens = (run: { starter: number; tokens: number[] }) => [lastTokens[run.starter]!, ...run.tokens];

    const human: WatermarkExperimentResult['human'] = [];
    for (const { file, text } of options.human) {
        const ids = await model.tokenize(text, { addBos: false });
        const zs: number[] = [];
        for (let at = 0; at + length <= ids.length; at += length) zs.push(zOf(ids.slice(at, at + length)));
        human.push({ file, ...rate(zs) });
    }

    // The attack: a share of each watermarked text's tokens replaced by uniformly random ids, positions and ids from a
    // seeded generator, so a run is repeatable.
    const random = mulberry32(20231);
    const attack = (options.replaced ?? [0.1, 0.2, 0.3, 0.4, 0.5]).map(replaced => ({
        replaced,
        ...rate(marked.map(run => {
            const tokens = [...run.tokens];
            const positions = shuffle([...tokens.keys()], random).slice(0, Math.round(replaced * tokens.length));
            for (const p of positions) tokens[p] = Math.floor(random() * vocabularySize);
            return zOf([lastTokens[run.starter]!, ...tokens]);
        })),
    }));

    say('perplexity of both kinds of text under the plain model');
    const meanLogprob = async (runs: { starter: number; tokens: number[] }[]) => {
        const means: number[] = [];
        for (const run of runs) {
            if (signal?.aborted || run.tokens.length === 0) continue;
            const pass = await model.tokenProbabilities({ prompt: starters[run.starter]!, generated: run.tokens, topK: 1 }, { signal });
            const logprobs = pass.tokens.filter(t => t.source === 'generated').map(t => t.logprob!);
            means.push(logprobs.reduce((a, b) => a + b, 0) / logprobs.length);
        }
        return meanInterval(means);
    };
    const markedLogprob = await meanLogprob(marked);
    const plainLogprob = await meanLogprob(plain.slice(0, marked.length));
    return {
        settings: { gamma: watermark.gamma, delta: watermark.delta, tokens: length, threshold, ignoreRepeated, temperature: options.sampling.temperature },
        watermarked: rate(marked.map(run => zOf(scoredTokens(run)))),
        unmarked: rate(plain.map(run => zOf(scoredTokens(run)))),
        human,
        attack,
        perplexity: { watermarked: Math.exp(-markedLogprob.estimate), unmarked: Math.exp(-plainLogprob.estimate), meanLogprob: { watermarked: markedLogprob, unmarked: plainLogprob } },
        ms: performance.now() - started,
    };
}

/** The experiment's tables in Markdown, rates with their Wilson 95% intervals. */
export function formatWatermarkExperiment(report: WatermarkExperimentResult & { model: string }): string {
    const pct = (i: Interval) => `${(i.estimate * 100).toFixed(1)}% [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]`;
    const z = (m: MeanEstimate) => `${m.estimate.toFixed(2)} ± ${(1.96 * m.standardError).toFixed(2)}`;
    const s = report.settings;
    const lines = [
        `Watermark on ${report.model}: γ = ${s.gamma}, δ = ${s.delta}, ${s.tokens} tokens, temperature ${s.temperature ?? 'default'}, detected at z > ${s.threshold}`
            + `${s.ignoreRepeated ? ', repeated pairs scored once' : ''}. Rates with Wilson 95% intervals; z as mean ± 95% interval.`,
        '',
        '| text | n | detected as watermarked | mean z |',
        '|---|---|---|---|',
        `| watermarked generations | ${report.watermarked.n} | ${pct(report.watermarked.rate)} | ${z(report.watermarked.meanZ)} |`,
        `| plain generations (false positives) | ${report.unmarked.n} | ${pct(report.unmarked.rate)} | ${z(report.unmarked.meanZ)} |`,
        ...report.human.map(h => `| human text: ${h.file.split('/').pop()} (${h.n} pieces, false positives) | ${h.n} | ${h.n > 0 ? pct(h.rate) : '—'} | ${h.n > 1 ? z(h.meanZ) : '—'} |`),
        '',
        '| tokens replaced at random | detected | mean z |',
        '|---|---|---|',
        `| 0% | ${pct(report.watermarked.rate)} | ${z(report.watermarked.meanZ)} |`,
        ...report.attack.map(a => `| ${(a.replaced * 100).toFixed(0)}% | ${pct(a.rate)} | ${z(a.meanZ)} |`),
        '',
        `Perplexity under the plain model (raw log-probabilities of the generated tokens): watermarked ${report.perplexity.watermarked.toFixed(2)}, `
            + `plain ${report.perplexity.unmarked.toFixed(2)} (mean log-probability per token ${z(report.perplexity.meanLogprob.watermarked)} vs `
            + `${z(report.perplexity.meanLogprob.unmarked)}). ${(report.ms / 1000).toFixed(0)} s.`,
        '',
    ];
    return lines.join('\n');
}

function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function shuffle<T>(items: T[], random: () => number): T[] {
    for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
}
