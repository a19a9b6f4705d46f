import type { Token } from 'node-llama-cpp';
import { AttentionLimitError } from '../../../shared/errors/AttentionLimitError';
import { maxAttentionTokens } from '../../../shared/limits';
import type { AttentionRequest, AttentionResult, Backend } from '../../../shared/runtimeApi';
import { checkAttentionShape } from '../../../core/attention/attentionWeights';
import type { TokenText } from '../../../shared/tokenText';
import { captureAttention } from './llamaExtrasAddon';
import type { LoadedModel } from './LoadedModel';

/**
 * Attention weights of every (or the requested) layer and query head for `tokens`, from the native addon
 * (attentionCapture.cc): it evaluates them in its own context on a second, CPU-only copy of the model file (the weights are mmapped, so the
 * page cache holds them once), with flash attention off, an F32 KV cache and the model's LoRA adapters applied.
 */
export async function runAttention(loaded: LoadedModel, job: {
    tokens: Token[]; layers?: number[]; ubatch?: number; texts: (tokens: number[]) => Promise<TokenText[]>; signal?: AbortSignal;
    /** Adapters to apply instead of the model's (a request's, validated). Defaults to the model's. */
    lora?: readonly { path: string; scale: number }[];
}): Promise<AttentionResult> {
    const startedAt = performance.now();
    const { tokens } = job;
    if (tokens.length === 0) throw new Error('The prompt is empty: give some text (or token ids) to look at.');
    if (tokens.length > maxAttentionTokens) throw new AttentionLimitError(maxAttentionTokens, tokens.length);
    const layers = job.layers;
    if (layers !== undefined) {
        if (!Array.isArray(layers) || layers.length === 0) throw new RangeError('layers must be a non-empty array of layer numbers.');
        for (const layer of layers) {
            if (!Number.isInteger(layer) || layer < 0 || layer >= loaded.info.layers) {
                throw new RangeError(`Layer ${String(layer)} does not exist: the model has layers 0–${loaded.info.layers - 1}.`);
            }
        }
    }
    job.signal?.throwIfAborted();
    const capture = await captureAttention({
        modelPath: loaded.info.path, tokens, layers, threads: loaded.info.threads, ubatch: job.ubatch, lora: job.lora ?? loaded.lora,
    });
    job.signal?.throwIfAborted();
    const T = tokens.length;
    const { heads } = capture;
    const texts = await job.texts(tokens);
    const result = {
        model: loaded.info.name,
        tokens: tokens.map((id, i) => ({ id, ...texts[i]! })),
        layers: capture.layers,
        modelLayers: capture.modelLayers,
        heads,
        kvHeads: capture.kvHeads,
        // The addon's Float32Array is the result as-is (no nested arrays: the advanced-serialization IPC clones it whole).
        attention: capture.attention,
        computedOn: attentionDevice(loaded.info.backend),
        timing: { tokens: T, ms: Math.round(performance.now() - startedAt) },
    };
    checkAttentionShape(result);
    return result;
}

/**
 * The capture always runs on the CPU: llama.cpp's GPU backends compute attention in fused kernels with no softmax
 * tensor to read back, and the capture needs flash attention off and an F32 KV cache. A model on a GPU is read from
 * a CPU copy of its file, which the result says, so the panel can.
 */
function attentionDevice(backend: Backend): AttentionResult['computedOn'] {
    if (backend === 'cpu') return { device: 'cpu', copy: false };
    return {
        device: 'cpu', copy: true,
        reason: `the model runs on ${backend}, where llama.cpp computes attention in fused kernels that expose no softmax weights; `
            + 'these weights come from a CPU copy of the same file (flash attention off, F32 KV cache), so they are the model\'s, '
            + 'computed on another device',
    };
}
