import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fixtureArchitectures, FixtureVocabularySizeError, writeFixtureLora, writeFixtureModel, type FixtureArchitectureName, type FixtureSize, type FixtureTensorType } from '../../core/fixtures';
import { formatBytes, formatParameterCount } from '../../core/format';
import type { QuantizeModelResult } from '../../shared/runtimeApi';
import type { CliCommand } from '../CliCommand';
import { stringOptions } from '../optionTables';
import { printJson } from '../printJson';
import { checkOutputPath } from '../outputFlag';
import { RuntimeSession } from '../runtimeSession';
import { quantizationTypeFlag, quantizeWithProgress } from './quantize';
import { UsageError } from '../UsageError';

const architectureNames = Object.keys(fixtureArchitectures) as FixtureArchitectureName[];

const usage = `Usage: promptscope fixture-model OUT.gguf [--arch A] [--lora OUT-lora.gguf] [--seed N] [--size tiny|100m|400m] [--vocab N] [--type f16|f32|q8_0] [--quantize T] [--json]

Writes a GGUF of one model family with deterministic random weights (same options, same bytes), the family's
own tokenizer (SentencePiece or byte-level BPE, with its special and FIM tokens) and its chat template, written
by Promptscope. Its text is noise: it exists for tests, demos and benchmarks without a download.

  --arch A      family (default llama):
${architectureNames.map(name => `                ${name}: ${fixtureArchitectures[name]!.description}`).join('\n')}
  --lora FILE   also write a LoRA adapter for it that makes " banana" the greedy next token at scale 1
  --seed N      seed of the weights (default 1)
  --size S      tiny: 2 layers, n_embd 64, GQA 4/2 heads (default)
                100m: ~125M parameters, 12 layers, n_embd 768, 32000 tokens
                400m: ~405M parameters, 24 layers, n_embd 1024, 32000 tokens
  --vocab N     vocabulary size (synthetic pieces fill the family's own), e.g. 152064 for qwen2's or 262144
                for gemma3's real size in speed figures (default: the preset's, the family's natural size for tiny)
  --type T      type of the weight matrices: f32 (default for tiny), f16 (default otherwise) or q8_0
  --quantize T  then quantize it with llama.cpp's quantizer, as \`promptscope quantize\` does (Q4_0, Q4_K_M, …):
                OUT.gguf is the quantized model (the LoRA, if asked for, stays unquantized)
`;

const sizes: readonly FixtureSize[] = ['tiny', '100m', '400m'];
const types: readonly FixtureTensorType[] = ['f32', 'f16', 'q8_0'];

export const fixtureModelCommand: CliCommand = {
    name: 'fixture-model',
    summary: 'Write a small llama GGUF with random weights (and a matching LoRA) for tests and benchmarks',
    usage,
    allowPositionals: true,
    options: stringOptions('arch', 'lora', 'seed', 'size', 'type', 'vocab', 'quantize'),
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError('give exactly one output path, e.g. fixture.gguf');
        const seed = values.seed === undefined ? 1 : Number(values.seed);
        if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${String(values.seed)}`);
        const size = (values.size ?? 'tiny') as FixtureSize;
        if (!sizes.includes(size)) throw new UsageError(`--size must be one of ${sizes.join(', ')}, got ${String(values.size)}`);
        const type = values.type as FixtureTensorType | undefined;
        if (type !== undefined && !types.includes(type)) throw new UsageError(`--type must be one of ${types.join(', ')}, got ${String(values.type)}`);
        const arch = (values.arch ?? 'llama') as FixtureArchitectureName;
        if (!architectureNames.includes(arch)) throw new UsageError(`--arch must be one of ${architectureNames.join(', ')}, got ${String(values.arch)}`);
        const vocab = values.vocab === undefined ? undefined : Number(values.vocab);
        if (vocab !== undefined && (!Number.isSafeInteger(vocab) || vocab < 1 || vocab > 1_048_576)) {
            throw new UsageError(`--vocab must be a whole number of tokens from 1 to 1048576, got ${String(values.vocab)}`);
        }
        const shape = { arch, size, ...(vocab !== undefined ? { dims: { vocabularySize: vocab } } : {}) };
        const quantize = values.quantize === undefined ? undefined : quantizationTypeFlag(values.quantize, '--quantize');

        // Both targets checked before either is generated (a 400m model takes a while): a directory, a link, a FIFO or
        // an unwritable folder is reported naming it.
        const modelPath = checkOutputPath('OUT.gguf', positionals[0]!);
        const loraPath = typeof values.lora === 'string' ? checkOutputPath('--lora', values.lora) : undefined;
        // Quantized: the fixture is written beside OUT first and removed once llama.cpp has quantized it.
        const written = quantize === undefined ? modelPath : join(dirname(modelPath), `.${basename(modelPath)}.unquantized-${process.pid}.gguf`);
        const model = await writeFixtureModel(written, { ...shape, seed, type }).catch((error: unknown) => {
            if (vocab === undefined || !(error instanceof FixtureVocabularySizeError)) throw error;
            const fits = error.maximum === undefined ? `at least ${error.minimum}` : `from ${error.minimum} to ${error.maximum}`;
            throw new UsageError(`--vocab ${vocab} does not fit the ${arch} tokenizer: give ${fits} tokens`);
        });
        const lora = loraPath !== undefined ? await writeFixtureLora(loraPath, { ...shape, seed }) : undefined;
        let quantized: QuantizeModelResult | undefined;
        if (quantize !== undefined) {
            const session = new RuntimeSession(verbose);
            try {
                quantized = await quantizeWithProgress(session, { input: written, output: modelPath, type: quantize, overwrite: true });
            } finally {
                await Promise.all([session.close(), rm(written, { force: true })]);
            }
            model.path = modelPath;
            model.bytes = quantized.outputBytes;
        }
        if (json) {
            printJson({ model, lora, ...(quantized ? { quantized } : {}) });
            return;
        }
        const d = model.dimensions;
        process.stdout.write(
            `Wrote ${model.path}\n` +
            `  ${model.arch}, ${formatParameterCount(model.parameters)} parameters, ${model.type}, ${formatBytes(model.bytes)}, seed ${model.seed}, ${formatDuration(model.milliseconds)}\n` +
            `  ${d.blockCount} layers, n_embd ${d.embeddingLength}, ${d.headCount} heads (${d.headCountKv} KV), feed-forward ${d.feedForwardLength}, ` +
            `vocabulary ${d.vocabularySize}, context ${d.contextLength}\n`,
        );
        if (lora) {
            process.stdout.write(`Wrote ${lora.path}\n  LoRA on ${lora.target}, rank ${lora.rank}, alpha ${lora.alpha}, ${formatBytes(lora.bytes)}; boosts token ${lora.boostedTokenId}\n`);
        }
    },
};

function formatDuration(milliseconds: number): string {
    return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(1)} s`;
}
