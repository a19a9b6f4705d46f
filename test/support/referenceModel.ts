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
import { loadFeedForward, type ActivationOverride, type FeedForward, type ReferenceBackend } from './reference/feedForward';
import { explainByFloatSteps, type FloatStepExplanation, type ObservedLogprobs } from './reference/floatSteps';
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
    /**
     * embeddings[p]: the final-norm hidden state at position p (what llama.cpp returns as the embedding of a sequence
     * ending there when the model declares no pooling), before the output projection.
     */
    embeddings: Float64Array[];
}

export interface ReferenceModel {
    architecture: string;
    vocabularySize: number;
    layers: number;
    heads: number;
    kvHeads: number;
    forward(tokens: readonly number[]): ReferenceForward;
    /**
     * The largest difference between llama.cpp's log-probabilities and the reference's on these tokens once float16
     * steps of llama.cpp's CPU GELU table explain what they can (reference/floatSteps.ts); the plain largest difference
     * for families without one. Costs a partial forward pass per activation near a step: call it only to explain a
     * difference beyond the tolerance.
     */
    explainByFloatSteps(tokens: readonly number[], observed: readonly ObservedLogprobs[], tolerance: number): FloatStepExplanation;
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
export async function loadReferenceModel(path: string, options: { lora?: ReferenceLora; backend?: ReferenceBackend } = {}): Promise<ReferenceModel> {
    const backend = options.backend ?? 'cpu';
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
                feedForward: await loadFeedForward(tensors, prefix, hp, backend),
                postAttentionNorm: await tensors.optionalVector(`${prefix}.post_attention_norm.weight`),
                postFeedForwardNorm: await tensors.optionalVector(`${prefix}.post_ffw_norm.weight`),
            });
        }
        const outputNorm = await tensors.vector('output_norm.weight');
        // Without output.weight llama.cpp multiplies by the token embedding (TENSOR_DUPLICATED in its loaders).
        const output = (await tensors.optionalLinear('output')) ?? embedding;
        const weights: Weights = { hp, embedding, layers, outputNorm, output };
        return {
            architecture: hp.architecture,
            vocabularySize: output.rows,
            layers: hp.layers,
            heads: hp.heads,
            kvHeads: hp.kvHeads,
            forward: tokens => forward(tokens, weights),
            explainByFloatSteps: (tokens, observed, tolerance) => explainByFloatSteps(tokens, observed, {
                stepped: hp.facts.activation === 'gelu' && backend === 'cpu',
                run: (hidden, fromLayer, override) => runLayers(hidden, fromLayer, weights, override),
                embed: t => embed(t, weights),
                logprobs: x => logprobsOf(x, weights),
            }, tolerance),
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
    const { states, attention } = runLayers(embed(tokens, w), 0, w);
    return {
        logprobs: states.at(-1)!.map(x => logprobsOf(x, w)),
        attention,
        embeddings: states.at(-1)!.map(x => rmsNorm(x, w.outputNorm, w.hp.eps)),
    };
}

function embed(tokens: readonly number[], w: Weights): Float64Array[] {
    return tokens.map(t => {
        if (!Number.isInteger(t) || t < 0 || t >= w.embedding.rows) throw new RangeError(`token ${t} is outside the vocabulary`);
        const embedded = row(w.embedding, t);
        // Gemma's graphs scale token embeddings by √n_embd.
        return w.hp.facts.scaleEmbedding ? embedded.map(v => v * Math.sqrt(w.hp.embeddingLength)) : embedded;
    });
}

/**
 * The layers from `fromLayer` on, `hidden` being the residual stream entering it. `states[i]` is the stream entering
 * layer fromLayer + i (the last: leaving the last layer); `override(layer, position)` may replace activations.
 */
function runLayers(hidden: Float64Array[], fromLayer: number, w: Weights, override?: (layer: number, position: number) => ActivationOverride | undefined): { states: Float64Array[][]; attention: number[][][][] } {
    const { hp } = w;
    const states = [hidden];
    const attention: number[][][][] = [];
    const postNorm = (x: Float64Array, weight: Float64Array | undefined): Float64Array => (weight ? rmsNorm(x, weight, hp.eps) : x);
    for (let l = fromLayer; l < w.layers.length; l++) {
        const layer = w.layers[l]!;
        const attended = attend(layer.attention, hidden.map(x => rmsNorm(x, layer.attentionNorm, hp.eps)), layerHyperparameters(hp, l));
        attention.push(attended.weights);
        hidden = hidden.map((x, p) => add(x, postNorm(attended.output[p]!, layer.postAttentionNorm)));
        hidden = hidden.map((x, p) => add(x, postNorm(layer.feedForward.run(rmsNorm(x, layer.ffnNorm, hp.eps), override?.(l, p)), layer.postFeedForwardNorm)));
        states.push(hidden);
    }
    return { states, attention };
}

/** Final norm, output projection and (gemma2) soft-capping: one position's log-probabilities. */
function logprobsOf(x: Float64Array, w: Weights): Float64Array {
    const logits = apply(w.output, rmsNorm(x, w.outputNorm, w.hp.eps));
    const cap = w.hp.finalSoftcap;
    return logSoftmax(cap === undefined ? logits : logits.map(v => cap * Math.tanh(v / cap)));
}
