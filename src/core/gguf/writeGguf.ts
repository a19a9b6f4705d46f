import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { checkWriteTarget, writeFailure } from '../files';
import { ByteBuilder } from './ByteBuilder';
import { GgmlType, ggmlBlockSize, ggmlByteSize } from './GgmlType';
import type { GgufArrayItem, GgufMetadata, GgufValue } from './GgufValue';
import { GgufValueType } from './GgufValueType';
import { encodeTensorValues } from './tensorCodec';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** A tensor to write. Its values are produced on demand so that large models stream to disk. */
export interface GgufTensorSource {
    name: string;
    /** ggml order: `shape[0]` is the row length (the fastest-varying dimension). */
    shape: readonly number[];
    type: GgmlType;
    /**
     * The values in ggml order, as one array or as chunks. Each chunk's length must be a multiple of the type's
     * block size (32 for Q8_0), and the chunks together must hold exactly the product of `shape` values.
     */
    data: Float32Array | (() => Iterable<Float32Array>);
}

export interface WriteGgufOptions {
    metadata: GgufMetadata;
    tensors: readonly GgufTensorSource[];
    /**
     * Alignment of the tensor data section and of each tensor in it. Written as `general.alignment` unless
     * the metadata already holds that key (which must then agree). Defaults to 32, ggml's default.
     */
    alignment?: number;
}

export interface WrittenGguf {
    path: string;
    /** Size of the whole file. */
    bytes: number;
    /** Offset of the tensor data section. */
    dataOffset: number;
}

const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Writes a GGUF v3 file. The file appears at `path` only once complete (it is written next to it and renamed),
 * so concurrent readers never see half a model.
 */
export async function writeGguf(path: string, options: WriteGgufOptions): Promise<WrittenGguf> {
    const metadata = new Map(options.metadata);
    const declared = metadata.get('general.alignment');
    const alignment = options.alignment ?? (declared?.type === GgufValueType.Uint32 ? declared.value : GGUF_DEFAULT_ALIGNMENT);
    if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
        throw new RangeError(`GGUF alignment must be a positive multiple of 8, got ${alignment}`);
    }
    if (declared === undefined) {
        metadata.set('general.alignment', { type: GgufValueType.Uint32, value: alignment });
    } else if (declared.type !== GgufValueType.Uint32 || declared.value !== alignment) {
        throw new RangeError(`general.alignment in the metadata must be the uint32 ${alignment}`);
    }

    const layout = options.tensors.map(tensor => {
        const elements = tensor.shape.reduce((product, n) => product * n, 1);
        if (tensor.shape.length === 0 || tensor.shape.length > 4 || tensor.shape.some(n => !Number.isInteger(n) || n < 1)) {
            throw new RangeError(`tensor ${tensor.name}: shape [${tensor.shape.join(', ')}] must have 1–4 positive integer dimensions`);
        }
        if (tensor.shape[0]! % ggmlBlockSize(tensor.type) !== 0) {
            throw new RangeError(`tensor ${tensor.name}: ${GgmlType[tensor.type]} rows need a multiple of ${ggmlBlockSize(tensor.type)} values, got ${tensor.shape[0]}`);
        }
        return { tensor, elements, bytes: ggmlByteSize(tensor.type, elements), offset: 0 };
    });
    let dataSize = 0;
    for (const entry of layout) {
        entry.offset = dataSize;
        dataSize = alignUp(dataSize + entry.bytes, alignment);
    }

    const header = new ByteBuilder();
    header.u32(GGUF_MAGIC);
    header.u32(GGUF_VERSION);
    header.u64(layout.length);
    header.u64(metadata.size);
    for (const [key, value] of metadata) {
        header.string(key);
        header.u32(value.type);
        writeValue(header, value);
    }
    for (const { tensor, offset } of layout) {
        header.string(tensor.name);
        header.u32(tensor.shape.length);
        for (const n of tensor.shape) header.u64(n);
        header.u32(tensor.type);
        header.u64(offset);
    }
    header.pad(alignment);
    const dataOffset = header.size;

    // Only over a regular file, never through a link (see core/files); the temporary name is created new ('wx'), so a
    // link planted at it fails the open instead of being followed.
    checkWriteTarget(path);
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    let file: FileHandle;
    try {
        file = await open(temporary, 'wx');
    } catch (error) {
        throw writeFailure(error, path);
    }
    try {
        const sink = new ChunkedSink(file);
        await sink.write(header.toBytes());
        for (const { tensor, elements, bytes } of layout) {
            let written = 0;
            const chunks = tensor.data instanceof Float32Array ? [tensor.data] : tensor.data();
            for (const chunk of chunks) {
                if (written + chunk.length > elements) throw new RangeError(`tensor ${tensor.name}: more than its ${elements} values were supplied`);
                await sink.encode(tensor.type, chunk, tensor.name);
                written += chunk.length;
            }
            if (written !== elements) throw new RangeError(`tensor ${tensor.name}: ${written} values supplied, its shape needs ${elements}`);
            await sink.zeros(alignUp(bytes, alignment) - bytes);
        }
        await sink.flush();
        await file.close();
        checkWriteTarget(path);
        await rename(temporary, path);
        return { path, bytes: dataOffset + dataSize, dataOffset };
    } catch (error) {
        await file.close().catch(() => undefined);
        await rm(temporary, { force: true });
        // A system error (a full disk) as the typed write error naming the file; the writer's own errors as they are.
        throw typeof (error as NodeJS.ErrnoException).code === 'string' ? writeFailure(error, path) : error;
    }
}

