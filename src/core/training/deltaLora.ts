import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { GgmlType, GgufFile, gguf, writeGguf, type GgufMetadata, type GgufTensorSource } from '../gguf';

/** How well rank-r factors carry one matrix's weight change. */
export interface DeltaLoraTensor {
    name: string;
    /** ‖ΔW‖_F of the fine-tuning's change to this matrix. */
    deltaNorm: number;
    /** ‖ΔW − B·A‖_F / ‖ΔW‖_F: the share of the change the rank-r factors lose (0 when ΔW is 0). */
    relativeError: number;
}

export interface WrittenDeltaLora {
    rank: number;
    tensors: DeltaLoraTensor[];
    /** ‖ΔW − B·A‖_F / ‖ΔW‖_F over every adapted matrix together. */
    relativeError: number;
    /**
     * Tensors the fine-tuning changed that a LoRA adapter cannot carry (norm vectors, the token embedding), with the
     * relative size of their change ‖ΔW‖_F / ‖W‖_F.
     */
    notCarried: { name: string; relativeChange: number }[];
    bytes: number;
}

/**
 * The best rank-`rank` factors of a `rows` × `cols` row-major matrix (Eckart–Young: its truncated SVD), split as
 * llama.cpp applies a LoRA at scale 1 with alpha = rank: `b` (rows × rank) · `a` (rank × cols), each row-major, both
 * carrying the square root of the singular values.
 */
export function lowRankFactors(delta: Float32Array, rows: number, cols: number, rank: number): { a: Float32Array; b: Float32Array; relativeError: number } {
    if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
    if (delta.length !== rows * cols) throw new RangeError(`a ${rows} × ${cols} matrix has ${rows * cols} values, got ${delta.length}`);
    const matrix = new Matrix(rows, cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) matrix.set(r, c, delta[r * cols + c]!);
    const svd = new SingularValueDecomposition(matrix, { autoTranspose: true });
    const singular = svd.diagonal;
    const u = svd.leftSingularVectors;
    const v = svd.rightSingularVectors;
    const kept = Math.min(rank, singular.length);
    const a = new Float32Array(rank * cols);
    const b = new Float32Array(rows * rank);
    for (let k = 0; k < kept; k++) {
        const root = Math.sqrt(singular[k]!);
        for (let c = 0; c < cols; c++) a[k * cols + c] = root * v.get(c, k);
        for (let r = 0; r < rows; r++) b[r * rank + k] = root * u.get(r, k);
    }
    // The Frobenius norm of what is dropped is that of the dropped singular values.
    let total = 0;
    let dropped = 0;
    singular.forEach((s, k) => {
        total += s * s;
        if (k >= kept) dropped += s * s;
    });
    return { a, b, relativeError: total === 0 ? 0 : Math.sqrt(dropped / total) };
}

/** Matrices a llama.cpp LoRA adapter applies to as `W + B·A` (the token embedding's layout is another one). */
function adaptable(name: string, shape: readonly number[]): boolean {
    return shape.length === 2 && name !== 'token_embd.weight';
}

/**
 * A LoRA adapter of rank `rank` that carries what fine-tuning `base` into `tuned` changed (same tensors, F32): each
 * matrix's change ΔW replaced by its best rank-r approximation. llama.cpp applies it as W + scale · (alpha / r) · B·A,
 * so with alpha = r scale 1 gives back the fine-tuned matrices up to the approximation error, scale 0 the base.
 */
export async function writeDeltaLora(base: string, tuned: string, out: string, options: { rank: number; name: string; metadata?: GgufMetadata }): Promise<WrittenDeltaLora> {
    const baseFile = await GgufFile.open(base);
    const tunedFile = await GgufFile.open(tuned);
    try {
        const tunedShapes = new Map(tunedFile.header.tensors.map(t => [t.name, t]));
        const tensors: GgufTensorSource[] = [];
        const report: DeltaLoraTensor[] = [];
        const notCarried: WrittenDeltaLora['notCarried'] = [];
        let total = 0;
        let lost = 0;
        for (const tensor of baseFile.header.tensors) {
            const other = tunedShapes.get(tensor.name);
            if (!other || other.shape.join() !== tensor.shape.join()) throw new RangeError(`${tuned} has no ${tensor.name} of shape [${tensor.shape}]: it is not a fine-tuning of ${base}`);
            if (tensor.type !== GgmlType.F32 || other.type !== GgmlType.F32) throw new RangeError(`${tensor.name} is not F32 in both models: the weight change is taken between F32 models`);
            const before = await baseFile.readTensor(tensor.name) as Float32Array;
            const after = await tunedFile.readTensor(tensor.name) as Float32Array;
            const delta = new Float32Array(before.length);
            let deltaSquares = 0;
            let weightSquares = 0;
            for (let i = 0; i < delta.length; i++) {
                delta[i] = after[i]! - before[i]!;
                deltaSquares += delta[i]! * delta[i]!;
                weightSquares += before[i]! * before[i]!;
            }
            if (!adaptable(tensor.name, tensor.shape)) {
                if (deltaSquares > 0) notCarried.push({ name: tensor.name, relativeChange: Math.sqrt(deltaSquares / weightSquares) });
                continue;
            }
            // GGUF's shape is [ne0 = inputs, ne1 = outputs]: the data is one row of inputs per output.
            const [cols, rows] = tensor.shape as [number, number];
            const factors = lowRankFactors(delta, rows, cols, options.rank);
            total += deltaSquares;
            lost += factors.relativeError ** 2 * deltaSquares;
            report.push({ name: tensor.name, deltaNorm: Math.sqrt(deltaSquares), relativeError: factors.relativeError });
            tensors.push({ name: `${tensor.name}.lora_a`, shape: [cols, options.rank], type: GgmlType.F32, data: factors.a });
            tensors.push({ name: `${tensor.name}.lora_b`, shape: [options.rank, rows], type: GgmlType.F32, data: factors.b });
        }
        const architecture = baseFile.header.metadata.get('general.architecture');
        if (!architecture) throw new RangeError(`${base} names no general.architecture`);
        const metadata: GgufMetadata = new Map([
            ['general.architecture', architecture],
            ['general.type', gguf.str('adapter')],
            ['general.name', gguf.str(options.name)],
            ['adapter.type', gguf.str('lora')],
            ['adapter.lora.alpha', gguf.f32(options.rank)],
            ...options.metadata ?? [],
        ]);
        const written = await writeGguf(out, { metadata, tensors });
        return { rank: options.rank, tensors: report, relativeError: total === 0 ? 0 : Math.sqrt(lost / total), notCarried, bytes: written.bytes };
    } finally {
        await baseFile.close();
        await tunedFile.close();
    }
}
