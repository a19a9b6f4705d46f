import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { ModelFileError } from '../../shared/errors/ModelFileError';
import { GgufFormatError } from '../../core/gguf/errors/GgufFormatError';
import { ggufPreambleBytes, readGgufPreamble } from '../../core/gguf/ggufPreamble';
import { loadLlamaModule } from './engine/llamaModule';

export interface ValidatedModelFile {
    /** Absolute path. */
    path: string;
    sizeBytes: number;
    architecture: string;
    info: GgufFileInfo;
}

/** GGUF versions the bundled llama.cpp reads (version 1 was dropped long ago). */
const supportedGgufVersions = [2, 3];

/**
 * Architectures whose loader in llama.cpp reads `feed_forward_length` and `attention.head_count` as optional
 * and then aborts the whole process (`GGML_ASSERT(t_meta.ne[dim] >= 1)`, exit 134) when they are absent,
 * instead of throwing. Measured on `llama`; the others share its loader code path (see runtime-facts.md).
 */
const denseTransformerArchitectures = new Set([
    'llama', 'llama4', 'mistral3', 'deci', 'qwen', 'qwen2', 'qwen3', 'gemma', 'gemma2', 'gemma3', 'phi2', 'phi3',
    'starcoder', 'starcoder2', 'granite', 'olmo', 'olmo2', 'internlm2', 'stablelm', 'minicpm', 'command-r', 'cohere2',
    'exaone', 'baichuan', 'gpt2', 'gptj', 'gptneox', 'falcon', 'mpt', 'bloom', 'refact', 'orion', 'xverse', 'smollm3',
    'codeshell', 'arcee', 'apertus', 'seed_oss',
]);

const requiredPositiveKeys = ['context_length', 'embedding_length', 'block_count', 'feed_forward_length', 'attention.head_count'];

const pickAnotherModel = 'Check promptscope.model (or --model); `promptscope fixture-model OUT.gguf` writes a small test model.';
const reconvert = 'The file was written by an incomplete or broken converter: download or convert the model again.';

/**
 * Checks a model file in TypeScript before llama.cpp sees it, because llama.cpp reports some defects only by
 * aborting the process and most others only in its log. Throws a {@link ModelFileError} that names the file,
 * what is wrong and what to do.
 */
