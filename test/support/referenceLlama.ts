// An independent forward pass of a llama-architecture GGUF (the fixture models), in plain TypeScript with Float64
// math, to check the runtime's numbers against. It shares nothing with llama.cpp but the file: weights come from
// our own GGUF reader (F32/F16/Q8_0 dequantised), and every step is written out from the llama architecture:
// RMSNorm → Q/K/V → RoPE (llama's "normal" mode: rotates adjacent pairs (2i, 2i+1), as ggml's GGML_ROPE_TYPE_NORM
// does for LLM_ARCH_LLAMA) → causal softmax attention with grouped-query heads → output projection + residual →
// RMSNorm → SwiGLU feed-forward + residual → final norm → output.weight (or the tied token embedding).
// The fixture writer stores Q/K rows as the model uses them (no convert-script permutation to undo).
import { GgufFile } from '../../src/core/gguf';

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

export interface ReferenceLlama {
    vocabularySize: number;
    layers: number;
    heads: number;
    kvHeads: number;
    forward(tokens: readonly number[]): ReferenceForward;
}

interface Block {
    attnNorm: Float64Array;
    q: Matrix;
    k: Matrix;
    v: Matrix;
    o: Matrix;
    ffnNorm: Float64Array;
    gate: Matrix;
    up: Matrix;
    down: Matrix;
}

interface Matrix {
    rows: number;
    cols: number;
    data: Float64Array;
    /** LoRA low-rank update: out += factor · B (A x). */
    lora?: { a: Matrix; b: Matrix; factor: number };
}

/** Loads the model's weights (and optionally one adapter) into Float64 arrays. */
export async function loadReferenceLlama(path: string, options: { lora?: ReferenceLora } = {}): Promise<ReferenceLlama> {
    const file = await GgufFile.open(path);
    const adapterFile = options.lora ? await GgufFile.open(options.lora.path) : undefined;
    try {
        const arch = String(meta(file, 'general.architecture'));
        const n = Number(meta(file, `${arch}.embedding_length`));
        const layers = Number(meta(file, `${arch}.block_count`));
        const heads = Number(meta(file, `${arch}.attention.head_count`));
        const kvHeads = Number(meta(file, `${arch}.attention.head_count_kv`) ?? heads);
        const eps = Number(meta(file, `${arch}.attention.layer_norm_rms_epsilon`));
        const ropeBase = Number(meta(file, `${arch}.rope.freq_base`) ?? 10000);
        const headDim = n / heads;
        const ropeDims = Number(meta(file, `${arch}.rope.dimension_count`) ?? headDim);

        const names = new Set(file.header.tensors.map(t => t.name));
        const adapterNames = new Set(adapterFile?.header.tensors.map(t => t.name) ?? []);
        const alpha = adapterFile ? Number(meta(adapterFile, 'adapter.lora.alpha') ?? 0) : 0;
        const loraScale = options.lora?.scale ?? 1;

        const vector = async (name: string) => Float64Array.from(await file.readTensor(name));
        const matrix = async (name: string): Promise<Matrix> => {
            const info = file.tensor(name);
            const m: Matrix = { cols: info.shape[0]!, rows: info.shape[1] ?? 1, data: Float64Array.from(await file.readTensor(info)) };
            if (adapterFile && adapterNames.has(`${name}.lora_a`)) {
                const a = await plain(adapterFile, `${name}.lora_a`);
                const b = await plain(adapterFile, `${name}.lora_b`);
                const rank = b.cols;
                // llama.cpp: scale · alpha / rank, or just scale when the adapter has no alpha.
                m.lora = { a, b, factor: alpha !== 0 ? loraScale * alpha / rank : loraScale };
            }
            return m;
        };

        const embedding = await matrix('token_embd.weight');
        const blocks: Block[] = [];
        for (let l = 0; l < layers; l++) {
            const p = `blk.${l}`;
            blocks.push({
                attnNorm: await vector(`${p}.attn_norm.weight`),
                q: await matrix(`${p}.attn_q.weight`),
                k: await matrix(`${p}.attn_k.weight`),
                v: await matrix(`${p}.attn_v.weight`),
                o: await matrix(`${p}.attn_output.weight`),
                ffnNorm: await vector(`${p}.ffn_norm.weight`),
                gate: await matrix(`${p}.ffn_gate.weight`),
                up: await matrix(`${p}.ffn_up.weight`),
                down: await matrix(`${p}.ffn_down.weight`),
            });
        }
        const outputNorm = await vector('output_norm.weight');
        const output = names.has('output.weight') ? await matrix('output.weight') : embedding;
        const vocabularySize = output.rows;

        const rmsNorm = (x: Float64Array, w: Float64Array): Float64Array => {
            let sum = 0;
            for (const v of x) sum += v * v;
            const scale = 1 / Math.sqrt(sum / x.length + eps);
            return x.map((v, i) => v * scale * w[i]!);
        };
        const rope = (x: Float64Array, heads: number, position: number): void => {
            for (let h = 0; h < heads; h++) {
                const base = h * headDim;
                for (let i = 0; i < ropeDims / 2; i++) {
                    const theta = position * Math.pow(ropeBase, (-2 * i) / ropeDims);
                    const cos = Math.cos(theta);
                    const sin = Math.sin(theta);
                    const x0 = x[base + 2 * i]!;
                    const x1 = x[base + 2 * i + 1]!;
                    x[base + 2 * i] = x0 * cos - x1 * sin;
                    x[base + 2 * i + 1] = x0 * sin + x1 * cos;
                }
            }
        };

        const forward = (tokens: readonly number[]): ReferenceForward => {
            const T = tokens.length;
            let hidden: Float64Array[] = tokens.map(t => {
                if (!Number.isInteger(t) || t < 0 || t >= embedding.rows) throw new RangeError(`token ${t} is outside the vocabulary`);
                return Float64Array.from(embedding.data.subarray(t * n, (t + 1) * n));
            });
            const attention: number[][][][] = [];
            const group = heads / kvHeads;
            for (const block of blocks) {
                const normed = hidden.map(x => rmsNorm(x, block.attnNorm));
                const q = normed.map((x, p) => { const y = apply(block.q, x); rope(y, heads, p); return y; });
                const k = normed.map((x, p) => { const y = apply(block.k, x); rope(y, kvHeads, p); return y; });
                const v = normed.map(x => apply(block.v, x));
                const layerAttention: number[][][] = [];
                const mixed = hidden.map(() => new Float64Array(heads * headDim));
                for (let h = 0; h < heads; h++) {
                    const kvHead = Math.floor(h / group);
                    const rows: number[][] = [];
                    for (let query = 0; query < T; query++) {
                        const scores: number[] = [];
                        for (let key = 0; key <= query; key++) {
                            let dot = 0;
                            for (let d = 0; d < headDim; d++) dot += q[query]![h * headDim + d]! * k[key]![kvHead * headDim + d]!;
                            scores.push(dot / Math.sqrt(headDim));
                        }
                        const weights = softmax(scores);
                        rows.push(weights);
                        for (let key = 0; key <= query; key++) {
                            for (let d = 0; d < headDim; d++) mixed[query]![h * headDim + d]! += weights[key]! * v[key]![kvHead * headDim + d]!;
                        }
                    }
                    layerAttention.push(rows);
                }
                attention.push(layerAttention);
                hidden = hidden.map((x, p) => add(x, apply(block.o, mixed[p]!)));
                hidden = hidden.map(x => {
                    const y = rmsNorm(x, block.ffnNorm);
                    const gate = apply(block.gate, y);
                    const up = apply(block.up, y);
                    const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
                    return add(x, apply(block.down, act));
                });
            }
            const logprobs = hidden.map(x => logSoftmax(apply(output, rmsNorm(x, outputNorm))));
            return { logprobs, attention };
        };
        return { vocabularySize, layers, heads, kvHeads, forward };
    } finally {
        await file.close();
        await adapterFile?.close();
    }
}

