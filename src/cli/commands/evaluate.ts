import { resolve } from 'node:path';
import { checkExpected, datasetInput, readDataset } from '../../core/reasoning/dataset';
import { evaluateDataset } from '../../core/reasoning/evaluateDataset';
import { DatasetRowError } from '../../core/reasoning/errors/DatasetRowError';
import { handlingFor, requestAdapters } from '../../core/reasoning/executeStrategy';
import { runRecord } from '../../core/reasoning/history/runRecord';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import type { CliCommand } from '../CliCommand';
import { EvalOptionError } from '../dataset/EvalOptionError';
import { contextSizeOption, modelChoice, modelOptions } from '../modelFlags';
import { stringOptions } from '../optionTables';
import { integerFlag, numberFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { allSamplingFlags, samplingFlags, samplingOptions, unseededSamplingFlags } from '../samplingFlags';
import { historyJson, historyText, reportHistory } from '../strategy/reportHistory';
import { historyFlag, strategyFlag, strategyOptions, variantsFlag, weightingFlag } from '../strategy/parseStrategyFlags';
import { preparePrompt, readPromptscopeSettings, readPromptSource } from '../../core/prompt';
import { ensembleFiles, readVariantSources } from '../../core/reasoning/ensembleFiles';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { printWarnings, requestLora } from '../promptTarget';
import { RetrievalEmbedder } from '../RetrievalEmbedder';
import { terminalText } from '../terminalText';
import { UsageError } from '../UsageError';
import { maxSamplePaths } from '../../shared/limits';
import { withBackend } from '../withBackend';
import { backendOptions, backendUsage } from '../backendFlags';
import type { RecordedModel } from '../../core/reasoning/history/runRecord';
import type { StrategyModel } from '../../core/reasoning/StrategyModel';
import { reasoningTrace } from '../../core/reasoning/reasoningTrace';
import { comparePaired, type PairedComparison } from '../../core/statistics/pairedComparison';

const usage = `Usage: promptscope eval FILE.prompt --dataset DATA.jsonl|DATA.csv [options]

Runs the prompt on every dataset row (the row's fields are the input variables) and scores the answers
against the row's expected answer (the "expected" field, or the one promptscope.expected names).
Answers are extracted and mapped as promptscope.answer says; unmapped answers count as wrong and are reported.
Every row's run is appended to the run history (unless --no-history).

Options:
  --dataset PATH       .jsonl (one object a line) or .csv (header row)
  --strategy S         direct | cot | self-consistency | ensemble | program-aided | tree-of-thought | self-ask
                       (default: promptscope.strategy, else direct)
  --samples N          Self-consistency paths (default: promptscope.samples, else 5); program-aided, self-ask,
                       tree-of-thought: N programs, chains or searches voted per row (default 1)
  --weighted           Self-consistency votes weighted by path probability (tree-of-thought: by best value)
  --variants A,B       Ensemble variants beside the prompt (default: promptscope.variants, else NAME.*.prompt siblings)
  --limit N            Only the first N rows
  --compare-model M    Then evaluate the same rows on model M too (e.g. a quantized copy) and compare: each model's
                       accuracy with a Wilson 95% interval, the rows only one got right, McNemar's exact p-value
  --compare-backend B  The same comparison across backends: the rows on --backend (or embedded) and then on B
                       (embedded or URL[,URL…]); the model flags (--model, --threads, …) go to the embedded side
  --seed N             Seed of every row's run
  --out PATH           Run history file (default: .promptscope/runs/YYYY-MM-DD.jsonl)
  --no-history         Do not append the rows' runs to the run history
  --model M, --max-tokens N, --temperature T, --top-k K, --top-p P, --min-p P, --repeat-penalty R,
  --threads N, --gpu G, --context-size N, --lora PATH[:SCALE], --runtime-timeout S   as for run
${backendUsage.replace('Server requests in flight at once', 'Rows (and their server requests) in flight at once; results stay in row order')}  --json               Print {strategy, accuracy, n, correct, unmapped, confusion, perLabel,
                       results: [{input, expected, answer, correct, votes?, trace}], tokens, ms, model, history,
                       compared?: {model, backend?, accuracy, n, correct, unmapped, results, paired: {n, base, other, bothCorrect,
                       onlyBase, onlyOther, bothWrong, mcnemarP}}}
`;

/** `promptscope eval`: a prompt and strategy over a dataset, with accuracy, unmapped answers and a confusion matrix. */
export const evalCommand: CliCommand = {
    name: 'eval',
    summary: 'Evaluate a prompt (and strategy) on a dataset: accuracy, unmapped, confusion matrix',
    usage,
    allowPositionals: true,
    options: {
        ...stringOptions('dataset', 'limit', 'compare-model', 'compare-backend'),
        ...strategyOptions,
        ...samplingOptions(allSamplingFlags),
        ...modelOptions,
        ...contextSizeOption,
        ...backendOptions,
    },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1 || !positionals[0]!.endsWith('.prompt')) throw new UsageError('give one .prompt file');
        const dataset = values.dataset as string | undefined;
        if (dataset === undefined) throw new UsageError('--dataset DATA.jsonl|DATA.csv is required');
        const file = resolve(positionals[0]!);
        // Read once; every row is prepared from this text. Its settings pick the strategy and the expected field here,
        // and are validated when row 1 is prepared, before a model is loaded.
        const source = await readPromptSource(file);
        const settings = 'document' in source ? readPromptscopeSettings(source.document.frontMatterData()).settings : {};
        const strategy: ReasoningStrategy = strategyFlag(values) ?? settings.strategy ?? 'direct';
        const samples = integerFlag(values, 'samples');
        if (samples !== undefined && samples < 1) throw new EvalOptionError('samples', `must be at least 1; got ${samples}`);
        if (samples !== undefined && samples > maxSamplePaths) {
            throw new EvalOptionError('samples', `must be at most ${maxSamplePaths} (the most self-consistency paths one request samples); got ${samples}`);
        }
        const weighting = weightingFlag(values, strategy);
        const limit = integerFlag(values, 'limit');
        if (limit !== undefined && limit < 1) throw new EvalOptionError('limit', `must be at least 1; got ${limit}`);
        const flags = samplingFlags(values, unseededSamplingFlags);
        const temperature = numberFlag(values, 'temperature');
        const seed = integerFlag(values, 'seed');
        const expectedField = settings.expected ?? 'expected';

        // Embeds a `promptscope.retrieval` query per row (a runtime of its own, started only if the prompt retrieves).
        const embedder = new RetrievalEmbedder(verbose);
        const rows = (await readDataset(resolve(dataset))).slice(0, limit);
        checkExpected(dataset, rows, expectedField, settings.expected !== undefined);
        // Render row 1 first: template and answer-setting mistakes fail before a model is loaded.
        const first = printWarnings(await preparePrompt(source, { input: datasetInput(rows[0]!, expectedField), embedder })
            .catch((error: unknown) => { throw new DatasetRowError(1, error, resolve(dataset)); }));
        const { verbalizer } = handlingFor(first);
        const variantFiles = strategy === 'ensemble'
            ? (() => { const listed = variantsFlag(values); return listed ? Promise.resolve([file, ...listed]) : ensembleFiles(file, first.settings); })()
            : undefined;
        const files = await variantFiles;
        if (files !== undefined && files.length < 2) throw new UsageError('an ensemble needs prompt variants: promptscope.variants, --variants, or NAME.VARIANT.prompt files');
        const variantSources = files === undefined ? undefined : await readVariantSources(files.slice(1));
        const history = historyFlag(values);
        const compareModel = typeof values['compare-model'] === 'string' ? resolve(values['compare-model']) : undefined;

        if (compareModel !== undefined && (values.backend !== undefined || settings.backend?.kind === 'openai-compatible')) {
            throw new UsageError('--compare-model loads a second GGUF in the embedded runtime; it does not combine with a server backend');
        }
        const compareBackend = values['compare-backend'] as string | undefined;
        if (compareBackend !== undefined && compareModel !== undefined) throw new UsageError('give --compare-model or --compare-backend, not both');
        // Under an A/B of backends the model flags configure whichever side is embedded.
        const primaryValues = compareBackend === undefined ? values : { ...values, 'model-flags-elsewhere': compareBackend.trim() === 'embedded' };
        if (compareBackend !== undefined && compareBackend.trim() === 'embedded' && (values.backend ?? 'embedded') === 'embedded' && settings.backend?.kind !== 'openai-compatible') {
            throw new UsageError('--compare-backend embedded compares a server with the embedded runtime: give the server with --backend URL (to compare two local models, use --compare-model)');
        }
        const code = await withBackend(primaryValues, verbose, settings.backend, async ({ backend, signal, embedded, recorded, json: where, lora, concurrency }) => {
            const evaluateOn = (client: StrategyModel, model: RecordedModel, rowsAtOnce = concurrency) => evaluateDataset(client, {
                strategy, flags, samples, temperature, seed, weighting, rows, expectedField, verbalizer, signal, adapters: 'prompt', embedder: embedded?.session.client ?? embedder, file: resolve(dataset), concurrency: rowsAtOnce,
                async prepareRow(input, index) {
                    // Each prompt's own adapters (then --lora's) go with its requests, as the editor sends them.
                    const withAdapters = (prompt: PromptRun): PromptRun => ({ ...prompt, lora: requestLora(prompt, values) ?? [] });
                    const run = withAdapters(index === 0 ? first : await preparePrompt(source, { input, embedder }));
                    if (!variantSources) return { run };
                    const variants: PromptRun[] = [run];
                    for (const variant of variantSources) variants.push(withAdapters(await preparePrompt(variant, { input, embedder })));
                    return { run, variants };
                },
                async onRow(row, done, total) {
                    history?.append(await runRecord({
                        command: 'eval', run: row.run, input: row.input, model, sampling: { ...row.run.sampling, ...flags }, lora: requestAdapters(row.run, 'prompt') ?? lora, outcome: row.outcome,
                        dataset: { file: resolve(dataset), row: row.index, expected: row.expected, correct: row.correct },
                    }));
                    if (!json && verbose) process.stderr.write(terminalText(`row ${done}/${total}: ${row.answer ?? 'unmapped'} (expected ${row.expected})\n`, false, process.stderr.isTTY === true));
                },
            });
            const evaluation = await evaluateOn(backend, recorded);
            const resultsOf = (e: typeof evaluation) => e.results.map(r => ({
                input: r.input, expected: r.expected, answer: r.answer ?? null, correct: r.correct, ...(r.outcome.votes ? { votes: r.outcome.votes } : {}),
                trace: reasoningTrace(r.outcome),
            }));
            const results = resultsOf(evaluation);
            // Interrupted before the first row finished: nothing to score.
            if (evaluation.metrics === undefined) return 130;
            const metrics = evaluation.metrics;
            // The same rows on the other model, loaded in the same runtime with the same settings.
            let compared: { model: RecordedModel; backend?: string; evaluation: typeof evaluation; paired: PairedComparison } | undefined;
            if (compareBackend !== undefined && !signal.aborted) {
                const otherValues = { ...values, backend: compareBackend, 'model-flags-elsewhere': compareBackend.trim() !== 'embedded' };
                compared = await withBackend(otherValues, verbose, undefined, async other => {
                    const otherEvaluation = await evaluateOn(other.backend, other.recorded, other.concurrency);
                    if (otherEvaluation.metrics === undefined || otherEvaluation.results.length !== evaluation.results.length) return undefined;
                    return {
                        model: other.recorded, backend: other.json.backend === 'openai-compatible' ? other.json.server!.urls.join(',') : 'embedded',
                        evaluation: otherEvaluation, paired: comparePaired(evaluation.results.map(r => r.correct), otherEvaluation.results.map(r => r.correct)),
                    };
                });
            }
            if (compareModel !== undefined && embedded !== undefined && !signal.aborted) {
                const other = await embedded.session.load({ ...modelChoice(values), model: compareModel }, signal);
                const otherEvaluation = await evaluateOn(embedded.session.client, other);
                if (otherEvaluation.metrics !== undefined && otherEvaluation.results.length === evaluation.results.length) {
                    compared = { model: other, evaluation: otherEvaluation, paired: comparePaired(evaluation.results.map(r => r.correct), otherEvaluation.results.map(r => r.correct)) };
                }
            }
            const tokens = compared ? sumTokens(evaluation.tokens, compared.evaluation.tokens) : evaluation.tokens;
            const ms = Math.round(evaluation.ms + (compared?.evaluation.ms ?? 0));
            if (json) {
                printJson({
                    strategy, accuracy: metrics.accuracy, n: metrics.n, correct: metrics.correct, unmapped: metrics.unmapped,
                    confusion: verbalizer ? metrics.confusion : null, perLabel: verbalizer ? metrics.perLabel : null,
                    results, tokens, ms, model: where.model, ...(where.server ? { server: where.server } : {}), concurrency, ...historyJson(history),
                    ...(compared ? {
                        compared: {
                            model: compared.model.name, ...(compared.backend ? { backend: compared.backend } : {}), accuracy: compared.evaluation.metrics!.accuracy, n: compared.evaluation.metrics!.n,
                            correct: compared.evaluation.metrics!.correct, unmapped: compared.evaluation.metrics!.unmapped,
                            results: resultsOf(compared.evaluation), paired: compared.paired,
                        },
                    } : {}),
                });
            } else {
                process.stdout.write(`${strategy}: accuracy ${(metrics.accuracy * 100).toFixed(1)}% (${metrics.correct}/${metrics.n}), unmapped ${metrics.unmapped}\n`);
                // The labels come from the prompt file, which a workspace wrote: shown escaped like model text.
                if (verbalizer) process.stdout.write(terminalText(formatConfusion(metrics.confusion.labels, metrics.confusion.matrix), false));
                if (compared) process.stdout.write(terminalText(formatPaired(where.model, compared.model.name, compared.paired, compared.evaluation.metrics!.unmapped), false));
                process.stdout.write(`${tokens.prompt} prompt + ${tokens.generated} generated tokens, ${ms} ms; history: ${historyText(history)}\n`);
            }
            return signal.aborted ? 130 : 0;
        });
        await embedder.close();
        return reportHistory('eval', history, code);
    },
};

