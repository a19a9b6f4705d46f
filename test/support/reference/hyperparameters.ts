import type { ReferenceTensors } from './ReferenceTensors';

/**
 * How each of llama.cpp's graphs rotates Q and K (llama_model_rope_type in src/llama-model.cpp): llama's NORM mode
 * rotates adjacent pairs (2i, 2i+1); NEOX mode rotates (i, i + d/2). Written from the architectures, not read from
 * the file, because a GGUF does not say which one its graph uses.
 */
export type RopeMode = 'norm' | 'neox';

/** Facts of an architecture that its GGUF does not state: llama.cpp's graph hard-codes them. */
export interface ArchitectureFacts {
    rope: RopeMode;
    /** Token embeddings are multiplied by √n_embd before the first layer (Gemma's graphs). Defaults to false. */
    scaleEmbedding?: boolean;
    /** The gated feed-forward's activation: SiLU (SwiGLU) or GELU, tanh approximation (GeGLU, Gemma). Defaults to silu. */
    activation?: 'silu' | 'gelu';
    /**
     * Sliding-window attention: llama.cpp's `load_swa_pattern` default period when the file has no
     * `attention.sliding_window_pattern`, and the window when the file has no `attention.sliding_window` (undefined:
     * no window without the key, as gemma3). RoPE on sliding layers uses `rope.freq_base_swa`, else `swaRopeBase`
     * ('global': the global base, as gemma2 sets it; a number: llama_hparams' default, 10000).
     */
    slidingWindow?: { defaultPattern: number; defaultWindow?: number; swaRopeBase: 'global' | number };
    /** gemma2: tanh soft-capping of attention scores (`attn_logit_softcapping`, default 50). Defaults to none. */
    attentionSoftcapDefault?: number;
    /**
     * Tanh soft-capping of the logits: `final_logit_softcapping`, else this default (gemma2: always, 30); `'key'` caps
     * only when the file has the key (gemma3). Defaults to none.
     */
    finalSoftcap?: number | 'key';
    /**
     * Gemma's query scale (llama.cpp's f_attention_scale): 1/√(n_embd/n_head) for the 27B model, recognised by its
     * layer count, else 1/√head_dim. Defaults to 1/√head_dim.
     */
    layersOfQueryScaleByEmbedding?: number;
}

export const architectureFacts: Readonly<Record<string, ArchitectureFacts>> = {
    llama: { rope: 'norm' },
    qwen2: { rope: 'neox' },
    qwen3: { rope: 'neox' },
    phi3: { rope: 'neox' },
    gemma2: {
        rope: 'neox', scaleEmbedding: true, activation: 'gelu', attentionSoftcapDefault: 50, finalSoftcap: 30,
        slidingWindow: { defaultPattern: 2, defaultWindow: 4096, swaRopeBase: 'global' }, layersOfQueryScaleByEmbedding: 46,
    },
    gemma3: {
        rope: 'neox', scaleEmbedding: true, activation: 'gelu', finalSoftcap: 'key',
        slidingWindow: { defaultPattern: 6, swaRopeBase: 10000 }, layersOfQueryScaleByEmbedding: 62,
    },
    qwen3moe: { rope: 'neox' },
};

export interface ReferenceHyperparameters {
    /** `general.architecture`. */
    architecture: string;
    facts: ArchitectureFacts;
    embeddingLength: number;
    layers: number;
    heads: number;
    kvHeads: number;
    /** Length of one query/key head (`attention.key_length`, else embedding / heads). */
    headDim: number;
    /** Length of one value head (`attention.value_length`, else the key length). */
    valueDim: number;
    eps: number;
    ropeBase: number;
    /** Leading dimensions of each head that RoPE rotates (`rope.dimension_count`, else the head length). */
    ropeDims: number;
    /** Multiplies Q·K before the softmax: 1/√headDim (Gemma 27B: see `layersOfQueryScaleByEmbedding`). */
    attentionScale: number;
    /** Tokens a sliding-window layer attends to (itself included); undefined when no layer slides. */
    slidingWindow?: number;
    /** swaLayers[l]: layer l slides (llama_hparams::is_swa). */
    swaLayers: boolean[];
    /** RoPE base of the sliding layers. */
    swaRopeBase: number;
    /** Attention scores become cap · tanh(score / cap) before the softmax. */
    attentionSoftcap?: number;
    /** Logits become cap · tanh(logit / cap). */
    finalSoftcap?: number;
    /** Mixture of experts: experts per layer and how many each token uses (`expert_count`, `expert_used_count`). */
    experts?: { count: number; used: number };
}

