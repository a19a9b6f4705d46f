import { basename } from 'node:path';
import type { ChatWrapper, Llama, LlamaModel } from 'node-llama-cpp';
import type { Backend, ChatTemplateUse, LoraAdapterSpec, ModelInfo, ModelMetadata } from '../../../shared/runtimeApi';
import { lookup } from '../validateModelFile';
import { describeRuntimeBinary } from './LlamaBackend';
import { loadLlamaModule } from './llamaModule';

export interface DescribeModelInput {
    llama: Llama;
    model: LlamaModel;
    path: string;
    fileSizeBytes: number;
    chatWrapper: ChatWrapper;
    chatTemplateUse: ChatTemplateUse;
    contextSize: number;
    threads: number;
    lora: LoraAdapterSpec[];
}

/** ModelInfo of a loaded model, from its GGUF metadata, tensor shapes and what llama.cpp actually set up. */
export async function describeModel(input: DescribeModelInput): Promise<ModelInfo> {
    const { llama, model } = input;
    const { GgufFileType, GgmlType } = await loadLlamaModule();
    const metadata = model.fileInfo.metadata as unknown as Record<string, unknown>;
    const arch = String(lookup(metadata, 'general.architecture') ?? model.fileInfo.metadata.general.architecture);
    const number = (key: string): number => {
        const value = lookup(metadata, key);
        if (typeof value === 'number') return value;
        if (typeof value === 'bigint') return Number(value);
        if (Array.isArray(value)) return Math.max(0, ...value.map(Number).filter(Number.isFinite));
        return 0;
    };

    const tensors = model.fileInfo.fullTensorInfo ?? model.fileInfo.tensorInfo ?? [];
    let parameters = 0;
    for (const tensor of tensors) parameters += tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);

    const fileType = lookup(metadata, 'general.file_type');
    let quantization: string;
    if (typeof fileType === 'number' && (GgufFileType as unknown as Record<number, string>)[fileType] !== undefined) {
        quantization = (GgufFileType as unknown as Record<number, string>)[fileType]!.replace(/^(MOSTLY|ALL)_/, '');
    } else {
        // No general.file_type (writers may omit it): name the type holding most of the weights.
        const elementsByType = new Map<number, number>();
        for (const tensor of tensors) {
            const elements = tensor.dimensions.reduce<number>((product, d) => product * Number(d), 1);
            elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + elements);
        }
        const dominant = [...elementsByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
        quantization = dominant === undefined ? 'unknown' : (GgmlType as unknown as Record<number, string>)[dominant] ?? `ggml type ${dominant}`;
    }

    const tokens = lookup(metadata, 'tokenizer.ggml.tokens');
    const chatTemplate = lookup(metadata, 'tokenizer.chat_template');
    const heads = number(`${arch}.attention.head_count`);
    const gpuLayers = model.gpuLayers;
    const backend: Backend = llama.gpu === false || gpuLayers === 0 ? 'cpu' : llama.gpu;
    const name = lookup(metadata, 'general.name');

    return {
        path: input.path,
        name: typeof name === 'string' && name.trim() !== '' ? name : basename(input.path),
        architecture: arch,
        parameters,
        fileSizeBytes: input.fileSizeBytes,
        trainContextLength: model.trainContextSize,
        contextSize: input.contextSize,
        quantization,
        vocabularySize: Array.isArray(tokens) ? tokens.length : 0,
        embeddingLength: number(`${arch}.embedding_length`),
        layers: number(`${arch}.block_count`),
        heads,
        kvHeads: number(`${arch}.attention.head_count_kv`) || heads,
        chatTemplate: typeof chatTemplate === 'string' ? chatTemplate : undefined,
        chatWrapper: input.chatWrapper.constructor.name,
        chatTemplateUse: input.chatTemplateUse,
        supportsInfill: model.tokens.infill.prefix != null && model.tokens.infill.suffix != null,
        backend,
        ...describeRuntimeBinary(llama),
        gpuLayers,
        threads: input.threads,
        bosToken: model.tokens.bos ?? undefined,
        eosToken: model.tokens.eos ?? undefined,
        lora: input.lora.map(a => ({ path: a.path, scale: a.scale ?? 1 })),
    };
}

/** Raw GGUF metadata for display: long arrays (vocabulary, merges, token types) summarised, bigints as numbers. */
export function summarizeMetadata(model: LlamaModel): ModelMetadata {
    const summarize = (value: unknown): unknown => {
        if (typeof value === 'bigint') return Number(value);
        if (Array.isArray(value)) {
            if (value.length <= 16) return value.map(summarize);
            return `[${value.length} items: ${value.slice(0, 5).map(v => JSON.stringify(summarize(v))).join(', ')}, …]`;
        }
        if (value !== null && typeof value === 'object') {
            return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, summarize(v)]));
        }
        return value;
    };
    return summarize(model.fileInfo.metadata) as ModelMetadata;
}