function writeValue(out: ByteBuilder, value: GgufValue): void {
    if (value.type === GgufValueType.Array) {
        out.u32(value.itemType);
        out.u64(value.items.length);
        for (const item of value.items) writeItem(out, value.itemType, item);
        return;
    }
    writeItem(out, value.type, value.value);
}

function writeItem(out: ByteBuilder, type: GgufValueType, item: GgufArrayItem): void {
    const expect = (ok: boolean): void => {
        if (!ok) throw new TypeError(`a GGUF ${GgufValueType[type] ?? type} value was expected, got ${typeof item} ${String(item)}`);
    };
    switch (type) {
        case GgufValueType.Uint8: expect(isIntegerIn(item, 0, 0xff)); out.u8(item as number); break;
        case GgufValueType.Int8: expect(isIntegerIn(item, -0x80, 0x7f)); out.i8(item as number); break;
        case GgufValueType.Uint16: expect(isIntegerIn(item, 0, 0xffff)); out.u16(item as number); break;
        case GgufValueType.Int16: expect(isIntegerIn(item, -0x8000, 0x7fff)); out.i16(item as number); break;
        case GgufValueType.Uint32: expect(isIntegerIn(item, 0, 0xffffffff)); out.u32(item as number); break;
        case GgufValueType.Int32: expect(isIntegerIn(item, -0x80000000, 0x7fffffff)); out.i32(item as number); break;
        case GgufValueType.Float32: expect(typeof item === 'number'); out.f32(item as number); break;
        case GgufValueType.Float64: expect(typeof item === 'number'); out.f64(item as number); break;
        case GgufValueType.Uint64: expect(typeof item === 'bigint' && item >= 0n && item < 1n << 64n); out.u64(item as bigint); break;
        case GgufValueType.Int64: expect(typeof item === 'bigint' && item >= -(1n << 63n) && item < 1n << 63n); out.i64(item as bigint); break;
        case GgufValueType.Bool: expect(typeof item === 'boolean'); out.u8(item ? 1 : 0); break;
        case GgufValueType.String: expect(typeof item === 'string'); out.string(item as string); break;
        case GgufValueType.Array:
            // A nested array element is its item type, count and items, like a top-level array value.
            expect(typeof item === 'object' && item !== null && (item as GgufValue).type === GgufValueType.Array);
            writeValue(out, item as GgufValue);
            break;
        default:
            throw new TypeError(`unknown GGUF value type ${type as number}`);
    }
}

function isIntegerIn(item: GgufArrayItem, min: number, max: number): boolean {
    return typeof item === 'number' && Number.isInteger(item) && item >= min && item <= max;
}

function alignUp(value: number, alignment: number): number {
    return Math.ceil(value / alignment) * alignment;
}

/** Collects encoded tensor bytes into a large buffer so that the file is written in few, big writes. */
class ChunkedSink {
    private buffer = new Uint8Array(WRITE_BUFFER_BYTES);
    private used = 0;

    constructor(private readonly file: import('node:fs/promises').FileHandle) {}

    async write(bytes: Uint8Array): Promise<void> {
        if (this.used + bytes.length > this.buffer.length) await this.flush();
        if (bytes.length > this.buffer.length) {
            await this.file.write(bytes);
            return;
        }
        this.buffer.set(bytes, this.used);
        this.used += bytes.length;
    }

    async encode(type: GgmlType, values: Float32Array, tensorName: string): Promise<void> {
        const blockSize = ggmlBlockSize(type);
        if (values.length % blockSize !== 0) {
            throw new RangeError(`tensor ${tensorName}: a chunk of ${values.length} values is not a multiple of ${GgmlType[type]}'s block of ${blockSize}`);
        }
        // Encode in slices that fit the buffer, block-aligned.
        const bytesPerValue = ggmlByteSize(type, blockSize) / blockSize;
        const slice = Math.floor(WRITE_BUFFER_BYTES / bytesPerValue / blockSize) * blockSize;
        for (let start = 0; start < values.length; start += slice) {
            const part = values.subarray(start, Math.min(values.length, start + slice));
            const bytes = ggmlByteSize(type, part.length);
            if (this.used + bytes > this.buffer.length) await this.flush();
            this.used += encodeTensorValues(type, part, this.buffer, this.used);
        }
    }

    async zeros(count: number): Promise<void> {
        if (count > 0) await this.write(new Uint8Array(count));
    }

    async flush(): Promise<void> {
        if (this.used === 0) return;
        await this.file.write(this.buffer, 0, this.used);
        this.used = 0;
    }
}