function formatConfusion(labels: string[], matrix: number[][]): string {
    const columns = [...labels, 'unmapped'];
    const width = Math.max(8, ...columns.map(c => c.length)) + 2;
    const lines = [`${'expected \\ answered'.padEnd(width + 10)}${columns.map(c => c.padStart(width)).join('')}`];
    labels.forEach((label, i) => lines.push(`${label.padEnd(width + 10)}${matrix[i]!.map(n => String(n).padStart(width)).join('')}`));
    return lines.join('\n') + '\n';
}

function formatPaired(baseName: string, otherName: string, paired: PairedComparison, otherUnmapped: number): string {
    const line = (name: string, side: PairedComparison['base']) =>
        `  ${name}: ${(side.estimate * 100).toFixed(1)}% (${side.correct}/${paired.n}), 95% CI [${(side.low * 100).toFixed(1)}, ${(side.high * 100).toFixed(1)}]%`;
    return [
        `compared on the same ${paired.n} rows:`,
        line(baseName, paired.base),
        `${line(otherName, paired.other)}, unmapped ${otherUnmapped}`,
        `  right under one only: ${paired.onlyBase} (the first) vs ${paired.onlyOther} (the second); both right ${paired.bothCorrect}, both wrong ${paired.bothWrong}; McNemar exact p = ${paired.mcnemarP.toPrecision(3)}`,
        '',
    ].join('\n');
}

function sumTokens<T extends Record<string, number>>(a: T, b: T): T {
    return Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value + (b[key] ?? 0)])) as T;
}
