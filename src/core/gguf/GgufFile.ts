import { open, type FileHandle } from 'node:fs/promises';
import { FileCursor } from './FileCursor';
import { GgmlType, ggmlBlockSize, ggmlByteSize, ggmlTypeName, isSupportedGgmlType } from './GgmlType';
import type { GgufHeader } from './GgufHeader';
import type { GgufTensorInfo } from './GgufTensorInfo';
import type { GgufArray, GgufArrayItem, GgufMetadata, GgufValue } from './GgufValue';
import { GgufValueType } from './GgufValueType';
import { GgufFormatError } from './errors/GgufFormatError';
import { decodeTensorValues } from './tensorCodec';
import { readGgufPreamble, ggufPreambleBytes } from './ggufPreamble';
import { GGUF_DEFAULT_ALIGNMENT } from './writeGguf';

/**
 * An open GGUF file: the header is parsed on open (reading only the header's bytes), tensors are read on
 * demand by offset. Close it when done.
 */
export class GgufFile {
    private constructor(
        private readonly file: FileHandle,
        readonly header: GgufHeader,
    ) {}

    static async open(path: string): Promise<GgufFile> {
        const file = await open(path, 'r');
        try {
            return new GgufFile(file, await readHeader(file, path));
        } catch (error) {
            await file.close();
            throw error;
        }
    }

    get metadata(): GgufMetadata {
        return this.header.metadata;
    }

    tensor(name: string): GgufTensorInfo {
        const tensor = this.header.tensors.find(t => t.name === name);
        if (!tensor) throw new GgufFormatError(this.header.path, `it has no tensor named ${name}`);
        return tensor;
    }

    /** A tensor's values (F32, F16 or Q8_0) as float32, in ggml order. */
    async readTensor(tensorOrName: GgufTensorInfo | string): Promise<Float32Array> {
        const tensor = typeof tensorOrName === 'string' ? this.tensor(tensorOrName) : tensorOrName;
        if (!isSupportedGgmlType(tensor.type) || tensor.bytes === undefined) {
            throw new GgufFormatError(this.header.path, `tensor ${tensor.name} is ${ggmlTypeName(tensor.type)}; only F32, F16 and Q8_0 can be decoded`);
        }
        const bytes = new Uint8Array(tensor.bytes);
        const { bytesRead } = await this.file.read(bytes, 0, bytes.length, tensor.fileOffset);
        if (bytesRead !== bytes.length) throw new GgufFormatError(this.header.path, `tensor ${tensor.name} runs past the end of the file`, tensor.fileOffset);
        return decodeTensorValues(tensor.type, bytes, tensor.elements);
    }

    async close(): Promise<void> {
        await this.file.close();
    }
}

