import { maxProbabilityAlternatives } from '../../shared/limits';
import { escapeControlCharacters } from '../../core/text/escapeControlCharacters';
import type { TokenProbabilitiesResult, TokenText } from '../../shared/runtimeApi';
import { piecesMark } from '../../core/tokens/pieceSummary';
import type { CliCommand } from '../CliCommand';
import { modelOptions } from '../modelFlags';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { preparePromptTarget, promptTarget, promptTargetOptions, requestLora, sourceSampling } from '../promptTarget';
import { samplingFlags, samplingOptions, type SamplingFlag } from '../samplingFlags';
import { ContextOverflowError } from '../../shared/errors/ContextOverflowError';
import { UsageError } from '../UsageError';
import { withBackend } from '../withBackend';
import { backendOptions, backendUsage } from '../backendFlags';
import type { ProbabilityView } from '../../shared/backends';
import { BackendCapabilityError } from '../../shared/errors/BackendCapabilityError';

const usage = `Usage: promptscope probs (FILE.prompt | FILE.txt | --text "…") [options]

Shows each token's probability under the raw model (temperature 1, no filters), with the most likely
alternatives at each position: for the prompt's tokens and for --generate tokens after it, in one pass.
A .prompt file goes through the model's chat template; --text and other files are scored as raw text (with BOS).

Options:
  --model M            Model: a .gguf path or hf:owner/repo:quant (default: $PROMPTSCOPE_MODEL)
  --text TEXT          Text to score instead of a file
  --input JSON         Input variables for a .prompt file
  --generate N         Tokens to generate after the prompt (default 0)
  --alternatives N     Alternatives listed per token, 1-${maxProbabilityAlternatives} (default 10; the table shows up to 3)
  --top-k N            Deprecated alias of --alternatives (in run, --top-k is the sampling filter)
  --seed S             Sampling seed of the generated tokens
  --temperature T      Sampling temperature of the generated tokens, 0 = greedy (default 0.8)
  --no-exact           Use the default F16 KV cache (faster, ~1e-3 off) instead of an F32 one
  --threads N          CPU threads (default: physical cores - 1)
  --gpu G              auto | cuda | metal | vulkan | off (default auto)
  --lora PATH[:SCALE]  LoRA adapter (repeatable; scale defaults to 1)
  --runtime-timeout S  Fail when the runtime does not respond (or a download sends nothing) for S seconds
                       (default 30, $PROMPTSCOPE_RUNTIME_TIMEOUT; 0 = never)
${backendUsage}  --after-sampler      With --backend: the probabilities llama-server's sampler left (its post_sampling_probs)
                       instead of the model's raw ones. A server scores generated tokens only (use --generate N)
  --json               Print the result object {model, view?, tokens: [{index, id, text, raw, pieces?, joinsPrevious?,
                       undecodable?, source, logprob, entropy, top: [{id, text, raw, …, logprob}], sampledTop?}],
                       promptPerplexity, exact, seed, stopReason, logitsSource, timing: {promptTokens,
                       generatedTokens, ms}}. Joined, the tokens' texts are the decoded text: a character split
                       over tokens is in the text of its last byte's token, and each token holding its bytes
                       has pieces: [{character, from, to, of}]; raw is the vocabulary's piece (Ġthe, <0xE6>)
  --verbose            Log llama.cpp's messages to stderr
`;

/** The sampling of the `--generate` tokens: no filters, so `--top-k` is free to be the deprecated `--alternatives`. */
const generationSamplingFlags = ['seed', 'temperature'] as const satisfies readonly SamplingFlag[];

export const probsCommand: CliCommand = {
    name: 'probs',
    summary: 'Per-token probabilities and top alternatives of a prompt (and a short generation)',
    usage,
    allowPositionals: true,
    options: {
        ...promptTargetOptions,
        ...stringOptions('generate', 'alternatives', 'top-k'),
        ...samplingOptions(generationSamplingFlags),
        ...booleanOptions('no-exact', 'after-sampler'),
        ...modelOptions,
        ...backendOptions,
    },
    async run({ values, positionals, json, verbose }) {
        const target = promptTarget(positionals, values);
        const generate = integerFlag(values, 'generate') ?? 0;
        if (generate < 0) throw new UsageError('--generate expects an integer ≥ 0');
        const topK = alternativesFlag(values);

        const flags = samplingFlags(values, generationSamplingFlags);
        const source = await preparePromptTarget(target, values);
        const lora = requestLora(source, values);

        return withBackend(values, verbose, source.settings.backend, async ({ backend, signal, embedded }) => {
            if (embedded !== undefined && values['after-sampler'] === true) throw new UsageError('--after-sampler applies to a server backend (--backend URL); the embedded runtime\'s probabilities are raw');
            if (embedded === undefined && generate === 0) {
                throw new BackendCapabilityError('promptProbabilities', backend.describe().urls!.join(', '), 'ask for generated tokens with --generate N');
            }
            const result = await backend.tokenProbabilities({
                prompt: source.kind === 'chat' ? source.messages : source.text,
                generate,
                topK,
                exact: values['no-exact'] !== true,
                sampling: sourceSampling(source, flags),
                ...(lora === undefined ? {} : { lora }),
            }, { signal }).catch((error: unknown) => { throw generateTooLarge(error, generate); });
            if (json) printJson(embedded ? withoutView(result) : result);
            else process.stdout.write(formatProbabilities(result, embedded ? undefined : result.view));
            return result.stopReason === 'aborted' ? 130 : 0;
        });
    },
};

