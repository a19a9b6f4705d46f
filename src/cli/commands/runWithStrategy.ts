import type { CompletionResult } from '../../shared/runtimeApi';
import type { CliArgs, CliCommand } from '../CliCommand';
import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import { runRecord } from '../../core/reasoning/history/runRecord';
import { integerFlag, jsonObjectFlag, numberFlag } from '../parseFlags';
import { modelJson, printJson } from '../printJson';
import { promptTarget } from '../promptTarget';
import { samplingFlags, unseededSamplingFlags } from '../samplingFlags';
import { sourceSampling } from '../loadPromptSource';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import { executeStrategy, handlingFor, normalizeAnswer, type StrategyOutcome } from '../../core/reasoning/executeStrategy';
import { historyFlag, samplesFlag, strategyFlag, strategyOptions, variantsFlag, weightingFlag } from '../strategy/parseStrategyFlags';
import { outcomeJson, formatOutcome } from '../strategy/printOutcome';
import { ensembleFiles, loadPromptRun, promptSettings, type PromptRun } from '../strategy/PromptRun';
import { UsageError } from '../UsageError';
import { withFlagModel } from '../withFlagModel';
import { runCommand, runDirect } from './run';

const usage = `${runCommand.usage}
Strategies:
  --strategy S         direct | cot | self-consistency | ensemble (default: the prompt's promptscope.strategy, else direct)
  --samples N          Self-consistency paths (default: promptscope.samples, else ${selfConsistencyDefaults.samples})
  --weighted           Self-consistency: weigh each path's vote by its probability (exp of its mean token log-probability)
  --variants A,B       Ensemble variants run beside the prompt (default: promptscope.variants, else NAME.*.prompt siblings)
  --out PATH           Run history file (default: .promptscope/runs/YYYY-MM-DD.jsonl)
  cot: zero-shot chain of thought: "Let's think step by step." then "Therefore, the answer is"; the prompt's
    grammar or output schema applies to the answer turn only. With promptscope.cot: few-shot the prompt's own
    exemplars carry the reasoning and no trigger is added.
  self-consistency: --temperature defaults to ${selfConsistencyDefaults.temperature}; paths sampled in one batch, answers voted.
  ensemble: every variant runs once on the same input; answers voted.
  Answers are extracted and mapped as promptscope.answer says (default: the last number). --json adds
  {answer, reasoning | votes, agreement, paths | variants} to the run output. Every run, direct included, is
  appended to the run history.
`;

/**
 * `promptscope run` with reasoning strategies: `direct` is the plain run command (streamed); the others run
 * through {@link executeStrategy}, print their answer and are appended to the run history.
 */
export const runWithStrategyCommand: CliCommand = {
    ...runCommand,
    usage,
    options: { ...runCommand.options, ...strategyOptions },
    async run(args) {
        const { values, positionals, json, verbose } = args;
        const file = positionals.length === 1 ? positionals[0] : undefined;
        const flag = strategyFlag(values);
        const settings = file?.endsWith('.prompt') ? await promptSettings(file) : {};
        const strategy: ReasoningStrategy = flag ?? settings.strategy ?? 'direct';
        const samples = samplesFlag(values);
        if (samples !== undefined && strategy !== 'self-consistency') throw new UsageError('--samples applies to --strategy self-consistency');
        if (values.variants !== undefined && strategy !== 'ensemble') throw new UsageError('--variants applies to --strategy ensemble');
        const weighting = weightingFlag(values, strategy);
        if (strategy === 'direct') return runDirectWithHistory(args);

        const { text } = promptTarget(positionals, values);
        if (values.raw === true) throw new UsageError(`--raw does not apply to ${strategy}: its turns go through the chat template`);
        const input = jsonObjectFlag(values, 'input');
        if (input !== undefined && !file?.endsWith('.prompt')) throw new UsageError('--input applies to .prompt files only');
        if (strategy === 'ensemble' && !file?.endsWith('.prompt')) throw new UsageError('--strategy ensemble needs a .prompt file (its variants sit beside it)');
        const flags = samplingFlags(values, unseededSamplingFlags);
        const temperature = numberFlag(values, 'temperature');
        const seed = integerFlag(values, 'seed');

        const run = await loadPromptRun(file, text, input);
        // Settings problems (a regex without a group, clashing labels) fail before a model is loaded.
        handlingFor(run);
        let variants: PromptRun[] | undefined;
        if (strategy === 'ensemble') {
            const listed = variantsFlag(values);
            const files = listed ? [run.file!, ...listed.filter(f => f !== run.file)] : await ensembleFiles(run.file!, run.settings);
            if (files.length < 2) throw new UsageError(`an ensemble needs prompt variants: list them in promptscope.variants or --variants, or add NAME.VARIANT.prompt files beside ${file}`);
            variants = [];
            for (const variantFile of files) variants.push(variantFile === run.file ? run : await loadPromptRun(variantFile, undefined, input));
            for (const variant of variants) handlingFor(variant);
        }
        const history = historyFlag(values);

        return withFlagModel(values, verbose, run.lora, async ({ session, signal, model: info, lora }) => {
            const outcome = await executeStrategy(session.client, run, {
                strategy, flags, samples, temperature, seed, variants, weighting, signal,
            });
            history.append(await runRecord({ command: 'run', run, input, model: info, sampling: { ...run.sampling, ...flags }, lora, outcome }));
            if (json) {
                const extra = strategy === 'self-consistency'
                    ? { samples: outcome.paths?.length, temperature: temperature ?? selfConsistencyDefaults.temperature, weighting: weighting ?? 'count' }
                    : {};
                printJson({ ...outcomeJson(outcome), ...extra, ...modelJson(info), history: history.path });
            } else {
                process.stdout.write(formatOutcome(outcome));
            }
            return signal.aborted ? 130 : 0;
        });
    },
};

/**
 * The plain streamed run, appended to the run history like the other strategies. The prompt is loaded first so
 * that its answer settings (a direct run also reports the extracted answer) fail before a model is loaded.
 */
async function runDirectWithHistory(args: CliArgs): Promise<number> {
    const { values, positionals } = args;
    const file = positionals[0];
    const text = values.text as string | undefined;
    // Usage mistakes are runDirect's to report, in its words.
    if (positionals.length > 1 || (file === undefined) === (text === undefined)) return runDirect(args);
    const input = jsonObjectFlag(values, 'input');
    const run = await loadPromptRun(file, text, file?.endsWith('.prompt') ? input : undefined);
    const handling = handlingFor(run);
    const history = historyFlag(values);
    return runDirect(args, {
        async afterRun({ model, source, raw, flags, lora, result }) {
            const outcome = directOutcome(run.messages, result, handling);
            const sampling = sourceSampling(source, flags);
            history.append({ ...await runRecord({ command: 'run', run, input, model, sampling, lora, outcome }), ...(raw ? { raw: true } : {}) });
            return { answer: outcome.answer ?? null, rawAnswer: outcome.rawAnswer ?? null, history: history.path };
        },
    });
}

function directOutcome(messages: PromptRun['messages'], result: CompletionResult, handling: ReturnType<typeof handlingFor>): StrategyOutcome {
    const rawAnswer = handling.extract(result.text);
    return {
        strategy: 'direct', answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer, output: result.text,
        messages: [messages], outputs: [result.text], seed: result.seed,
        tokens: { prompt: result.timing.promptTokens, generated: result.timing.generatedTokens }, ms: result.timing.ms,
    };
}
