import type { GgufTensorInfo } from './GgufTensorInfo';
import type { GgufMetadata } from './GgufValue';

/** Everything before a GGUF file's tensor data. */
export interface GgufHeader {
    path: string;
    version: number;
    metadata: GgufMetadata;
    tensors: GgufTensorInfo[];
    /** `general.alignment`, or ggml's default of 32. */
    alignment: number;
    /** Absolute offset of the tensor data section. */
    dataOffset: number;
    fileSize: number;
}