async function readHeader(file: FileHandle, path: string): Promise<GgufHeader> {
    const fileSize = (await file.stat()).size;
    const preamble = new Uint8Array(ggufPreambleBytes);
    const { bytesRead } = await file.read(preamble, 0, ggufPreambleBytes, 0);
    const { version, tensorCount, metadataCount } = readGgufPreamble(path, preamble.subarray(0, bytesRead), fileSize);
    const cursor = new FileCursor(file, path, fileSize);
    cursor.position = ggufPreambleBytes;

    const metadata: GgufMetadata = new Map();
    for (let i = 0; i < metadataCount; i++) {
        const key = await cursor.string();
        const at = cursor.position;
        const type = await cursor.u32();
        if (metadata.has(key)) cursor.fail(`metadata key ${key} appears twice`, at);
        metadata.set(key, await readValue(cursor, type, key, at));
    }

    const alignmentValue = metadata.get('general.alignment');
    let alignment = GGUF_DEFAULT_ALIGNMENT;
    if (alignmentValue !== undefined) {
        const value = alignmentValue.type === GgufValueType.Uint32 ? alignmentValue.value : 0;
        if (value === 0 || value % 8 !== 0) cursor.fail('general.alignment must be a uint32 multiple of 8');
        alignment = value;
    }

    const raw: Omit<GgufTensorInfo, 'fileOffset'>[] = [];
    for (let i = 0; i < tensorCount; i++) {
        const name = await cursor.string();
        const at = cursor.position;
        const dimensions = await cursor.u32();
        if (dimensions < 1 || dimensions > 4) cursor.fail(`tensor ${name} has ${dimensions} dimensions (ggml allows 1–4)`, at);
        const shape: number[] = [];
        for (let d = 0; d < dimensions; d++) shape.push(await cursor.count(`dimension ${d} of tensor ${name}`, Number.MAX_SAFE_INTEGER));
        const type = await cursor.u32();
        const offset = await cursor.count(`the offset of tensor ${name}`, fileSize);
        if (offset % alignment !== 0) cursor.fail(`tensor ${name} starts at offset ${offset}, not a multiple of the alignment ${alignment}`, at);
        const elements = shape.reduce((product, n) => product * n, 1);
        let bytes: number | undefined;
        if (isSupportedGgmlType(type)) {
            if (shape[0]! % ggmlBlockSize(type) !== 0) cursor.fail(`tensor ${name}: a ${GgmlType[type]} row of ${shape[0]} values is not a whole number of blocks`, at);
            bytes = ggmlByteSize(type, elements);
        }
        raw.push({ name, shape, type, offset, elements, bytes });
    }
    const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
    const tensors = raw.map(t => ({ ...t, fileOffset: dataOffset + t.offset }));
    for (const tensor of tensors) {
        if (tensor.bytes !== undefined && tensor.fileOffset + tensor.bytes > fileSize) {
            cursor.fail(`tensor ${tensor.name} runs past the end of the file (the file is truncated?)`, tensor.fileOffset);
        }
    }
    return { path, version, metadata, tensors, alignment, dataOffset, fileSize };
}

async function readValue(cursor: FileCursor, type: number, key: string, at: number): Promise<GgufValue> {
    if (type === GgufValueType.Array) return readArray(cursor, key);
    if (!(type in GgufValueType)) cursor.fail(`metadata key ${key} has unknown value type ${type}`, at);
    return { type, value: await readItem(cursor, type, key) } as GgufValue;
}

async function readArray(cursor: FileCursor, key: string): Promise<GgufArray> {
    const at = cursor.position;
    const itemType = await cursor.u32();
    if (!(itemType in GgufValueType)) cursor.fail(`metadata key ${key} is an array of unknown type ${itemType}`, at);
    const length = await cursor.count(`the length of array ${key}`, cursor.remaining);
    const items: GgufArrayItem[] = new Array(length);
    for (let i = 0; i < length; i++) items[i] = await readItem(cursor, itemType, key);
    return { type: GgufValueType.Array, itemType, items };
}

async function readItem(cursor: FileCursor, type: GgufValueType, key: string): Promise<GgufArrayItem> {
    switch (type) {
        case GgufValueType.Uint8: return cursor.u8();
        case GgufValueType.Int8: return cursor.i8();
        case GgufValueType.Uint16: return cursor.u16();
        case GgufValueType.Int16: return cursor.i16();
        case GgufValueType.Uint32: return cursor.u32();
        case GgufValueType.Int32: return cursor.i32();
        case GgufValueType.Float32: return cursor.f32();
        case GgufValueType.Float64: return cursor.f64();
        case GgufValueType.Uint64: return cursor.u64();
        case GgufValueType.Int64: return cursor.i64();
        case GgufValueType.Bool: {
            const at = cursor.position;
            const byte = await cursor.u8();
            if (byte > 1) cursor.fail(`metadata key ${key} holds the bool byte ${byte}`, at);
            return byte === 1;
        }
        case GgufValueType.String: return cursor.string();
        case GgufValueType.Array: return readArray(cursor, key);
    }
}
