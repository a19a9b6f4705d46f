/**
 * The ggml tensor types this project reads and writes (values of ggml's `enum ggml_type`).
 * Other types are recognised by number only: their data cannot be decoded here.
 */
export enum GgmlType {
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
}

interface TypeLayout {
    /** Elements per block: a row length must be a multiple of it. */
    blockSize: number;
    /** Bytes per block. */
    blockBytes: number;
}

const layouts: Record<GgmlType, TypeLayout> = {
    [GgmlType.F32]: { blockSize: 1, blockBytes: 4 },
    [GgmlType.F16]: { blockSize: 1, blockBytes: 2 },
    // An f16 scale followed by 32 signed bytes (ggml's block_q8_0).
    [GgmlType.Q8_0]: { blockSize: 32, blockBytes: 34 },
};

export function isSupportedGgmlType(type: number): type is GgmlType {
    return Object.prototype.hasOwnProperty.call(layouts, type);
}

export function ggmlTypeName(type: number): string {
    return isSupportedGgmlType(type) ? GgmlType[type] : `ggml type ${type}`;
}

export function ggmlBlockSize(type: GgmlType): number {
    return layouts[type].blockSize;
}

/** Bytes taken by `elements` values of `type`; `elements` must be a multiple of the block size. */
export function ggmlByteSize(type: GgmlType, elements: number): number {
    const { blockSize, blockBytes } = layouts[type];
    if (elements % blockSize !== 0) {
        throw new RangeError(`${GgmlType[type]} needs a multiple of ${blockSize} elements, got ${elements}`);
    }
    return (elements / blockSize) * blockBytes;
}