/** The hyperparameters one layer runs with: sliding layers get the window and the SWA RoPE base. */
export function layerHyperparameters(hp: ReferenceHyperparameters, layer: number): ReferenceHyperparameters {
    if (!hp.swaLayers[layer]) return { ...hp, slidingWindow: undefined };
    return { ...hp, ropeBase: hp.swaRopeBase };
}

export function readHyperparameters(tensors: ReferenceTensors): ReferenceHyperparameters {
    const architecture = String(tensors.metadata('general.architecture'));
    const facts = architectureFacts[architecture];
    if (!facts) throw new RangeError(`the reference forward pass does not know architecture ${JSON.stringify(architecture)} (add it to architectureFacts)`);
    const key = (name: string): number | undefined => {
        const value = tensors.metadata(`${architecture}.${name}`);
        return value === undefined ? undefined : Number(value);
    };
    const required = (name: string): number => key(name) ?? fail(`${architecture}.${name} is missing`);
    const embeddingLength = required('embedding_length');
    const heads = required('attention.head_count');
    const headDim = key('attention.key_length') ?? embeddingLength / heads;
    const layers = required('block_count');
    const ropeBase = key('rope.freq_base') ?? 10000;
    const queryScaleByEmbedding = facts.layersOfQueryScaleByEmbedding !== undefined && layers === facts.layersOfQueryScaleByEmbedding;
    const swa = slidingWindowLayers(tensors, architecture, facts, layers);
    const expertCount = key('expert_count') ?? 0;
    return {
        architecture,
        facts,
        embeddingLength,
        layers,
        heads,
        kvHeads: key('attention.head_count_kv') ?? heads,
        headDim,
        valueDim: key('attention.value_length') ?? headDim,
        eps: required('attention.layer_norm_rms_epsilon'),
        ropeBase,
        ropeDims: key('rope.dimension_count') ?? headDim,
        attentionScale: 1 / Math.sqrt(queryScaleByEmbedding ? embeddingLength / heads : headDim),
        slidingWindow: swa?.window,
        swaLayers: swa?.layers ?? new Array<boolean>(layers).fill(false),
        swaRopeBase: key('rope.freq_base_swa') ?? (facts.slidingWindow?.swaRopeBase === 'global' ? ropeBase : facts.slidingWindow?.swaRopeBase ?? ropeBase),
        attentionSoftcap: facts.attentionSoftcapDefault !== undefined ? key('attn_logit_softcapping') ?? facts.attentionSoftcapDefault : undefined,
        finalSoftcap: facts.finalSoftcap === 'key' ? key('final_logit_softcapping') || undefined
            : facts.finalSoftcap !== undefined ? key('final_logit_softcapping') ?? facts.finalSoftcap : undefined,
        experts: expertCount > 0 ? { count: expertCount, used: required('expert_used_count') } : undefined,
    };
}

/**
 * Which layers slide and over how many tokens, as llama.cpp's loaders decide: the window from
 * `attention.sliding_window` (or the architecture's default), the layers from `attention.sliding_window_pattern`, either
 * one flag per layer or a period n where layer l slides when l mod n < n − 1 (all layers when n is 0).
 */
function slidingWindowLayers(tensors: ReferenceTensors, architecture: string, facts: ArchitectureFacts, layers: number): { window: number; layers: boolean[] } | undefined {
    if (!facts.slidingWindow) return undefined;
    const windowKey = tensors.metadata(`${architecture}.attention.sliding_window`);
    const window = windowKey === undefined ? facts.slidingWindow.defaultWindow : Number(windowKey);
    if (!window) return undefined;
    const pattern = tensors.metadata(`${architecture}.attention.sliding_window_pattern`);
    if (Array.isArray(pattern)) return { window, layers: Array.from({ length: layers }, (_, l) => Boolean(pattern[l])) };
    const period = pattern === undefined ? facts.slidingWindow.defaultPattern : Number(pattern);
    return { window, layers: Array.from({ length: layers }, (_, l) => period === 0 || l % period < period - 1) };
}

function fail(message: string): never {
    throw new RangeError(`reference forward pass: ${message}`);
}
