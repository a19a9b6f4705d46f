import { GgufCountError } from './errors/GgufCountError';
import { GgufFormatError } from './errors/GgufFormatError';
import { GGUF_MAGIC } from './writeGguf';

/** Bytes before a GGUF file's first metadata entry: magic, version, tensor count, metadata count. */
export const ggufPreambleBytes = 24;

/** Fewest bytes one tensor info can take: name length (8, an empty name), dimension count (4), one dimension (8), type (4), offset (8). */
export const minTensorInfoBytes = 32;

/** Fewest bytes one metadata entry can take: key length (8, an empty key), value type (4), a one-byte value. */
export const minMetadataEntryBytes = 13;

/** The fixed start of a GGUF file (versions 2 and 3, whose counts are uint64). */
export interface GgufPreamble {
    version: number;
    tensorCount: number;
    metadataCount: number;
}

/**
 * Reads a GGUF file's first {@link ggufPreambleBytes} bytes and checks that the tensor and metadata counts they
 * announce fit in `fileSize` bytes, each entry taking at least its smallest encoding. Throws a {@link GgufCountError}
 * when they cannot (every later read would run past the end, or a reader would loop or allocate for the counts), a
 * {@link GgufFormatError} when the bytes are not a GGUF v2/v3 start.
 */
export function readGgufPreamble(path: string, bytes: Uint8Array, fileSize: number): GgufPreamble {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const magic = bytes.length >= 4 ? view.getUint32(0, true) : undefined;
    if (magic !== undefined && magic !== GGUF_MAGIC) throw new GgufFormatError(path, `it does not start with "GGUF" (starts with ${JSON.stringify(asciiOf(magic))})`, 0);
    if (bytes.length < ggufPreambleBytes) throw new GgufFormatError(path, `it is ${fileSize} bytes long, too short for a GGUF header`, 0);
    const version = view.getUint32(4, true);
    if (version === 0x03000000 || version === 0x02000000) throw new GgufFormatError(path, 'it is a big-endian GGUF, which is not supported', 4);
    if (version !== 2 && version !== 3) throw new GgufFormatError(path, `GGUF version ${version} is not supported (only 2 and 3)`, 4);
    const tensors = view.getBigUint64(8, true);
    const keys = view.getBigUint64(16, true);
    const room = BigInt(Math.max(0, fileSize - ggufPreambleBytes));
    const needed = tensors * BigInt(minTensorInfoBytes) + keys * BigInt(minMetadataEntryBytes);
    if (needed > room) {
        throw new GgufCountError(path,
            `the header is truncated or corrupt: it announces ${count(keys, 'metadata entry', 'metadata entries')} and ${count(tensors, 'tensor', 'tensors')}, more than the file `
            + `can hold (they need at least ${needed + BigInt(ggufPreambleBytes)} bytes, the file has ${fileSize})`,
            tensors, keys, fileSize);
    }
    // Both counts are below the file's size here, so they are safe integers.
    return { version, tensorCount: Number(tensors), metadataCount: Number(keys) };
}

function asciiOf(magic: number): string {
    return String.fromCharCode(magic & 0xff, (magic >>> 8) & 0xff, (magic >>> 16) & 0xff, magic >>> 24);
}

function count(n: bigint, one: string, many: string): string {
    return `${n} ${n === 1n ? one : many}`;
}
