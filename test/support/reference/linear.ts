// A weight matrix as the reference applies it: y = W x (+ bias) (+ LoRA's scaled B A x).

export interface Linear {
    /** Output length. */
    rows: number;
    /** Input length (ggml's ne[0]). */
    cols: number;
    /** Row-major: row r is `data[r·cols … (r+1)·cols)`. */
    data: Float64Array;
    bias?: Float64Array;
    /** LoRA low-rank update: y += factor · B (A x). */
    lora?: { a: Linear; b: Linear; factor: number };
}

export function apply(m: Linear, x: Float64Array): Float64Array {
    if (x.length !== m.cols) throw new RangeError(`a ${m.rows}×${m.cols} matrix cannot take a vector of ${x.length}`);
    const out = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
        let sum = 0;
        const base = r * m.cols;
        for (let c = 0; c < m.cols; c++) sum += m.data[base + c]! * x[c]!;
        out[r] = sum;
    }
    if (m.lora) {
        const bax = apply(m.lora.b, apply(m.lora.a, x));
        for (let r = 0; r < m.rows; r++) out[r]! += m.lora.factor * bax[r]!;
    }
    if (m.bias) for (let r = 0; r < m.rows; r++) out[r]! += m.bias[r]!;
    return out;
}

/**
 * Row `index` of the matrix (an embedding lookup). A LoRA on an embedding is stored the other way round (llama.cpp's
 * build_inp_embd: lora_a [r, n_vocab], lora_b [r, n_embd]), and adds factor · B times column `index` of A.
 */
export function row(m: Linear, index: number): Float64Array {
    const out = Float64Array.from(m.data.subarray(index * m.cols, (index + 1) * m.cols));
    if (m.lora) {
        const { a, b, factor } = m.lora;
        const delta = apply(b, Float64Array.from(a.data.subarray(index * a.cols, (index + 1) * a.cols)));
        for (let i = 0; i < out.length; i++) out[i]! += factor * delta[i]!;
    }
    return out;
}
