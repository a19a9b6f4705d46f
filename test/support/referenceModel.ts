// An independent forward pass of a GGUF of the fixture zoo, in plain TypeScript with Float64 math, to check the
// runtime's numbers against. It shares nothing with llama.cpp or with our fixture writer but the file: weights come
// from our own GGUF reader (F32/F16/Q8_0 dequantised), and every step is written from the architectures' graphs
// (llama.cpp's src/models/*.cpp). What a layer does is decided by `general.architecture` (facts a file does not
// state, such as the RoPE mode: reference/hyperparameters.ts) and by the tensors present (biases, Q/K norms, fused
// QKV, fused gate/up: reference/attention.ts and reference/feedForward.ts), so a new feature is one optional tensor
// and one step. Per layer: norm → attention → residual → norm → feed-forward → residual; then the final norm and
// output.weight (or the tied token embedding).
import { apply, row, type Linear } from './reference/linear';
import { add, logSoftmax, rmsNorm } from './reference/math';
import { attend, loadAttention, type AttentionWeights } from './reference/attention';
import { loadFeedForward, type FeedForward } from './reference/feedForward';
import { layerHyperparameters, readHyperparameters, type ReferenceHyperparameters } from './reference/hyperparameters';
import { ReferenceTensors } from './reference/ReferenceTensors';

export interface ReferenceLora {
    /** A GGUF LoRA adapter (`<tensor>.lora_a` [n_in, r], `<tensor>.lora_b` [r, n_out], `adapter.lora.alpha`). */
    path: string;
    /** Defaults to 1. */
    scale?: number;
}

export interface ReferenceForward {
    /** logprobs[p][t] = log P(token t at position p + 1 | tokens 0…p): the log-softmax of position p's logits. */
    logprobs: Float64Array[];
    /** attention[layer][head][query][key] for key ≤ query (softmax weights; each row sums to 1). */
    attention: number[][][][];
}

export interface ReferenceModel {
    architecture: string;
    vocabularySize: number;
    layers: number;
    heads: number;
    kvHeads: number;
    forward(tokens: readonly number[]): ReferenceForward;
}

interface Layer {
    attentionNorm: Float64Array;
    attention: AttentionWeights;
    ffnNorm: Float64Array;
    feedForward: FeedForward;
    /** Gemma's norms of the attention and feed-forward outputs before they join the residual stream. */
    postAttentionNorm?: Float64Array;
    postFeedForwardNorm?: Float64Array;
}

/** Loads the model's weights (and optionally one adapter) into Float64 arrays. */
export async function loadReferenceModel(path: string, options: { lora?: ReferenceLora } = {}): Promise<ReferenceModel> {
    const tensors = await ReferenceTensors.open(path, options.lora);
    try {
        const hp = readHyperparameters(tensors);
        const embedding = await tensors.linear('token_embd');
        const layers: Layer[] = [];
        for (let l = 0; l < hp.layers; l++) {
            const prefix = `blk.${l}`;
            layers.push({
                attentionNorm: await tensors.vector(`${prefix}.attn_norm.weight`),
                attention: await loadAttention(tensors, prefix),
                ffnNorm: await tensors.vector(`${prefix}.ffn_norm.weight`),
                feedForward: await loadFeedForward(tensors, prefix, hp),
                postAttentionNorm: await tensors.optionalVector(`${prefix}.post_attention_norm.weight`),
                postFeedForwardNorm: await tensors.optionalVector(`${prefix}.post_ffw_norm.weight`),
            });
        }
        const outputNorm = await tensors.vector('output_norm.weight');
        // Without output.weight llama.cpp multiplies by the token embedding (TENSOR_DUPLICATED in its loaders).
        const output = (await tensors.optionalLinear('output')) ?? embedding;
        return {
            architecture: hp.architecture,
            vocabularySize: output.rows,
            layers: hp.layers,
            heads: hp.heads,
            kvHeads: hp.kvHeads,
            forward: tokens => forward(tokens, { hp, embedding, layers, outputNorm, output }),
        };
    } finally {
        await tensors.close();
    }
}

interface Weights {
    hp: ReferenceHyperparameters;
    embedding: Linear;
    layers: Layer[];
    outputNorm: Float64Array;
    output: Linear;
}

function forward(tokens: readonly number[], w: Weights): ReferenceForward {
    const { hp } = w;
    let hidden = tokens.map(t => {
        if (!Number.isInteger(t) || t < 0 || t >= w.embedding.rows) throw new RangeError(`token ${t} is outside the vocabulary`);
        const embedded = row(w.embedding, t);
        // Gemma's graphs scale token embeddings by √n_embd.
        return hp.facts.scaleEmbedding ? embedded.map(v => v * Math.sqrt(hp.embeddingLength)) : embedded;
    });
    const attention: number[][][][] = [];
    const postNorm = (x: Float64Array, weight: Float64Array | undefined): Float64Array => (weight ? rmsNorm(x, weight, hp.eps) : x);
    w.layers.forEach((layer, l) => {
        const attended = attend(layer.attention, hidden.map(x => rmsNorm(x, layer.attentionNorm, hp.eps)), layerHyperparameters(hp, l));
        attention.push(attended.weights);
        hidden = hidden.map((x, p) => add(x, postNorm(attended.output[p]!, layer.postAttentionNorm)));
        hidden = hidden.map(x => add(x, postNorm(layer.feedForward.run(rmsNorm(x, layer.ffnNorm, hp.eps)), layer.postFeedForwardNorm)));
    });
    const softcap = (logits: Float64Array): Float64Array => {
        const cap = hp.finalSoftcap;
        return cap === undefined ? logits : logits.map(v => cap * Math.tanh(v / cap));
    };
    const logprobs = hidden.map(x => logSoftmax(softcap(apply(w.output, rmsNorm(x, w.outputNorm, hp.eps)))));
    return { logprobs, attention };
}
