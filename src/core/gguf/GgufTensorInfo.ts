/** A tensor as described in a GGUF header. */
export interface GgufTensorInfo {
    name: string;
    /** ggml order: `shape[0]` is the row length. */
    shape: number[];
    /** A ggml type number; see `GgmlType` for the ones whose data can be decoded here. */
    type: number;
    /** Offset of the data within the tensor data section, as stored. */
    offset: number;
    /** Absolute offset of the data in the file. */
    fileOffset: number;
    elements: number;
    /** Size of the data, or undefined for a type this reader does not know. */
    bytes: number | undefined;
}
