import { resolve } from 'node:path';
import type { CompareModelsResult } from '../../shared/runtimeApi';
import { summarizeModelComparison, type ModelComparisonSummary } from '../../core/comparison/summarizeModelComparison';
import { escapeControlCharacters } from '../../core/text/escapeControlCharacters';
import type { CliCommand } from '../CliCommand';
import { stringOptions, booleanOptions } from '../optionTables';
import { integerFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { preparePromptTarget, promptTarget, promptTargetOptions } from '../promptTarget';
import { UsageError } from '../UsageError';
import { withFlagModel } from '../withFlagModel';

const usage = `Usage: promptscope compare-models BASE.gguf OTHER.gguf (FILE.prompt | FILE.txt | --prompt FILE | --text "…") [options]

What changing the weights (quantizing, fine-tuning) does to one prompt: both models read the same tokens (the prompt
as BASE renders it) and each position's raw next-token distributions are compared over the whole vocabulary:
  KL        KL(BASE ‖ OTHER) in nats, mean with its 95% interval, median and maximum
  top-1     share of positions where both models' most likely token is the same (Wilson 95% interval)
  Δ log P   OTHER's minus BASE's log-probability of the text's next token, mean with its 95% interval
  perplexity of the text under each model
The models must share a vocabulary (e.g. a model and its quantized copy).

Options:
  --prompt FILE        the prompt file (instead of the third positional)
  --from N             summarize from position N on (earlier positions still give the later ones context; default 0)
  --top N              list the N positions of highest KL (default 10)
  --no-exact           F16 KV cache and flash attention where llama.cpp picks it, instead of F32 and none
  --text TEXT, --input JSON, --threads N, --runtime-timeout S   as for probs
  --json               Print {base, other, tokens, tokenTexts, kl, baseTop, otherTop, baseLogprob, otherLogprob,
                       baseEntropy, otherEntropy, vocabularySize, exact, ms, summary}
`;

export const compareModelsCommand: CliCommand = {
    name: 'compare-models',
    summary: 'Compare two models of one vocabulary (e.g. quantized) on a prompt: KL, top-1 agreement, perplexity',
    usage,
    allowPositionals: true,
    options: { ...promptTargetOptions, ...stringOptions('prompt', 'from', 'top', 'threads', 'runtime-timeout'), ...booleanOptions('no-exact') },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length < 2) throw new UsageError('give the two models, then the prompt: compare-models BASE.gguf OTHER.gguf FILE.prompt');
        const [base, other, ...rest] = positionals as [string, string, ...string[]];
        if (typeof values.prompt === 'string') rest.push(values.prompt);
        const from = integerFlag(values, 'from') ?? 0;
        if (from < 0) throw new UsageError(`--from must be ≥ 0, got ${from}`);
        const top = integerFlag(values, 'top') ?? 10;
        if (top < 0) throw new UsageError(`--top must be ≥ 0, got ${top}`);
        const source = await preparePromptTarget(promptTarget(rest, values), values);
        const prompt = source.kind === 'chat' ? source.messages : source.text;
        const exact = values['no-exact'] !== true;
        return withFlagModel({ ...values, model: base, gpu: 'off' }, verbose, async ({ session, signal }) => {
            const result = await session.client.compareModels({ other: resolve(other), prompt, exact }, { signal });
            if (from >= result.tokens.length - 1) throw new UsageError(`--from ${from}: the prompt has ${result.tokens.length} tokens, so positions 0-${result.tokens.length - 2} predict one`);
            const summary = summarizeModelComparison(result, from);
            if (json) {
                printJson({ ...result, summary });
                return 0;
            }
            process.stdout.write(formatComparison(result, summary, top));
            return 0;
        });
    },
};

function formatComparison(result: CompareModelsResult, summary: ModelComparisonSummary, top: number): string {
    const ci = (low: number, high: number, digits: number) => `[${low.toFixed(digits)}, ${high.toFixed(digits)}]`;
    const text = (position: number) => JSON.stringify(escapeControlCharacters(result.tokenTexts[position]?.text ?? ''));
    const lines = [
        `BASE  ${result.base}`,
        `OTHER ${result.other}`,
        `${summary.positions} positions, vocabulary ${result.vocabularySize}${result.exact ? '' : ', not exact (F16 KV)'}, ${Math.round(result.ms)} ms`,
        `KL(BASE ‖ OTHER)  mean ${summary.meanKl.estimate.toFixed(6)} nats, 95% CI ${ci(summary.meanKl.low, summary.meanKl.high, 6)}; median ${summary.medianKl.toFixed(6)}, max ${summary.maxKl.toFixed(6)}`,
        `top-1 agreement   ${(summary.top1Agreement.estimate * 100).toFixed(2)}% (${summary.top1Agreement.agreeing}/${summary.positions}), 95% CI ${ci(summary.top1Agreement.low * 100, summary.top1Agreement.high * 100, 2)}%`,
        `Δ log P (O − B)   mean ${summary.deltaLogprob.estimate.toFixed(6)}, 95% CI ${ci(summary.deltaLogprob.low, summary.deltaLogprob.high, 6)}`,
        `perplexity        BASE ${summary.basePerplexity.toFixed(4)}, OTHER ${summary.otherPerplexity.toFixed(4)}`,
    ];
    const positions = [...Array(result.tokens.length - 1).keys()].sort((a, b) => result.kl[b]! - result.kl[a]!).slice(0, top);
    if (positions.length > 0) {
        lines.push(`highest KL (position: next token, KL, log P base → other):`);
        for (const p of positions) {
            lines.push(`  ${p}: ${text(p + 1)}  ${result.kl[p]!.toFixed(6)}  ${result.baseLogprob[p]!.toFixed(4)} → ${result.otherLogprob[p]!.toFixed(4)}`
                + (result.baseTop[p] === result.otherTop[p] ? '' : `  (top ${result.baseTop[p]} → ${result.otherTop[p]})`));
        }
    }
    return `${lines.join('\n')}\n`;
}
