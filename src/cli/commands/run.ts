import { resolve } from 'node:path';
import type { CompletionResult, GpuSetting, LoraAdapterSpec, ModelInfo, SamplingOptions } from '../../runtime/api';
import { validateSampling } from '../../core/sampling/validateSampling';
import type { CliArgs, CliCommand } from '../CliCommand';
import { loadPromptSource, type PromptSource } from '../loadPromptSource';
import { integerFlag, jsonObjectFlag, loraFlags, numberFlag } from '../parseFlags';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope run (FILE.prompt | FILE.txt | --text "…") [options]

Runs a prompt on a local GGUF model and streams the output to stdout.
A .prompt file is rendered with Dotprompt and goes through the model's chat template;
--text and other files go in as one user message (or as raw text to continue, with --raw).

Options:
  --model M            Model: a .gguf path or hf:owner/repo:quant (default: $PROMPTSCOPE_MODEL)
  --text TEXT          Prompt text instead of a file
  --raw                Continue the text as is, without the chat template
  --input JSON         Input variables for a .prompt file, e.g. '{"topic": "cats"}'
  --seed N             Sampling seed (same seed, same output)
  --max-tokens N       Most tokens to generate (default 256)
  --temperature T      0 = greedy (default 0.8)
  --top-k K            (default 40; 0 = off)
  --top-p P            (default 0.95)
  --min-p P            (default 0.05)
  --threads N          CPU threads (default: physical cores - 1)
  --gpu G              auto | cuda | metal | vulkan | off (default auto)
  --context-size N     Context size in tokens (default: the model's, at most 4096)
  --lora PATH[:SCALE]  LoRA adapter (repeatable; scale defaults to 1)
  --json               Print {output, timing, model, ...} as JSON instead of streaming
  --verbose            Log llama.cpp's messages and errors' stack traces to stderr
`;

export const runCommand: CliCommand = {
    name: 'run',
    summary: 'Run a prompt (.prompt file or --text) on a local model',
    usage,
    allowPositionals: true,
    options: {
        model: { type: 'string' },
        text: { type: 'string' },
        raw: { type: 'boolean' },
        input: { type: 'string' },
        seed: { type: 'string' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        'top-k': { type: 'string' },
        'top-p': { type: 'string' },
        'min-p': { type: 'string' },
        threads: { type: 'string' },
        gpu: { type: 'string' },
        'context-size': { type: 'string' },
        lora: { type: 'string', multiple: true },
    },
    run: args => runDirect(args),
};

/** What a finished plain run hands to {@link DirectRunHooks.afterRun}. */
export interface DirectRunDone {
    model: ModelInfo;
    source: PromptSource;
    /** Whether `--raw` continued the text without the chat template. */
    raw: boolean;
    /** The command line's sampling flags (the prompt's own sampling not included). */
    flags: SamplingOptions;
    lora: LoraAdapterSpec[];
    result: CompletionResult;
}

export interface DirectRunHooks {
    /** Called once the generation ended (also when aborted), before the output is printed; fields it returns join the `--json` output. */
    afterRun?(done: DirectRunDone): Promise<Record<string, unknown> | void>;
}

/** The plain `promptscope run`: one streamed generation. */
export async function runDirect({ values, positionals, json, verbose }: CliArgs, hooks: DirectRunHooks = {}): Promise<number> {
    if (positionals.length > 1) throw new UsageError(`one prompt file at a time (got ${positionals.join(', ')})`);
    const file = positionals[0];
    const text = values.text as string | undefined;
    if ((file === undefined) === (text === undefined)) throw new UsageError('give either a prompt file or --text "…"');
    const input = jsonObjectFlag(values, 'input');
    if (input !== undefined && (file === undefined || !file.endsWith('.prompt'))) throw new UsageError('--input applies to .prompt files only');

    const flags: SamplingOptions = {};
    const seed = integerFlag(values, 'seed');
    const maxTokens = integerFlag(values, 'max-tokens');
    const temperature = numberFlag(values, 'temperature');
    const topK = integerFlag(values, 'top-k');
    const topP = numberFlag(values, 'top-p');
    const minP = numberFlag(values, 'min-p');
    if (seed !== undefined) flags.seed = seed;
    if (maxTokens !== undefined) flags.maxTokens = maxTokens;
    if (temperature !== undefined) flags.temperature = temperature;
    if (topK !== undefined) flags.topK = topK;
    if (topP !== undefined) flags.topP = topP;
    if (minP !== undefined) flags.minP = minP;

    // Impossible values fail here, before a model is loaded; the runtime checks again with the vocabulary known.
    validateSampling(flags);

    const source: PromptSource = file !== undefined
        ? await loadPromptSource(resolve(file), input)
        : { kind: 'text', text: text! };
    const raw = values.raw === true;
    if (raw && source.kind === 'chat') throw new UsageError('--raw applies to --text and plain text files, not to .prompt files');

    const session = new RuntimeSession(verbose);
    const controller = new AbortController();
    // Ctrl-C stops generation; what was generated so far is still printed (and the host is shut down cleanly).
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    try {
        const lora = [...(source.kind === 'chat' ? source.lora : []), ...loraFlags(values)];
        const info = await session.load({
            model: values.model as string | undefined,
            threads: integerFlag(values, 'threads'),
            gpu: values.gpu as GpuSetting | undefined,
            contextSize: integerFlag(values, 'context-size'),
            lora,
        }, controller.signal);

        const stream = json ? {} : { onToken: ({ text: piece }: { text: string }) => { process.stdout.write(piece); } };
        const call = { ...stream, signal: controller.signal };
        let result: CompletionResult;
        if (source.kind === 'chat') {
            result = await session.client.chat({ messages: source.messages, sampling: { ...source.sampling, ...flags } }, call);
        } else if (raw) {
            result = await session.client.complete({ prompt: source.text, sampling: flags }, call);
        } else {
            result = await session.client.chat({ messages: [{ role: 'user', text: source.text }], sampling: flags }, call);
        }

        const extra = (await hooks.afterRun?.({ model: info, source, raw, flags, lora, result })) ?? {};
        if (json) {
            process.stdout.write(JSON.stringify({
                output: result.text,
                timing: {
                    promptTokens: result.timing.promptTokens,
                    generatedTokens: result.timing.generatedTokens,
                    ms: Math.round(result.timing.ms * 10) / 10,
                    tokensPerSecond: Math.round(result.timing.tokensPerSecond * 10) / 10,
                },
                model: info.name,
                modelPath: info.path,
                backend: info.backend,
                stopReason: result.stopReason,
                seed: result.seed,
                ...extra,
            }, null, 2) + '\n');
        } else {
            process.stdout.write('\n');
            if (verbose) {
                const t = result.timing;
                process.stderr.write(`[${info.name}, ${info.backend}] ${t.promptTokens} prompt + ${t.generatedTokens} generated tokens, `
                    + `${t.tokensPerSecond.toFixed(1)} tok/s, ${Math.round(t.ms)} ms, stop: ${result.stopReason}, seed ${result.seed}\n`);
            }
        }
        return result.stopReason === 'aborted' ? 130 : 0;
    } finally {
        process.off('SIGINT', onInterrupt);
        await session.close();
    }
}
