import type { ChatMessage } from '../../shared/runtimeApi';
import { inputFields, preparePrompt, PromptDocument } from '../../core/prompt';
import { labelDistribution, type LabelScore } from '../../core/reasoning/labelDistribution';
import type { CliCommand } from '../CliCommand';
import { contextSizeOption, modelOptions } from '../modelFlags';
import { booleanOptions, stringOptions } from '../optionTables';
import { jsonObjectFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { withBackend } from '../withBackend';
import { backendOptions, backendUsage } from '../backendFlags';
import type { BoundedScore } from '../../runtime/backends/InferenceBackend';
import { preparePromptTarget, requestLora } from '../promptTarget';
import { UsageError } from '../UsageError';

const contentFree = 'N/A';

const usage = `Usage: promptscope score FILE.prompt [--labels a,b,c] [--calibrate] [--json] [options]

Scores every label without sampling: log P(label | rendered prompt) from the model's raw probabilities
(temperature 1, no filters), the prompt evaluated once. A label's surface forms (promptscope.answer.labels:
label → forms; the label's own name counts too) are combined by log-sum-exp; probability is the softmax over labels.

Options:
  --labels a,b,c       Labels to score, each its own single surface form (default: promptscope.answer.labels)
  --calibrate          Contextual calibration (Zhao et al. 2021): divide by the label distribution on a
                       content-free input ("${contentFree}" for every input variable), then renormalise
  --input JSON         Input variables, e.g. '{"review": "Great film"}'
  --model M            Model: a .gguf path or hf:owner/repo:quant (default: $PROMPTSCOPE_MODEL)
  --threads N, --gpu G, --context-size N, --lora PATH[:SCALE], --runtime-timeout S   as for run
${backendUsage}                       On a server, labels are scored from its top_logprobs: a label token below the
                       alternatives it lists gets an upper bound, and the output says which labels (bounded)
  --json               Print {labels: [{label, logprob, probability, uncalibrated?}], forms, calibrated, ms,
                       model, modelPath, bounded: [{text, tokenIndex, listed}]}
`;

/** `promptscope score`: label scoring through the runtime's scoreContinuations, optionally calibrated. */
export const scoreCommand: CliCommand = {
    name: 'score',
    summary: 'Score labels by probability without sampling (optionally calibrated)',
    usage,
    allowPositionals: true,
    options: {
        ...stringOptions('input', 'labels'),
        ...booleanOptions('calibrate'),
        ...modelOptions,
        ...contextSizeOption,
        ...backendOptions,
    },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError('give one prompt file');
        const file = positionals[0]!;
        const input = jsonObjectFlag(values, 'input');
        const run = await preparePromptTarget({ file }, values);
        const forms = labelForms(values.labels as string | undefined, run.settings.answer?.labels);
        const calibrate = values.calibrate === true;
        let freeMessages: ChatMessage[] | undefined;
        if (calibrate) {
            if (!file.endsWith('.prompt')) throw new UsageError('--calibrate needs a .prompt file with input variables');
            // The text read once, prepared again with the content-free input.
            const doc = PromptDocument.fromText(run.text, run.file);
            const names = new Set([...(await inputFields(doc)).map(f => f.name), ...Object.keys(input ?? {})]);
            if (names.size === 0) throw new UsageError('--calibrate needs input variables to replace with a content-free value; this prompt has none');
            freeMessages = (await preparePrompt(doc, { input: Object.fromEntries([...names].map(n => [n, contentFree])) })).messages;
        }

        // Ctrl-C stops the scoring requests (the embedded runtime's, or a server's in flight).
        return withBackend(values, verbose, run.settings.backend, async ({ backend, signal, json: where }) => {
            // The prompt's own adapters (then --lora's) go with the request, as the editor sends them.
            const lora = requestLora(run, values);
            const startedAt = performance.now();
            const bounded: BoundedScore[] = [];
            const byLabel = async (messages: ChatMessage[]) => {
                const continuations = [...new Set(Object.values(forms).flat())];
                const result = await backend.scoreContinuations({ prompt: messages, continuations, ...(lora === undefined ? {} : { lora }) }, { signal });
                for (const b of result.bounded) if (!bounded.some(o => o.text === b.text)) bounded.push(b);
                const logprob = new Map(result.scores.map(s => [s.text, s.logprob]));
                return Object.fromEntries(Object.entries(forms).map(([label, list]) => [label, list.map(f => logprob.get(f)!)]));
            };
            const scores = labelDistribution(await byLabel(run.messages), freeMessages ? await byLabel(freeMessages) : undefined);
            const ms = Math.round(performance.now() - startedAt);
            if (json) {
                printJson({
                    labels: scores.map(s => ({ label: s.label, logprob: s.logprob, probability: s.probability, ...(s.uncalibrated === undefined ? {} : { uncalibrated: s.uncalibrated }) })),
                    forms, calibrated: calibrate, ms, model: where.model, modelPath: where.modelPath, bounded,
                });
            } else {
                process.stdout.write(formatScores(scores, calibrate) + `${ms} ms\n`);
            }
            // Said on stderr in the table mode too: these numbers are not what the model would give.
            for (const b of bounded) {
                process.stderr.write(`score: warning: ${JSON.stringify(b.text)} is not exact: its token ${b.tokenIndex + 1} is below the ${b.listed} alternatives the server listed, so its log-probability is an upper bound\n`);
            }
            return 0;
        });
    },
};

/** Label → surface forms: `--labels` (one form each), else the verbalizer's forms with the label's own name first. */
export function labelForms(flag: string | undefined, settings: Record<string, string[]> | undefined): Record<string, string[]> {
    if (flag !== undefined) {
        const labels = flag.split(',').map(l => l.trim()).filter(l => l !== '');
        if (labels.length < 2) throw new UsageError('--labels expects at least two comma-separated labels, e.g. --labels positive,negative');
        return Object.fromEntries(labels.map(l => [l, [l]]));
    }
    if (!settings || Object.keys(settings).length === 0) throw new UsageError('no labels: pass --labels a,b or set promptscope.answer.labels in the front matter');
    return Object.fromEntries(Object.entries(settings).map(([label, forms]) => [label, [...new Set([label, ...forms])]]));
}

function formatScores(scores: LabelScore[], calibrated: boolean): string {
    const width = Math.max(5, ...scores.map(s => s.label.length));
    const sorted = [...scores].sort((a, b) => b.probability - a.probability);
    const header = `${'label'.padEnd(width)}  ${'logprob'.padStart(9)}  ${calibrated ? 'calibrated' : 'probability'}${calibrated ? '  uncalibrated' : ''}\n`;
    return header + sorted.map(s => `${s.label.padEnd(width)}  ${s.logprob.toFixed(4).padStart(9)}  ${(s.probability * 100).toFixed(1).padStart(calibrated ? 9 : 10)}%`
        + (s.uncalibrated === undefined ? '' : `  ${(s.uncalibrated * 100).toFixed(1).padStart(11)}%`)).join('\n') + '\n';
}