export async function validateModelFile(pathGiven: string): Promise<ValidatedModelFile> {
    const path = resolve(pathGiven);

    let stats;
    try {
        stats = await stat(path);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelFileError(path, 'the file does not exist', pickAnotherModel);
        if (code === 'EACCES') throw new ModelFileError(path, 'the file cannot be accessed (permission denied)', 'Make the file and its folders readable.');
        throw new ModelFileError(path, `the file cannot be accessed (${(error as Error).message})`, pickAnotherModel);
    }
    if (stats.isDirectory()) throw new ModelFileError(path, 'this is a directory, not a .gguf file', 'Point at a .gguf file inside it.');
    if (!stats.isFile()) throw new ModelFileError(path, 'this is not a regular file', pickAnotherModel);

    const head = Buffer.alloc(ggufPreambleBytes);
    let bytesRead: number;
    try {
        const handle = await open(path, 'r');
        try {
            ({ bytesRead } = await handle.read(head, 0, ggufPreambleBytes, 0));
        } finally {
            await handle.close();
        }
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'EACCES' ? 'permission denied' : (error as Error).message;
        throw new ModelFileError(path, `the file cannot be read (${why})`, 'Make the file readable by your user.');
    }
    if (bytesRead < 4 || head.toString('latin1', 0, 4) !== 'GGUF') {
        throw new ModelFileError(path, `this is not a GGUF file (${describeStart(head.subarray(0, bytesRead), stats.size)})`,
            'Use a model in llama.cpp\'s GGUF format (.gguf); other formats can be converted with llama.cpp\'s convert_hf_to_gguf.py.');
    }
    if (bytesRead < 8) throw new ModelFileError(path, `the file is truncated (${stats.size} bytes, shorter than a GGUF header)`, reconvert);
    const version = head.readUInt32LE(4);
    if (!supportedGgufVersions.includes(version)) {
        throw new ModelFileError(path, `GGUF version ${version} is not supported (llama.cpp reads versions ${supportedGgufVersions.join(' and ')})`,
            'Convert the model again with a current llama.cpp.');
    }
    // node-llama-cpp's reader (and llama.cpp's) trusts the header's counts: 2^62 metadata entries or tensors in a
    // file of a few bytes make it loop for ever, so counts the file cannot hold are refused before it sees them.
    try {
        readGgufPreamble(path, head.subarray(0, bytesRead), stats.size);
    } catch (error) {
        if (error instanceof GgufFormatError) throw new ModelFileError(path, error.problem, reconvert);
        throw error;
    }

    const llamaModule = await loadLlamaModule();
    const { readGgufFileInfo } = llamaModule;
    let info: GgufFileInfo;
    try {
        info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
    } catch (error) {
        throw new ModelFileError(path, `the GGUF header is truncated or corrupt (${(error as Error).message})`,
            'The file may be an incomplete download: download or convert it again.');
    }

    // node-llama-cpp's reader does not notice a file that ends inside the header (it parses zeros past the end).
    if (info.infoEndOffset !== undefined && info.infoEndOffset > stats.size) {
        throw new ModelFileError(path, `the GGUF header is truncated (it needs ${info.infoEndOffset} bytes, the file has ${stats.size})`,
            'The file may be an incomplete download: download or convert it again.');
    }

    const metadata = info.metadata as unknown as Record<string, unknown>;
    if (lookup(metadata, 'general.type') === 'adapter') {
        throw new ModelFileError(path, 'this is a LoRA adapter, not a model', 'Load its base model and add the adapter as a LoRA adapter (--lora).');
    }
    const architecture = lookup(metadata, 'general.architecture');
    if (typeof architecture !== 'string' || architecture === '') {
        throw new ModelFileError(path, 'the metadata has no general.architecture', reconvert);
    }
    // A `const enum` in the typings (unusable under isolatedModules) but a real object at runtime.
    const architectures = (llamaModule as unknown as { GgufArchitectureType: Record<string, string> }).GgufArchitectureType;
    const known = new Set<string>(Object.values(architectures));
    known.delete('(unknown)');
    if (!known.has(architecture)) {
        throw new ModelFileError(path, `architecture "${architecture}" is not known to the bundled llama.cpp`,
            'Use a model of a supported architecture (llama, qwen2, gemma, phi3, mistral3, …).');
    }

    if (denseTransformerArchitectures.has(architecture)) {
        for (const key of requiredPositiveKeys) {
            const value = lookup(metadata, `${architecture}.${key}`);
            if (value === undefined) {
                throw new ModelFileError(path, `the metadata key ${architecture}.${key} is missing (llama.cpp would abort on this file)`, reconvert);
            }
            if (!isPositive(value)) {
                throw new ModelFileError(path, `the metadata key ${architecture}.${key} is ${JSON.stringify(String(value))}, expected a positive number`, reconvert);
            }
        }
    }

    const tensors = info.tensorInfo ?? [];
    if (tensors.length === 0) throw new ModelFileError(path, 'the file holds no tensors', reconvert);
    const tokens = lookup(metadata, 'tokenizer.ggml.tokens');
    if (!Array.isArray(tokens) || tokens.length === 0) {
        throw new ModelFileError(path, 'the metadata has no vocabulary (tokenizer.ggml.tokens)', reconvert);
    }

    return { path, sizeBytes: stats.size, architecture, info };
}

/** Reads a dotted GGUF key from node-llama-cpp's nested metadata object. */
export function lookup(metadata: Record<string, unknown>, dottedKey: string): unknown {
    // Architecture names may contain dots in theory; GGUF keys are split at every dot by node-llama-cpp too.
    let node: unknown = metadata;
    for (const part of dottedKey.split('.')) {
        if (node === null || typeof node !== 'object') return undefined;
        node = (node as Record<string, unknown>)[part];
    }
    return node;
}

function isPositive(value: unknown): boolean {
    if (typeof value === 'number') return value >= 1;
    if (typeof value === 'bigint') return value >= 1n;
    // Per-layer arrays (some architectures vary the FFN width by layer): at least one layer must have one.
    if (Array.isArray(value)) return value.length > 0 && value.some(isPositive);
    return false;
}

function describeStart(bytes: Buffer, size: number): string {
    if (size === 0) return 'the file is empty';
    const printable = [...bytes.subarray(0, 4)].map(b => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    return `it starts with "${printable}" instead of "GGUF"`;
}

/**
 * Checks that the file holds all the tensor data its header announces (an interrupted download is the usual
 * cause otherwise). Needs a `Llama` for ggml's type sizes, so it runs once the backend is up, still before the
 * model is loaded.
 */
export async function validateTensorData(file: ValidatedModelFile, llama: Llama): Promise<void> {
    const { GgufInsights } = await loadLlamaModule();
    let expected: number;
    try {
        expected = (file.info.infoEndOffset ?? 0) + (await GgufInsights.from(file.info, llama)).modelSize;
    } catch (error) {
        throw new ModelFileError(file.path, `its tensor table is invalid (${(error as Error).message})`, reconvert);
    }
    if (expected > file.sizeBytes) {
        throw new ModelFileError(file.path, `the file is truncated: its tensors need ${expected} bytes, the file has ${file.sizeBytes}`,
            'The file may be an incomplete download: download it again.');
    }
}
