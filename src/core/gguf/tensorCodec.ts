import { GgmlType, ggmlByteSize } from './GgmlType';
import { float16Table, float32BitsToFloat16Bits, float32ToFloat16Bits } from './float16';

const Q8_0_BLOCK = 32;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const Q8_0_BLOCK_BYTES = 34;

/**
 * Encodes `values` as `type` into `out` at `offset` (little-endian, ggml's layout); returns the bytes written.
 * For Q8_0 the value count must be a multiple of 32; quantization follows ggml's `quantize_row_q8_0_ref`.
 */
export function encodeTensorValues(type: GgmlType, values: Float32Array, out: Uint8Array, offset: number): number {
    const bytes = ggmlByteSize(type, values.length);
    const view = new DataView(out.buffer, out.byteOffset + offset, bytes);
    switch (type) {
        case GgmlType.F32:
            if (littleEndian && (out.byteOffset + offset) % 4 === 0) {
                new Float32Array(out.buffer, out.byteOffset + offset, values.length).set(values);
            } else {
                for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
            }
            break;
        case GgmlType.F16: {
            // Bit patterns straight from the input's buffer: this loop dominates writing a large fixture.
            const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
            if (littleEndian && (out.byteOffset + offset) % 2 === 0) {
                const halves = new Uint16Array(out.buffer, out.byteOffset + offset, values.length);
                for (let i = 0; i < values.length; i++) halves[i] = float32BitsToFloat16Bits(bits[i]!);
            } else {
                for (let i = 0; i < values.length; i++) view.setUint16(i * 2, float32BitsToFloat16Bits(bits[i]!), true);
            }
            break;
        }
        case GgmlType.Q8_0:
            for (let block = 0; block * Q8_0_BLOCK < values.length; block++) {
                const start = block * Q8_0_BLOCK;
                let amax = 0;
                for (let j = 0; j < Q8_0_BLOCK; j++) amax = Math.max(amax, Math.abs(values[start + j]!));
                // Single-precision arithmetic, as in ggml, so our blocks match what llama.cpp's quantizer writes.
                const d = Math.fround(amax / 127);
                const inverse = d !== 0 ? Math.fround(1 / d) : 0;
                const base = block * Q8_0_BLOCK_BYTES;
                view.setUint16(base, float32ToFloat16Bits(d), true);
                for (let j = 0; j < Q8_0_BLOCK; j++) {
                    const scaled = Math.fround(values[start + j]! * inverse);
                    // C's roundf rounds halves away from zero; Math.round would round -2.5 to -2.
                    view.setInt8(base + 2 + j, Math.sign(scaled) * Math.round(Math.abs(scaled)));
                }
            }
            break;
        default:
            throw new RangeError(`cannot encode ggml type ${type as number}`);
    }
    return bytes;
}

/** Decodes `elements` values of `type` from `bytes` (which start at the first value). */
export function decodeTensorValues(type: GgmlType, bytes: Uint8Array, elements: number): Float32Array {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const result = new Float32Array(elements);
    switch (type) {
        case GgmlType.F32:
            for (let i = 0; i < elements; i++) result[i] = view.getFloat32(i * 4, true);
            break;
        case GgmlType.F16: {
            const table = float16Table();
            for (let i = 0; i < elements; i++) result[i] = table[view.getUint16(i * 2, true)]!;
            break;
        }
        case GgmlType.Q8_0: {
            const table = float16Table();
            for (let block = 0; block * Q8_0_BLOCK < elements; block++) {
                const base = block * Q8_0_BLOCK_BYTES;
                const d = table[view.getUint16(base, true)]!;
                for (let j = 0; j < Q8_0_BLOCK; j++) result[block * Q8_0_BLOCK + j] = Math.fround(d * view.getInt8(base + 2 + j));
            }
            break;
        }
        default:
            throw new RangeError(`cannot decode ggml type ${type as number}`);
    }
    return result;
}