/**
 * `--alternatives N` (1 to `maxProbabilityAlternatives`, default 10), or its deprecated alias `--top-k`, which then prints a warning: `run`'s
 * `--top-k` is a sampling filter, and one flag should not mean two things.
 */
export function alternativesFlag(values: Record<string, unknown>): number {
    if (values['top-k'] !== undefined && values.alternatives !== undefined) throw new UsageError('give --alternatives only (--top-k is its deprecated alias)');
    const name = values['top-k'] !== undefined ? 'top-k' : 'alternatives';
    if (name === 'top-k') process.stderr.write('promptscope probs: warning: --top-k is deprecated here, use --alternatives N (in run, --top-k is the sampling filter)\n');
    const count = integerFlag(values, name) ?? 10;
    if (count < 1 || count > maxProbabilityAlternatives) throw new UsageError(`--${name} expects an integer from 1 to ${maxProbabilityAlternatives}, got ${count}`);
    return count;
}

/**
 * The runtime's context overflow in terms of `--generate` when the prompt alone fits: the runtime counts the generated
 * tokens into the prompt it reports, which would blame a short prompt for a large `--generate`. Other errors as they are.
 */
export function generateTooLarge(error: unknown, generate: number): unknown {
    if (!(error instanceof ContextOverflowError) || generate <= 1) return error;
    // The runtime needs the prompt plus all generated tokens but the last (scored, never evaluated) below the context size.
    const promptTokens = error.promptTokens - (generate - 1);
    const most = error.contextSize - promptTokens;
    if (most < 1) return error;
    return new UsageError(`--generate ${generate} is too large: the prompt's ${promptTokens} tokens and the generated ones must fit `
        + `the model's context of ${error.contextSize} tokens; use --generate ${most} or less`);
}

/** The human table: one line per token with its probability, entropy and its best alternatives. */
export function formatProbabilities(result: TokenProbabilitiesResult, serverView?: ProbabilityView): string {
    // One line per token: a piece's line breaks and other control characters are shown as escapes.
    const show = (piece: string) => escapeControlCharacters(piece);
    // Prompt tokens are often far below 0.1%: show those in scientific notation instead of a flat 0.0%.
    const percent = (logprob: number) => {
        const p = Math.exp(logprob) * 100;
        return p >= 0.1 ? `${p.toFixed(1)}%` : `${p.toExponential(1)}%`;
    };
    // A split character is shown on the token with its last byte; each token holding its bytes says which (`⟨正 1/3⟩`).
    const shown = (token: TokenText) => show(token.text) + piecesMark(token);
    const rows = result.tokens.map(token => [
        String(token.index),
        token.source === 'generated' ? 'gen' : '',
        shown(token),
        show(token.raw),
        token.logprob === null ? '' : percent(token.logprob),
        token.entropy === null ? '' : token.entropy.toFixed(2),
        token.top.slice(0, 3).map(alt => `${shown(alt)} ${percent(alt.logprob)}`).join(', '),
    ]);
    const header = ['#', '', 'token', 'piece', 'p', 'H (nats)', 'top alternatives'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i]!)).join('  ').trimEnd();
    const lines = [line(header), ...rows.map(line)];
    const perplexity = result.promptPerplexity === null ? 'n/a' : result.promptPerplexity.toFixed(2);
    lines.push('', serverView !== undefined ? `${result.model} on a server: probabilities ${serverView === 'raw' ? 'raw (the model\'s own)' : 'server, after its sampler'}, generated tokens only`
        : `${result.model}: prompt perplexity ${perplexity}, ${result.exact ? 'exact (F32 KV cache)' : 'F16 KV cache'}`
        + (result.timing.generatedTokens > 0 ? `, seed ${result.seed}, stop: ${result.stopReason}` : ''));
    return lines.join('\n') + '\n';
}

/** The embedded runtime's result as it always printed it (its view is always raw). */
function withoutView<T extends { view?: unknown }>(result: T): Omit<T, 'view'> {
    const { view: _view, ...rest } = result;
    return rest;
}
