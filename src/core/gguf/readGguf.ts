import { GgufFile } from './GgufFile';
import type { GgufHeader } from './GgufHeader';

/** Parses a GGUF file's header (metadata and tensor infos) without reading tensor data. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
    const file = await GgufFile.open(path);
    await file.close();
    return file.header;
}

/** Reads one tensor of a GGUF file as float32 values in ggml order. */
export async function readGgufTensor(path: string, name: string): Promise<Float32Array> {
    const file = await GgufFile.open(path);
    try {
        return await file.readTensor(name);
    } finally {
        await file.close();
    }
}
