import { attentionRow, toNestedArrays } from '../../core/attention/attentionWeights';
import { piecesMark } from '../../core/tokens/pieceSummary';
import { maxAttentionTokens } from '../../shared/limits';
import type { AttentionResult } from '../../shared/runtimeApi';
import type { CliCommand } from '../CliCommand';
import { modelOptions } from '../modelFlags';
import { stringOptions } from '../optionTables';
import { integerFlag } from '../parseFlags';
import { preparePromptTarget, promptTarget, promptTargetOptions, requestLora } from '../promptTarget';
import { UsageError } from '../UsageError';
import { withFlagModel } from '../withFlagModel';
import { serverChoice } from '../backendFlags';
import { BackendCapabilityError } from '../../shared/errors/BackendCapabilityError';

const usage = `Usage: promptscope attention (FILE.prompt | FILE.txt | --text "…") [options]

Shows where each token looks: the attention weights of every layer and query head (softmax over the earlier
tokens), captured from llama.cpp by Promptscope's native addon. Up to ${maxAttentionTokens} tokens.
A .prompt file goes through the model's chat template; --text and other files are read as raw text (with BOS).
The table lists, per layer (heads averaged), the 3 earlier tokens each token attends to most.

Options:
  --model M            Model: a .gguf path or hf:owner/repo:quant (default: $PROMPTSCOPE_MODEL)
  --text TEXT          Text instead of a file
  --input JSON         Input variables for a .prompt file
  --layer L            Only layer L (0-based; default: every layer)
  --threads N          CPU threads (default: physical cores - 1)
  --gpu G              auto | cuda | metal | vulkan | off (default auto)
  --lora PATH[:SCALE]  LoRA adapter (repeatable; scale defaults to 1)
  --runtime-timeout S  Fail when the runtime does not respond (or a download sends nothing) for S seconds
                       (default 30, $PROMPTSCOPE_RUNTIME_TIMEOUT; 0 = never)
  --backend B          embedded only: attention needs the embedded runtime (a server backend is refused by name)
  --json               Print {model, tokens: [{id, text, raw, pieces?}], layers, modelLayers, heads, kvHeads,
                       attention: [layer][head][query][key], computedOn: {device, copy, reason?}, timing: {tokens, ms}}
                       (copy: the model runs on a GPU and the weights come from a CPU copy of it; reason says why)
  --verbose            Log llama.cpp's messages to stderr
`;

export const attentionCommand: CliCommand = {
    name: 'attention',
    summary: `Attention weights of a prompt, per layer and head (up to ${maxAttentionTokens} tokens)`,
    usage,
    allowPositionals: true,
    options: {
        ...promptTargetOptions,
        ...stringOptions('layer', 'backend'),
        ...modelOptions,
    },
    async run({ values, positionals, json, verbose }) {
        const target = promptTarget(positionals, values);
        const layer = integerFlag(values, 'layer');
        if (layer !== undefined && layer < 0) throw new UsageError('--layer expects an integer ≥ 0');
        const source = await preparePromptTarget(target, values);
        // `--backend URL` or the prompt's promptscope.backend naming a server: said plainly, not run elsewhere.
        const server = serverChoice({ ...values, 'model-flags-elsewhere': true }, source.settings.backend);
        if (server !== undefined) throw new BackendCapabilityError('attention', server.urls.join(', '));
        const lora = requestLora(source, values);

        return withFlagModel(values, verbose, async ({ session, signal }) => {
            const result = await session.client.attention({
                prompt: source.kind === 'chat' ? source.messages : source.text,
                layers: layer === undefined ? undefined : [layer],
                ...(lora === undefined ? {} : { lora }),
            }, { signal });
            process.stdout.write(json ? formatAttentionJson(result) + '\n' : formatAttention(result));
            return 0;
        });
    },
};

/** The `--json` output: the result with `attention` as nested arrays [layer][head][query][key]. */
export function formatAttentionJson(result: AttentionResult): string {
    return JSON.stringify({ ...result, attention: toNestedArrays(result) });
}

/** Per layer (heads averaged): each token and the 3 tokens it attends to most. */
export function formatAttention(result: AttentionResult): string {
    const show = (piece: string) => JSON.stringify(piece).slice(1, -1);
    const lines: string[] = [];
    result.layers.forEach((layer, slot) => {
        lines.push(`layer ${layer} (mean of ${result.heads} heads)`);
        result.tokens.forEach((token, query) => {
            const mean = new Float64Array(query + 1);
            for (let head = 0; head < result.heads; head++) {
                const row = attentionRow(result, slot, head, query);
                for (let key = 0; key <= query; key++) mean[key]! += row[key]! / result.heads;
            }
            const top = Array.from(mean, (w, key) => ({ w, key })).sort((a, b) => b.w - a.w).slice(0, 3);
            lines.push(`  ${String(query).padStart(3)}  ${(show(token.text) + piecesMark(token)).padEnd(14)}  `
                + top.map(({ w, key }) => `${key}:${show(result.tokens[key]!.text)}${piecesMark(result.tokens[key]!)} ${(w * 100).toFixed(1)}%`).join(', '));
        });
    });
    lines.push('', `${result.model}: ${result.tokens.length} tokens, ${result.modelLayers} layers, ${result.heads} heads `
        + `(${result.kvHeads} KV heads), ${result.timing.ms} ms`);
    if (result.computedOn.copy) lines.push(`Computed on a CPU copy of the model: ${result.computedOn.reason ?? ''}`);
    return lines.join('\n') + '\n';
}
