import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { writeProjectFile } from '../../core/files';
import type { CliCommand } from '../CliCommand';
import { EmbeddedBackend } from '../../runtime/backends/EmbeddedBackend';
import { arithmeticExperiment } from '../experiments/arithmeticExperiment';
import { ensembleExperiment } from '../experiments/ensembleExperiment';
import { loraExperiment } from '../experiments/loraExperiment';
import { sentimentExperiment } from '../experiments/sentimentExperiment';
import { strategiesExperiment } from '../experiments/strategiesExperiment';
import type { ExperimentContext, ExperimentPlot, ExperimentReport } from '../experiments/ExperimentContext';
import { replaceMarkedSection } from '../experiments/markedSections';
import { renderPlotPng } from '../experiments/renderPlotPng';
import { trainedFixturePath, trainedFixtures, type TrainedFixture } from '../experiments/trainedFixtures';
import { stringOptions } from '../optionTables';
import { integerFlag, threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

interface Experiment {
    id: string;
    summary: string;
    /** The trained fixture it runs on. */
    model: TrainedFixture;
    /** The trained LoRA adapter of that model it applies per request. Defaults to none. */
    adapter?: TrainedFixture;
    run(ctx: ExperimentContext): Promise<ExperimentReport>;
}

const experiments: Experiment[] = [
    {
        id: 'arithmetic', summary: 'direct vs zero-shot vs few-shot CoT, and self-consistency for N = 1…16 paths (with a PNG plot)',
        model: trainedFixtures.arithmetic, run: arithmeticExperiment,
    },
    {
        id: 'ensemble', summary: 'a prompt ensemble of three templates vs its best single template',
        model: trainedFixtures.arithmetic, run: ensembleExperiment,
    },
    {
        id: 'strategies', summary: 'greedy CoT vs program-aided vs self-ask vs tree-of-thought: accuracy, tokens and time',
        model: trainedFixtures.arithmetic, run: strategiesExperiment,
    },
    {
        id: 'lora', summary: 'the three-term LoRA adapter at scales 0, 0.5, 1 on its task and on the base task',
        model: trainedFixtures.arithmetic, adapter: trainedFixtures.threeTermLora, run: loraExperiment,
    },
    {
        id: 'sentiment', summary: 'label scoring vs generated labels, uncalibrated vs calibrated, with the bias shown',
        model: trainedFixtures.sentiment, run: sentimentExperiment,
    },
];

const usage = `Usage: promptscope experiments [--only ID[,ID…]] [--problems N] [--seed N] [--model PATH] [--lora PATH] [--out FILE] [--json]

Reproduces the course's experiments in miniature on the trained fixtures (fixtures/trained/, made by
promptscope train-fixture) and writes each one's section of EXPERIMENTS.md (between its
<!-- experiments:ID --> markers; the rest of the file is kept). Every figure carries its 95% interval and the
number of held-out problems, which no training corpus contains. Progress goes to stderr.

Experiments:
${experiments.map(e => `  ${e.id.padEnd(12)} ${e.summary}\n${' '.repeat(15)}(${e.model.file}${e.adapter ? ` + ${e.adapter.file}` : ''})`).join('\n')}

A missing fixture is named, with the train-fixture command that makes it, before anything runs. Plots are written
as PNG files beside the report (docs/experiments/, relative to --out's folder), not with --json.

Options:
  --only IDS           Run only these experiments (comma-separated; default: all)
  --problems N         Held-out problems per condition (default 300; at least 200 for the report's claims)
  --seed N             Seed of the held-out problems and of every sampled path (default 2)
  --model PATH         Another model for the (single) experiment chosen with --only
  --lora PATH          Another LoRA adapter for the lora experiment (default: ${trainedFixtures.threeTermLora.file})
  --out FILE           The report to update (default: EXPERIMENTS.md in the current folder)
  --threads N          CPU threads (default: physical cores - 1)
  --json               Print {experiments: [{id, figures}]} instead of writing the report
`;

/** `promptscope experiments`: EXPERIMENTS.md's figures, regenerated from the trained fixtures by one command. */
export const experimentsCommand: CliCommand = {
    name: 'experiments',
    summary: 'Run the course\'s experiments on the trained fixtures and update EXPERIMENTS.md',
    usage,
    options: stringOptions('only', 'problems', 'seed', 'model', 'lora', 'out', 'threads'),
    async run({ values, json, verbose }) {
        const only = typeof values.only === 'string' ? values.only.split(',').map(s => s.trim()).filter(Boolean) : undefined;
        for (const id of only ?? []) {
            if (!experiments.some(e => e.id === id)) throw new UsageError(`--only: unknown experiment ${JSON.stringify(id)}; the experiments are ${experiments.map(e => e.id).join(', ')}`);
        }
        const chosen = experiments.filter(e => only === undefined || only.includes(e.id));
        const problems = integerFlag(values, 'problems') ?? 300;
        if (problems < 1) throw new UsageError(`--problems must be at least 1, got ${problems}`);
        const seed = integerFlag(values, 'seed') ?? 2;
        if (seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${seed}`);
        const modelFlag = typeof values.model === 'string' ? resolve(values.model) : undefined;
        if (modelFlag !== undefined && chosen.length !== 1) throw new UsageError('--model replaces one experiment\'s model: choose that experiment with --only');
        const loraFlag = typeof values.lora === 'string' ? values.lora : undefined;
        if (loraFlag !== undefined && !chosen.some(e => e.adapter !== undefined)) {
            throw new UsageError(`--lora replaces the adapter of ${experiments.filter(e => e.adapter).map(e => e.id).join(', ')}: choose it with --only`);
        }
        if (loraFlag !== undefined && !existsSync(resolve(loraFlag))) throw new UsageError(`--lora ${loraFlag}: no such file`);
        // Every file first: a missing adapter fails now, not after the experiments before it have run for an hour.
        const inputs = chosen.map(experiment => ({
            experiment,
            model: modelFlag ?? trainedFixturePath(experiment.model),
            adapter: experiment.adapter === undefined ? undefined
                : loraFlag !== undefined ? { path: resolve(loraFlag), name: loraFlag } : { path: trainedFixturePath(experiment.adapter), name: experiment.adapter.file },
        }));
        const threads = threadsFlag(values);
        const out = resolve(typeof values.out === 'string' ? values.out : 'EXPERIMENTS.md');

        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        const reports: ExperimentReport[] = [];
        try {
            for (const { experiment, model, adapter } of inputs) {
                process.stderr.write(`Experiment ${experiment.id} on ${model}…\n`);
                const session = new RuntimeSession(verbose);
                try {
                    const info = await session.load({ model, gpu: 'off', ...(threads === undefined ? {} : { threads }) }, controller.signal);
                    const report = await experiment.run({
                        model: new EmbeddedBackend(session.client, info), modelPath: modelFlag ?? experiment.model.file, problems, seed,
                        ...(adapter === undefined ? {} : { adapter }),
                        signal: controller.signal, progress: message => process.stderr.write(`${message}\n`),
                    });
                    reports.push(report);
                    if (!json) {
                        // Written after each experiment, so a later one failing keeps the earlier ones' figures.
                        const text = existsSync(out) ? readFileSync(out, 'utf8') : '# Experiments\n';
                        writeProjectFile(out, replaceMarkedSection(text, report.id, report.markdown));
                        process.stdout.write(`${report.markdown}\n\nUpdated ${out}\n`);
                        // After the figures are saved: a plot that cannot be drawn loses no measurement.
                        for (const plot of report.plots ?? []) process.stdout.write(`Wrote ${await writePlot(out, plot)}\n`);
                    }
                } finally {
                    await session.close();
                }
            }
        } finally {
            process.off('SIGINT', onInterrupt);
        }
        if (json) printJson({ experiments: reports.map(r => ({ id: r.id, figures: r.figures })) });
        return 0;
    },
};

/** Renders `plot` to PNG beside the report `out` (its path relative to the report's folder); returns where it went. */
async function writePlot(out: string, plot: ExperimentPlot): Promise<string> {
    if (isAbsolute(plot.path) || normalize(plot.path).startsWith('..')) throw new RangeError(`a plot's path must stay in the report's folder, got ${plot.path}`);
    const target = join(dirname(out), plot.path);
    return writeProjectFile(target, await renderPlotPng(plot.svg, plot.path));
}
