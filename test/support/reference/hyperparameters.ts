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
}

export const architectureFacts: Readonly<Record<string, ArchitectureFacts>> = {
    llama: { rope: 'norm' },
    qwen2: { rope: 'neox' },
    qwen3: { rope: 'neox' },
    phi3: { rope: 'neox' },
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
    /** Multiplies Q·K before the softmax: 1/√headDim. */
    attentionScale: number;
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
    return {
        architecture,
        facts,
        embeddingLength,
        layers: required('block_count'),
        heads,
        kvHeads: key('attention.head_count_kv') ?? heads,
        headDim,
        valueDim: key('attention.value_length') ?? headDim,
        eps: required('attention.layer_norm_rms_epsilon'),
        ropeBase: key('rope.freq_base') ?? 10000,
        ropeDims: key('rope.dimension_count') ?? headDim,
        attentionScale: 1 / Math.sqrt(headDim),
    };
}

function fail(message: string): never {
    throw new RangeError(`reference forward pass: ${message}`);
}
