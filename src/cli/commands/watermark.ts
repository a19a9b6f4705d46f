import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SamplingOptions } from '../../shared/runtimeApi';
import { watermarkDefaults } from '../../shared/watermark';
import { detectWatermark } from '../../core/watermark/detectWatermark';
import { watermarkKeyHash } from '../../core/watermark/greenList';
import { runWatermarkExperiment, formatWatermarkExperiment } from '../../core/watermark/watermarkExperiment';
import type { CliCommand } from '../CliCommand';
import { modelOptions } from '../modelFlags';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag, numberFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { writeOutputFile, checkOutputPath } from '../outputFlag';
import { UsageError } from '../UsageError';
import { withFlagModel } from '../withFlagModel';

const usage = `Usage: promptscope watermark detect (FILE | --text "…") --key K [--gamma G] [--threshold Z] [--all-pairs] --model M [--json]
       promptscope watermark experiment --key K [--gamma G] [--delta D] [--samples N] [--unmarked N] [--tokens T]
                                        [--human FILE]… [--markdown FILE] --model M [--json]

detect       Is the text watermarked with key K? Each token after the first is green or red under the green list its
             previous token seeds (γ of the vocabulary; the hash is documented in src/core/watermark/greenList.ts);
             z = (green − γT) / √(T γ (1 − γ)) over the T scored tokens, with its one-sided p-value. Only the
             model's tokenizer is used. Repeated (previous, token) pairs are scored once unless --all-pairs.
experiment   Measures the watermark on the model: detection rate of --samples watermarked generations of --tokens
             tokens at z > --threshold, false positives on --unmarked plain generations and on human text
             (--human files, cut into pieces of --tokens tokens), z against the share of tokens replaced by random
             ones (the attack curve), and the perplexity cost; rates with Wilson 95% intervals.

Options:
  --key K              The watermark's key (required)
  --gamma G            Green share of the vocabulary (default ${watermarkDefaults.gamma})
  --delta D            Bias on green logits when generating (experiment; default ${watermarkDefaults.delta})
  --threshold Z        z above which text counts as watermarked (default 4)
  --all-pairs          Score every token, repeated (previous, token) pairs too
  --samples N          Watermarked generations (experiment; default 100)
  --unmarked N         Plain generations for the false-positive rate (experiment; default 500)
  --tokens T           Tokens per generation (experiment; default 200)
  --temperature T      Sampling temperature of the generations (experiment; default 1)
  --human FILE         Human-written text for the false-positive rate (experiment; repeatable)
  --markdown FILE      Also write the experiment's tables as Markdown
  --text TEXT, --model M, --threads N, --gpu G, --runtime-timeout S   as for run
`;

export const watermarkCommand: CliCommand = {
    name: 'watermark',
    summary: 'Detect a watermark in text, or measure detection, false positives, attacks and cost on a model',
    usage,
    allowPositionals: true,
    options: {
        ...stringOptions('text', 'key', 'gamma', 'delta', 'threshold', 'samples', 'unmarked', 'tokens', 'temperature', 'markdown'),
        human: { type: 'string', multiple: true },
        ...booleanOptions('all-pairs'),
        ...modelOptions,
    },
    async run({ values, positionals, json, verbose }) {
        const [sub, ...rest] = positionals;
        if (sub !== 'detect' && sub !== 'experiment') throw new UsageError('give a subcommand: watermark detect … or watermark experiment …');
        const key = values.key as string | undefined;
        if (key === undefined || key === '') throw new UsageError('--key K is required: the green lists are seeded by the key');
        const gamma = numberFlag(values, 'gamma') ?? watermarkDefaults.gamma;
        if (!(gamma > 0 && gamma < 1)) throw new UsageError(`--gamma must be a number in (0, 1), got ${gamma}`);
        const threshold = numberFlag(values, 'threshold') ?? 4;
        const ignoreRepeated = values['all-pairs'] !== true;
        if (sub === 'detect') return detect(values, rest, { key, gamma, threshold, ignoreRepeated, json, verbose });

        if (rest.length > 0) throw new UsageError('watermark experiment takes no file: it generates its own text');
        const delta = numberFlag(values, 'delta') ?? watermarkDefaults.delta;
        if (!(delta >= 0)) throw new UsageError(`--delta must be a number ≥ 0, got ${delta}`);
        const count = (name: string, fallback: number, min: number) => {
            const value = integerFlag(values, name) ?? fallback;
            if (value < min) throw new UsageError(`--${name} must be at least ${min}, got ${value}`);
            return value;
        };
        const samples = count('samples', 100, 1);
        const unmarked = count('unmarked', 500, 1);
        const tokens = count('tokens', 200, 2);
        const temperature = numberFlag(values, 'temperature') ?? 1;
        const humanFiles = ((values.human as string[] | undefined) ?? []).map(file => resolve(file));
        const human = humanFiles.map(file => ({ file, text: readFileSync(file, 'utf8') }));
        const markdown = typeof values.markdown === 'string' ? checkOutputPath('--markdown', values.markdown) : undefined;
        return withFlagModel(values, verbose, async ({ session, signal, model }) => {
            const sampling: SamplingOptions = { temperature, maxTokens: tokens, ...(model.eosToken !== undefined ? { logitBias: { [model.eosToken]: 'ban' as const } } : {}) };
            const result = await runWatermarkExperiment(session.client, {
                watermark: { key, gamma, delta }, samples, unmarked, tokens, sampling, human, threshold, ignoreRepeated, signal,
                onProgress: line => { if (!json) process.stderr.write(`${line}\n`); },
            });
            const report = { model: model.name, ...result };
            if (markdown) writeOutputFile('--markdown', markdown, formatWatermarkExperiment(report));
            if (json) printJson(report);
            else process.stdout.write(formatWatermarkExperiment(report));
            return signal.aborted ? 130 : 0;
        });
    },
};

async function detect(values: Record<string, unknown>, files: string[], options: { key: string; gamma: number; threshold: number; ignoreRepeated: boolean; json: boolean; verbose: boolean }): Promise<number> {
    if ((files.length === 1) === (values.text !== undefined) || files.length > 1) throw new UsageError('give either one text file or --text "…" to check');
    const text = files.length === 1 ? readFileSync(resolve(files[0]!), 'utf8') : values.text as string;
    return withFlagModel(values, options.verbose, async ({ session, model }) => {
        const tokens = await session.client.tokenize(text, { addBos: false });
        const detection = detectWatermark(tokens, { keyHash: watermarkKeyHash(options.key), gamma: options.gamma, ignoreRepeated: options.ignoreRepeated });
        const watermarked = detection.z > options.threshold;
        if (options.json) {
            const texts = await session.client.tokenTexts(tokens);
            printJson({
                model: model.name, gamma: options.gamma, threshold: options.threshold, ignoreRepeated: options.ignoreRepeated,
                scored: detection.scored, green: detection.green, z: detection.z, pValue: detection.pValue, watermarked,
                tokens: detection.tokens.map((t, i) => ({ id: tokens[i], text: texts[i]?.text ?? '', ...t })),
            });
        } else {
            process.stdout.write(`${watermarked ? 'watermarked' : 'not watermarked'}: z = ${detection.z.toFixed(2)} (threshold ${options.threshold}), `
                + `p = ${detection.pValue.toExponential(2)}; ${detection.green} of ${detection.scored} scored tokens green (γ = ${options.gamma}, `
                + `${tokens.length} tokens${options.ignoreRepeated ? ', repeated pairs scored once' : ''})\n`);
        }
        return 0;
    });
}
