import type { CompletionResult, LoraAdapterSpec, SamplingOptions, SpeculativeStats } from '../../shared/runtimeApi';
import type { RecordedModel } from '../../core/reasoning/history/runRecord';
import type { CliArgs, CliCommand } from '../CliCommand';
import type { PreparedPrompt } from '../../core/prompt';
import { contextSizeOption, modelOptions } from '../modelFlags';
import { booleanOptions, stringOptions } from '../optionTables';
import { watermarkFlag } from '../watermarkFlag';
import { jsonObjectFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { preparePromptTarget, promptTarget, promptTargetOptions, requestLora, sourceSampling } from '../promptTarget';
import { allSamplingFlags, samplingFlags, samplingOptions } from '../samplingFlags';
import { checkGrammarFlag, constraintFlags, constraintOptions, resolveConstraints } from '../constraintFlags';
import { terminalText } from '../terminalText';
import { UsageError } from '../UsageError';
import { withBackend, type FlagBackend } from '../withBackend';
import { backendOptions, backendUsage } from '../backendFlags';
import { speculativeFlags, speculativeOptions, speculativeUsage } from '../speculativeFlags';

const usage = `Usage: promptscope run (FILE.prompt | FILE.txt | --text "…") [options]

Runs a prompt on a local GGUF model and streams the output to stdout.
A .prompt file is rendered with Dotprompt and goes through the model's chat template;
--text and other files go in as one user message (or as raw text to continue, with --raw).

Options:
  --model M            Model: a .gguf path or hf:owner/repo:quant (default: $PROMPTSCOPE_MODEL)
  --text TEXT          Prompt text instead of a file
  --raw                Continue the text as is, without the chat template, and print the output as is
                       (on a terminal, control characters in the output are otherwise shown escaped, e.g. \\u001b)
  --input JSON         Input variables for a .prompt file, e.g. '{"topic": "cats"}'
  --seed N             Sampling seed (same seed, same output)
  --max-tokens N       Most tokens to generate (default 256)
  --temperature T      0 = greedy (default 0.8)
  --top-k K            Sample from the K most likely tokens (default 40; 0 = off)
  --top-p P            (default 0.95)
  --min-p P            (default 0.05)
  --repeat-penalty R   Penalty on tokens of the last 64 (default 1.1; 1 = off)
  --grammar FILE       Constrain the output with a GBNF grammar file (replaces the prompt's own grammar);
                       checked before the model loads, a mistake reported as FILE:LINE:COLUMN
  --logit-bias LIST    Bias tokens: 'word=+5,id:123=-inf' (words tokenized by the model, as the playground
                       does; id:N is a token id; -inf bans; repeatable)
  --threads N          CPU threads (default: physical cores - 1)
  --gpu G              auto | cuda | metal | vulkan | off (default auto)
  --context-size N     Context size in tokens (default: the model's, at most 4096)
  --lora PATH[:SCALE]  LoRA adapter (repeatable; scale defaults to 1)
  --watermark SPEC     Watermark the output (Kirchenbauer et al. 2023): key=K[,gamma=G][,delta=D][,hard]: a γ share of
                       the vocabulary, seeded by K and the previous token, gets +δ (hard: only it is allowed); default
                       γ 0.25, δ 2. \`promptscope watermark detect --key K\` finds it
${speculativeUsage}${backendUsage}  --runtime-timeout S  Fail when the runtime does not respond (or a download sends nothing) for S seconds
                       (default 30, $PROMPTSCOPE_RUNTIME_TIMEOUT; 0 = never)
  --json               Print {output, timing: {promptTokens, generatedTokens, ms, tokensPerSecond, loop},
                       model, modelPath, backend, stopReason, seed, answer, rawAnswer, history, speculative?} instead
                       of streaming (speculative: {method, rounds, drafted, accepted, acceptanceRate, tokenSources,
                       rejected, draftMs, verifyMs})
  --verbose            Log llama.cpp's messages and errors' stack traces to stderr
`;

export const runCommand: CliCommand = {
    name: 'run',
    summary: 'Run a prompt (.prompt file or --text) on a local model',
    usage,
    allowPositionals: true,
    options: {
        ...promptTargetOptions,
        ...booleanOptions('raw'),
        ...samplingOptions(allSamplingFlags),
        ...constraintOptions,
        ...modelOptions,
        ...contextSizeOption,
        ...speculativeOptions,
        ...stringOptions('watermark'),
        ...backendOptions,
    },
    run: args => runDirect(args),
};

/** What a finished plain run hands to {@link DirectRunHooks.afterRun}. */
export interface DirectRunDone {
    /** The model as the run history records it (a file, or a server's model). */
    model: RecordedModel;
    /** Where it ran, as `--json` names it. */
    json: FlagBackend['json'];
    source: PreparedPrompt;
    /** Whether `--raw` continued the text without the chat template. */
    raw: boolean;
    /** The command line's sampling flags, `--grammar` and `--logit-bias` included (the prompt's own sampling not included). */
    flags: SamplingOptions;
    lora: LoraAdapterSpec[];
    result: CompletionResult;
}

export interface DirectRunHooks {
    /** The prompt as the caller already prepared it (read once); defaults to preparing the command's target. */
    prepared?: PreparedPrompt;
    /** Called once the generation ended (also when aborted), before the output is printed; fields it returns join the `--json` output. */
    afterRun?(done: DirectRunDone): Promise<Record<string, unknown> | void>;
}

/** The plain `promptscope run`: one streamed generation. */
export async function runDirect({ values, positionals, json, verbose }: CliArgs, hooks: DirectRunHooks = {}): Promise<number> {
    const target = promptTarget(positionals, values);
    const input = jsonObjectFlag(values, 'input');
    if (input !== undefined && (target.file === undefined || !target.file.endsWith('.prompt'))) throw new UsageError('--input applies to .prompt files only');
    const flags = samplingFlags(values, allSamplingFlags);
    const constraints = await constraintFlags(values);
    const speculative = speculativeFlags(values);
    const watermark = watermarkFlag(values.watermark);
    if (speculative && constraints.grammar !== undefined) throw new UsageError('--grammar does not combine with --draft-model or --lookup (speculative decoding runs on the native loop, which knows no grammar)');

    const source = hooks.prepared ?? await preparePromptTarget(target, values);
    const raw = values.raw === true;
    if (raw && source.kind === 'chat') throw new UsageError('--raw applies to --text and plain text files, not to .prompt files');
    checkGrammarFlag(constraints, source, target.file);

    // Ctrl-C stops generation; what was generated so far is still printed (and the host is shut down cleanly).
    // The prompt's own adapters go with the request (as the editor sends them); the model is loaded with --lora's.
    const promptLora = requestLora(source, values);
    return withBackend(values, verbose, source.settings?.backend, async ({ backend, signal, recorded, json: where, lora: modelLora }) => {
        const lora = promptLora ?? modelLora;
        const adapters = promptLora === undefined ? {} : { lora: promptLora };
        const stream = json ? {} : { onToken: ({ text: piece }: { text: string }) => { process.stdout.write(terminalText(piece, raw)); } };
        const call = { ...stream, signal };
        const speculation = speculative ? { speculative } : {};
        const runFlags = { ...flags, ...await resolveConstraints(constraints, backend), ...(watermark ? { watermark } : {}) };
        const sampling = sourceSampling(source, runFlags);
        let result: CompletionResult;
        if (source.kind === 'chat') {
            result = await backend.chat({ messages: source.messages, sampling, ...adapters, ...speculation }, call);
        } else if (raw) {
            result = await backend.complete({ prompt: source.text, sampling, ...speculation }, call);
        } else {
            result = await backend.chat({ messages: [{ role: 'user', text: source.text }], sampling, ...speculation }, call);
        }

        const extra = (await hooks.afterRun?.({ model: recorded, json: where, source, raw, flags: runFlags, lora, result })) ?? {};
        if (json) {
            printJson({
                output: result.text,
                timing: {
                    promptTokens: result.timing.promptTokens,
                    generatedTokens: result.timing.generatedTokens,
                    ms: Math.round(result.timing.ms * 10) / 10,
                    tokensPerSecond: Math.round(result.timing.tokensPerSecond * 10) / 10,
                    loop: result.timing.loop ?? null,
                },
                ...where,
                stopReason: result.stopReason,
                seed: result.seed,
                ...(result.speculative ? { speculative: result.speculative } : {}),
                ...extra,
            });
        } else {
            process.stdout.write('\n');
            if (verbose) {
                const t = result.timing;
                process.stderr.write(`[${where.model}, ${where.backend}] ${t.promptTokens} prompt + ${t.generatedTokens} generated tokens, `
                    + `${t.tokensPerSecond.toFixed(1)} tok/s, ${Math.round(t.ms)} ms, stop: ${result.stopReason}, seed ${result.seed}\n`);
            }
            if (result.speculative) process.stderr.write(`${formatSpeculation(result.speculative)}\n`);
        }
        return result.stopReason === 'aborted' ? 130 : 0;
    });
}

/** One line on what speculation did: acceptance, and where the time went. */
export function formatSpeculation(s: SpeculativeStats): string {
    const rate = s.acceptanceRate === undefined ? 'nothing drafted' : `${(s.acceptanceRate * 100).toFixed(1)}% accepted`;
    return `speculative (${s.method === 'lookup' ? 'prompt lookup' : `draft ${s.draftModel}`}): ${s.accepted} of ${s.drafted} drafted tokens accepted (${rate}) `
        + `in ${s.rounds} rounds; drafting ${Math.round(s.draftMs)} ms, verifying ${Math.round(s.verifyMs)} ms`;
}