/** Row-major product: W is `rows` rows of `cols` (ggml's [cols, rows]), plus its LoRA update when it has one. */
function apply(m: Matrix, x: Float64Array): Float64Array {
    const out = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
        let sum = 0;
        const base = r * m.cols;
        for (let c = 0; c < m.cols; c++) sum += m.data[base + c]! * x[c]!;
        out[r] = sum;
    }
    if (m.lora) {
        const ax = apply(m.lora.a, x);
        const bax = apply(m.lora.b, ax);
        for (let r = 0; r < m.rows; r++) out[r]! += m.lora.factor * bax[r]!;
    }
    return out;
}

async function plain(file: GgufFile, name: string): Promise<Matrix> {
    const info = file.tensor(name);
    return { cols: info.shape[0]!, rows: info.shape[1] ?? 1, data: Float64Array.from(await file.readTensor(info)) };
}

function add(a: Float64Array, b: Float64Array): Float64Array {
    return a.map((v, i) => v + b[i]!);
}

function softmax(x: number[]): number[] {
    const max = Math.max(...x);
    const e = x.map(v => Math.exp(v - max));
    const sum = e.reduce((s, v) => s + v, 0);
    return e.map(v => v / sum);
}

function logSoftmax(x: Float64Array): Float64Array {
    let max = -Infinity;
    for (const v of x) if (v > max) max = v;
    let sum = 0;
    for (const v of x) sum += Math.exp(v - max);
    const log = max + Math.log(sum);
    return x.map(v => v - log);
}

function meta(file: GgufFile, key: string): unknown {
    const value = file.metadata.get(key);
    if (value === undefined) return undefined;
    return (value as { value: unknown }).value;
}
