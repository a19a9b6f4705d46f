import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeProjectFile } from '../../core/files';
import type { CliCommand } from '../CliCommand';
import { EmbeddedBackend } from '../../runtime/backends/EmbeddedBackend';
import { arithmeticExperiment } from '../experiments/arithmeticExperiment';
import { sentimentExperiment } from '../experiments/sentimentExperiment';
import type { ExperimentContext, ExperimentReport } from '../experiments/ExperimentContext';
import { replaceMarkedSection } from '../experiments/markedSections';
import { installedFile } from '../installedFile';
import { stringOptions } from '../optionTables';
import { integerFlag, threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

interface Experiment {
    id: string;
    summary: string;
    /** The trained fixture it runs on, from the repository root. */
    model: string;
    run(ctx: ExperimentContext): Promise<ExperimentReport>;
}

const experiments: Experiment[] = [
    {
        id: 'arithmetic', summary: 'direct vs zero-shot vs few-shot CoT, and self-consistency for N = 1…16 paths',
        model: 'fixtures/trained/arithmetic.gguf', run: arithmeticExperiment,
    },
    {
        id: 'sentiment', summary: 'label scoring vs generated labels, uncalibrated vs calibrated, with the bias shown',
        model: 'fixtures/trained/sentiment.gguf', run: sentimentExperiment,
    },
];

const usage = `Usage: promptscope experiments [--only ID[,ID…]] [--problems N] [--seed N] [--model PATH] [--out FILE] [--json]

Reproduces the course's experiments in miniature on the trained fixtures (fixtures/trained/, made by
promptscope train-fixture) and writes each one's section of EXPERIMENTS.md (between its
<!-- experiments:ID --> markers; the rest of the file is kept). Every figure carries its 95% interval and the
number of held-out problems, which no training corpus contains. Progress goes to stderr.

Experiments:
${experiments.map(e => `  ${e.id.padEnd(12)} ${e.summary} (${e.model})`).join('\n')}

Options:
  --only IDS           Run only these experiments (comma-separated; default: all)
  --problems N         Held-out problems per condition (default 300; at least 200 for the report's claims)
  --seed N             Seed of the held-out problems and of every sampled path (default 2)
  --model PATH         Another model for the (single) experiment chosen with --only
  --out FILE           The report to update (default: EXPERIMENTS.md in the current folder)
  --threads N          CPU threads (default: physical cores - 1)
  --json               Print {experiments: [{id, figures}]} instead of writing the report
`;

/** `promptscope experiments`: EXPERIMENTS.md's figures, regenerated from the trained fixtures by one command. */
export const experimentsCommand: CliCommand = {
    name: 'experiments',
    summary: 'Run the course\'s experiments on the trained fixtures and update EXPERIMENTS.md',
    usage,
    options: stringOptions('only', 'problems', 'seed', 'model', 'out', 'threads'),
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
        const threads = threadsFlag(values);
        const out = resolve(typeof values.out === 'string' ? values.out : 'EXPERIMENTS.md');

        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        const reports: ExperimentReport[] = [];
        try {
            for (const experiment of chosen) {
                const model = modelFlag ?? installedFile(experiment.model);
                process.stderr.write(`Experiment ${experiment.id} on ${model}…\n`);
                const session = new RuntimeSession(verbose);
                try {
                    const info = await session.load({ model, gpu: 'off', ...(threads === undefined ? {} : { threads }) }, controller.signal);
                    const report = await experiment.run({
                        model: new EmbeddedBackend(session.client, info), modelPath: modelFlag ?? experiment.model, problems, seed,
                        signal: controller.signal, progress: message => process.stderr.write(`${message}\n`),
                    });
                    reports.push(report);
                    if (!json) {
                        // Written after each experiment, so a later one failing keeps the earlier ones' figures.
                        const text = existsSync(out) ? readFileSync(out, 'utf8') : '# Experiments\n';
                        writeProjectFile(out, replaceMarkedSection(text, report.id, report.markdown));
                        process.stdout.write(`${report.markdown}\n\nUpdated ${out}\n`);
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
