import { GgufFile, plainValue } from '../../../src/core/gguf';
import type { Linear } from './linear';

/**
 * The tensors of a model file (and optionally one LoRA adapter) as Float64, by GGUF name. The reference decides
 * what a layer does from which tensors are present, as llama.cpp's loader does (optional biases, norms, fused
 * matrices).
 */
export class ReferenceTensors {
    private readonly names: Set<string>;
    private readonly adapterNames: Set<string>;

    private constructor(
        private readonly file: GgufFile,
        private readonly adapter: GgufFile | undefined,
        private readonly loraFactor: (rank: number) => number,
    ) {
        this.names = new Set(file.header.tensors.map(t => t.name));
        this.adapterNames = new Set(adapter?.header.tensors.map(t => t.name) ?? []);
    }

    static async open(path: string, lora?: { path: string; scale?: number }): Promise<ReferenceTensors> {
        const file = await GgufFile.open(path);
        const adapter = lora ? await GgufFile.open(lora.path) : undefined;
        const alpha = adapter ? Number(metadataValue(adapter, 'adapter.lora.alpha') ?? 0) : 0;
        const scale = lora?.scale ?? 1;
        // llama.cpp: scale · alpha / rank, or just scale when the adapter has no alpha.
        return new ReferenceTensors(file, adapter, rank => (alpha !== 0 ? scale * alpha / rank : scale));
    }

    /** A metadata value of the model file, or undefined. */
    metadata(key: string): unknown {
        return metadataValue(this.file, key);
    }

    has(name: string): boolean {
        return this.names.has(name);
    }

    async vector(name: string): Promise<Float64Array> {
        return Float64Array.from(await this.file.readTensor(name));
    }

    async optionalVector(name: string): Promise<Float64Array | undefined> {
        return this.has(name) ? this.vector(name) : undefined;
    }

    /**
     * `<base>.weight`, with `<base>.bias` when the file has it and the adapter's `<base>.weight.lora_a/b` when the
     * adapter has them.
     */
    async linear(base: string): Promise<Linear> {
        const name = `${base}.weight`;
        const m = await plain(this.file, name);
        const bias = await this.optionalVector(`${base}.bias`);
        if (bias) m.bias = bias;
        if (this.adapter && this.adapterNames.has(`${name}.lora_a`)) {
            const a = await plain(this.adapter, `${name}.lora_a`);
            const b = await plain(this.adapter, `${name}.lora_b`);
            m.lora = { a, b, factor: this.loraFactor(b.cols) };
        }
        return m;
    }

    async optionalLinear(base: string): Promise<Linear | undefined> {
        return this.has(`${base}.weight`) ? this.linear(base) : undefined;
    }

    /** The matrices of a 3-D `<base>.weight` (ggml `[n_in, n_out, n_expert]`: one per expert), in expert order. */
    async stacked(base: string): Promise<Linear[]> {
        const info = this.file.tensor(`${base}.weight`);
        const [cols, rows, count] = [info.shape[0]!, info.shape[1] ?? 1, info.shape[2] ?? 1];
        const data = Float64Array.from(await this.file.readTensor(info));
        return Array.from({ length: count }, (_, e) => ({ cols, rows, data: data.subarray(e * rows * cols, (e + 1) * rows * cols) }));
    }

    async close(): Promise<void> {
        await this.file.close();
        await this.adapter?.close();
    }
}

async function plain(file: GgufFile, name: string): Promise<Linear> {
    const info = file.tensor(name);
    return { cols: info.shape[0]!, rows: info.shape[1] ?? 1, data: Float64Array.from(await file.readTensor(info)) };
}

function metadataValue(file: GgufFile, key: string): unknown {
    const value = file.metadata.get(key);
    // Arrays as JS arrays (a per-layer `attention.sliding_window_pattern`, for one).
    return value === undefined ? undefined : plainValue(value);
}
