import type { GpuSetting, ModelInfo } from '../../shared/runtimeApi';
import { chatTemplateSummary } from '../../core/model/chatTemplateText';
import type { CliCommand } from '../CliCommand';
import { printJson } from '../printJson';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope info MODEL [--gpu G] [--json]

Loads a model (a .gguf path or hf:owner/repo:quant) and prints what it is: architecture, parameters,
quantization, context, vocabulary, chat template, and the backend llama.cpp uses for it.
With --json, prints {info, metadata} where metadata is the raw GGUF metadata (long arrays summarised).
`;

export const infoCommand: CliCommand = {
    name: 'info',
    summary: 'Print a model\'s GGUF metadata and how the runtime loads it',
    usage,
    allowPositionals: true,
    options: {
        gpu: { type: 'string' },
    },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError('give exactly one model (a .gguf path or hf:owner/repo:quant)');
        const session = new RuntimeSession(verbose);
        try {
            const info = await session.load({ model: positionals[0], gpu: values.gpu as GpuSetting | undefined });
            if (json) {
                const metadata = await session.client.modelMetadata();
                printJson({ info, metadata });
            } else {
                process.stdout.write(formatInfo(info));
            }
        } finally {
            await session.close();
        }
    },
};

export function formatInfo(info: ModelInfo): string {
    const rows: [string, string][] = [
        ['Name', info.name],
        ['File', `${info.path} (${formatBytes(info.fileSizeBytes)})`],
        ['Architecture', info.architecture],
        ['Parameters', formatCount(info.parameters)],
        ['Quantization', info.quantization],
        ['Context', `${info.contextSize} tokens (trained on ${info.trainContextLength})`],
        ['Vocabulary', `${info.vocabularySize} tokens${info.bosToken !== undefined ? `, BOS ${info.bosToken}` : ''}${info.eosToken !== undefined ? `, EOS ${info.eosToken}` : ''}`],
        ['Layers', `${info.layers} (embedding ${info.embeddingLength}, ${info.heads} heads, ${info.kvHeads} KV heads)`],
        ['Chat template', `${info.chatTemplate !== undefined ? `${info.chatTemplate.length} characters; ` : ''}${chatTemplateSummary(info.chatTemplateUse)}`],
        ['Infill (FIM)', info.supportsInfill ? 'yes' : 'no'],
        ['Backend', `${info.backend}, ${info.gpuLayers} GPU layers, ${info.threads} thread${info.threads === 1 ? '' : 's'}`],
        ['Binary', info.runtimeBinary === 'optimized' ? `optimized: CPU backend built for this CPU, ${info.cpuBackend ?? ''}` : info.runtimeBinary === 'prebuilt' ? `node-llama-cpp prebuilt${info.cpuBackend ? `, ${info.cpuBackend}` : ''} (${info.runtimeBinaryReason ?? 'promptscope build-runtime builds a faster one for this CPU'})` : 'unknown'],
        ['LoRA', info.lora.length === 0 ? 'none' : info.lora.map(a => `${a.path} × ${a.scale ?? 1}`).join(', ')],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n';
}

function formatCount(n: number): string {
    if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
    if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
    if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
    return String(n);
}

function formatBytes(n: number): string {
    if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
    if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
    if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
    return `${n} bytes`;
}
