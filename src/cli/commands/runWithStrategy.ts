import type { CliArgs, CliCommand } from '../CliCommand';
import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import { recordRun, runStrategy, type RunRecording } from '../../core/reasoning/runStrategy';
import { integerFlag, jsonObjectFlag, numberFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { preparePrompt, type PreparedPrompt } from '../../core/prompt';
import { ensembleFiles } from '../../core/reasoning/ensembleFiles';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { preparePromptTarget, printWarnings, promptTarget, requestLora, sourceSampling } from '../promptTarget';
import { withRetrievalEmbedder } from '../RetrievalEmbedder';
import { samplingFlags, unseededSamplingFlags } from '../samplingFlags';
import { checkGrammarFlag, constraintFlags, resolveConstraints } from '../constraintFlags';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import { directOutcome, handlingFor } from '../../core/reasoning/executeStrategy';
import { historyFlag, samplesFlag, samplingStrategies, strategyFlag, strategyOptions, variantsFlag, weightingFlag } from '../strategy/parseStrategyFlags';
import { formatOutcome } from '../../core/reasoning/outcomeText';
import { outcomeJson } from '../strategy/printOutcome';
import { historyJson, reportHistory } from '../strategy/reportHistory';
import { terminalText } from '../terminalText';
import { UsageError } from '../UsageError';
import { reasoningTrace } from '../../core/reasoning/reasoningTrace';
import { withBackend } from '../withBackend';
import { runCommand, runDirect } from './run';
import { speculativeFlags } from '../speculativeFlags';

const usage = `${runCommand.usage}
Strategies:
  --strategy S         direct | cot | self-consistency | ensemble | program-aided | tree-of-thought | self-ask
                       (default: the prompt's promptscope.strategy, else direct)
  --samples N          Self-consistency paths (default: promptscope.samples, else ${selfConsistencyDefaults.samples}); with
                       program-aided, self-ask or tree-of-thought: N programs, chains or searches voted (default 1)
  --weighted           Self-consistency: weigh each path's vote by its probability (exp of its mean token log-probability);
                       tree-of-thought: each search's vote by its best state's value
  --variants A,B       Ensemble variants run beside the prompt (default: promptscope.variants, else NAME.*.prompt siblings)
  --out PATH           Run history file (default: .promptscope/runs/YYYY-MM-DD.jsonl)
  --no-history         Do not append this run to the run history (--json then says history: null)
  cot: zero-shot chain of thought: "Let's think step by step." then "Therefore, the answer is"; the prompt's
    grammar or output schema applies to the answer turn only. With promptscope.cot: few-shot the prompt's own
    exemplars carry the reasoning and no trigger is added.
  self-consistency: --temperature defaults to ${selfConsistencyDefaults.temperature}; paths sampled in one batch, answers voted.
  ensemble: every variant runs once on the same input; answers voted.
  program-aided: the model is asked for a JavaScript program that prints the answer; it runs in a QuickJS (WebAssembly)
    sandbox with no file system, network or host objects, 32 MiB and 1 s; the answer is extracted from what it printed.
    A program that loops, allocates without bound or throws is an unmapped answer with its failure recorded. With
    --samples N (or promptscope.samples), N programs are sampled in one batch and their results voted.
  self-ask: the model asks itself follow-up questions ("Follow up: …"), each answered by the model on its own and given back
    ("Intermediate answer: …"), until "So the final answer is: …" (markers and maxFollowUps in promptscope.selfAsk).
    With --samples N, N chains sampled at --temperature (default ${selfConsistencyDefaults.temperature}) with derived seeds vote their answers.
  tree-of-thought: one-line thoughts sampled from each kept state in one batch (at --temperature, default 0.7), each new
    state valued by the model (promptscope.tot: thoughts, beamWidth, maxDepth, evaluator value | vote, scored by label
    probability), the best kept, breadth-first; with search: depth, the best-valued thought is followed first, states
    valued below pruneBelow are pruned, dead ends are backtracked from, and the first stated answer ends the search
    (at most beamWidth x maxDepth states expanded). Then the answer from the best state's steps (or one more turn).
    With --samples N, N whole searches with derived seeds vote their answers.
  Answers are extracted and mapped as promptscope.answer says (default: the last number). --json adds
  {answer, reasoning | votes, agreement, paths | variants | programs | tree | followUps | chains | searches, trace}
  to the run output (trace: the reasoning trace, one shape for every strategy). Every run, direct included, is
  appended to the run history unless --no-history is given. --grammar and --logit-bias apply to every turn and
  path; with cot the grammar constrains the answer turn only.
`;

/**
 * `promptscope run` with reasoning strategies: `direct` is the plain run command (streamed); the others run
 * through core's {@link runStrategy} (as the editor's Run does), print their answer and are appended to the run history.
 */
export const runWithStrategyCommand: CliCommand = {
    ...runCommand,
    usage,
    options: { ...runCommand.options, ...strategyOptions },
    async run(args) {
        const { values, positionals, json, verbose } = args;
        const file = positionals.length === 1 ? positionals[0] : undefined;
        const flag = strategyFlag(values);
        // Usage mistakes (two files, neither a file nor --text) are runDirect's to report, in its words.
        if (positionals.length > 1 || (file === undefined) === (values.text === undefined)) return runDirect(args);
        const input = jsonObjectFlag(values, 'input');
        if (input !== undefined && !file?.endsWith('.prompt')) throw new UsageError('--input applies to .prompt files only');
        // Prepared once (read, checked, rendered): its promptscope.strategy picks the strategy.
        const run = await preparePromptTarget(promptTarget(positionals, values), values);
        const strategy: ReasoningStrategy = flag ?? run.strategy ?? 'direct';
        const samples = samplesFlag(values);
        if (samples !== undefined && !samplingStrategies.includes(strategy)) throw new UsageError(`--samples applies to --strategy ${samplingStrategies.join(', ')}`);
        if (values.variants !== undefined && strategy !== 'ensemble') throw new UsageError('--variants applies to --strategy ensemble');
        const weighting = weightingFlag(values, strategy);
        if (strategy === 'direct') return runDirectWithHistory(args, run);
        if (speculativeFlags(values) !== undefined) throw new UsageError(`--draft-model and --lookup apply to one generation (--strategy direct), not to ${strategy}`);
        if (values.watermark !== undefined) throw new UsageError(`--watermark applies to one generation (--strategy direct), not to ${strategy}`);

        if (values.raw === true) throw new UsageError(`--raw does not apply to ${strategy}: its turns go through the chat template`);
        if (strategy === 'ensemble' && !file?.endsWith('.prompt')) throw new UsageError('--strategy ensemble needs a .prompt file (its variants sit beside it)');
        const flags = samplingFlags(values, unseededSamplingFlags);
        const constraints = await constraintFlags(values);
        const temperature = numberFlag(values, 'temperature');
        const seed = integerFlag(values, 'seed');

        // Settings problems (a regex without a group, clashing labels) fail before a model is loaded.
        handlingFor(run);
        checkGrammarFlag(constraints, run, file);
        let variants: PromptRun[] | undefined;
        if (strategy === 'ensemble') {
            const listed = variantsFlag(values);
            const files = listed ? [run.file!, ...listed.filter(f => f !== run.file)] : await ensembleFiles(run.file!, run.settings);
            if (files.length < 2) throw new UsageError(`an ensemble needs prompt variants: list them in promptscope.variants or --variants, or add NAME.VARIANT.prompt files beside ${file}`);
            variants = [];
            for (const variantFile of files) variants.push(variantFile === run.file ? run : printWarnings(await withRetrievalEmbedder(embedder => preparePrompt({ path: variantFile }, { input, embedder }))));
            for (const variant of variants) handlingFor(variant);
        }
        const history = historyFlag(values);

        const code = await withBackend(values, verbose, run.settings.backend, async ({ backend, signal, embedded, recorded, json: where, lora }) => {
            const runFlags = { ...flags, ...await resolveConstraints(constraints, backend) };
            const recording: RunRecording = { command: 'run', history, input, model: recorded, modelLora: lora };
            // Each prompt's own adapters (then --lora's) go with its requests, as the editor sends them.
            const withAdapters = (prompt: PromptRun): PromptRun => ({ ...prompt, lora: requestLora(prompt, values) ?? [] });
            // Self-ask's follow-ups answered by retrieval embed each question: on the embedded runtime, else one started for it.
            const outcome = await withRetrievalEmbedder(fallback => runStrategy(backend, withAdapters(run), {
                strategy, flags: runFlags, samples, temperature, seed, variants: variants?.map(withAdapters), weighting, signal, adapters: 'prompt',
                embedder: embedded?.session.client ?? fallback,
            }, recording), verbose);
            if (json) {
                const extra = strategy === 'self-consistency'
                    ? { samples: outcome.paths?.length, temperature: temperature ?? selfConsistencyDefaults.temperature, weighting: weighting ?? 'count' }
                    : {};
                printJson({ ...outcomeJson(outcome), ...extra, ...where, ...historyJson(history) });
            } else {
                process.stdout.write(terminalText(formatOutcome(outcome), false));
            }
            return signal.aborted ? 130 : 0;
        });
        return reportHistory('run', history, code);
    },
};

/**
 * The plain streamed run of the prompt the caller prepared, appended to the run history like the other strategies.
 * Its answer settings (a direct run also reports the extracted answer) are checked before a model is loaded.
 */
async function runDirectWithHistory(args: CliArgs, run: PreparedPrompt): Promise<number> {
    const { values } = args;
    const input = jsonObjectFlag(values, 'input');
    const handling = handlingFor(run);
    const history = historyFlag(values);
    const code = await runDirect(args, {
        prepared: run,
        async afterRun({ model, source, raw, flags, lora, result }) {
            const outcome = directOutcome(run.messages, result, handling, result.timing.ms);
            const sampling = sourceSampling(source, flags);
            await recordRun({ command: 'run', history, input, model, modelLora: lora }, { run, outcome, sampling, lora, raw });
            // The same trace shape as every other strategy's --json (here one output node).
            return { answer: outcome.answer ?? null, rawAnswer: outcome.rawAnswer ?? null, trace: reasoningTrace(outcome), ...historyJson(history) };
        },
    });
    return reportHistory('run', history, code);
}
