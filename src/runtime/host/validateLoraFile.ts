import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp';
import { LoraAdapterError } from '../../shared/errors/LoraAdapterError';
import { GgufFormatError } from '../../core/gguf/errors/GgufFormatError';
import { ggufPreambleBytes, readGgufPreamble } from '../../core/gguf/ggufPreamble';
import { loadLlamaModule } from './engine/llamaModule';
import { lookup } from './validateModelFile';

/**
 * Checks a LoRA adapter against the model it will be applied to, before llama.cpp sees it: a GGUF with
 * `general.type = adapter` and `adapter.type = lora`, the same architecture, and every `X.lora_a` / `X.lora_b`
 * pair shaped to fit the model's tensor `X` (ggml shapes: lora_a [n_in, r], lora_b [r, n_out], X [n_in, n_out]; the
 * token embedding's pair as llama.cpp reads it, see `checkEmbeddingPair`). Returns the absolute path.
 */
export async function validateLoraFile(pathGiven: string, model: GgufFileInfo): Promise<string> {
    const path = resolve(pathGiven);
    try {
        const stats = await stat(path);
        if (!stats.isFile()) throw new LoraAdapterError(path, 'this is not a file');
    } catch (error) {
        if (error instanceof LoraAdapterError) throw error;
        throw new LoraAdapterError(path, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message);
    }

    // As for models (validateModelFile): counts the file cannot hold would keep node-llama-cpp's reader looping.
    try {
        const handle = await open(path, 'r');
        try {
            const head = new Uint8Array(ggufPreambleBytes);
            const { bytesRead } = await handle.read(head, 0, ggufPreambleBytes, 0);
            readGgufPreamble(path, head.subarray(0, bytesRead), (await handle.stat()).size);
        } finally {
            await handle.close();
        }
    } catch (error) {
        if (error instanceof GgufFormatError) throw new LoraAdapterError(path, `it is not a readable GGUF file (${error.problem})`);
        throw new LoraAdapterError(path, `it cannot be read (${(error as Error).message})`);
    }

    const { readGgufFileInfo } = await loadLlamaModule();
    let info: GgufFileInfo;
    try {
        info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
    } catch (error) {
        throw new LoraAdapterError(path, `it is not a readable GGUF file (${(error as Error).message})`);
    }
    const metadata = info.metadata as unknown as Record<string, unknown>;
    if (lookup(metadata, 'general.type') !== 'adapter') {
        throw new LoraAdapterError(path, 'it is not an adapter (general.type is not "adapter"; is it a model?)');
    }
    const adapterType = lookup(metadata, 'adapter.type');
    if (adapterType !== 'lora') throw new LoraAdapterError(path, `adapter.type is ${JSON.stringify(adapterType)}, only "lora" is supported`);
    const modelArch = lookup(model.metadata as unknown as Record<string, unknown>, 'general.architecture');
    const adapterArch = lookup(metadata, 'general.architecture');
    if (adapterArch !== modelArch) {
        throw new LoraAdapterError(path, `it was made for architecture "${String(adapterArch)}" but the model is "${String(modelArch)}"`);
    }

    const base = new Map((model.tensorInfo ?? []).map(t => [t.name, t.dimensions.map(Number)]));
    const adapterTensors = new Map((info.tensorInfo ?? []).map(t => [t.name, t.dimensions.map(Number)]));
    let pairs = 0;
    for (const [name, a] of adapterTensors) {
        if (!name.endsWith('.lora_a')) continue;
        const target = name.slice(0, -'.lora_a'.length);
        const b = adapterTensors.get(`${target}.lora_b`);
        const weights = base.get(target);
        if (!b) throw new LoraAdapterError(path, `${name} has no matching ${target}.lora_b`);
        if (!weights) throw new LoraAdapterError(path, `it adapts ${target}, which this model does not have (an adapter for another model?)`);
        if (target.endsWith('token_embd.weight')) {
            checkEmbeddingPair(path, target, a, b, weights, base.has('output.weight'));
            pairs++;
            continue;
        }
        if (a[0] !== weights[0] || b[1] !== weights[1] || a[1] !== b[0]) {
            throw new LoraAdapterError(path, `its ${target} update is ${a[0]}×${b[1]} (rank ${a[1]}) but the model's tensor is ${weights[0]}×${weights[1]} (an adapter for another model?)`);
        }
        pairs++;
    }
    if (pairs === 0) throw new LoraAdapterError(path, 'it contains no LoRA tensors (*.lora_a / *.lora_b)');
    return path;
}

/**
 * llama.cpp adds a `token_embd.weight` update to the looked-up rows (llm_graph_context::build_inp_embd), so it wants
 * that pair the other way round: lora_a [r, n_vocab] (a column per token), lora_b [r, n_embd]. A model without
 * `output.weight` multiplies its output by that same tensor, and llama.cpp applies the pair there too as an ordinary
 * one, where the shapes cannot fit: GGML_ASSERT in ggml_mul_mat aborts the process (measured on a tied fixture).
 */
function checkEmbeddingPair(path: string, target: string, a: number[], b: number[], weights: number[], untiedOutput: boolean): void {
    const [embedding, vocabulary] = weights;
    if (b[1] !== embedding || a[1] !== vocabulary || a[0] !== b[0]) {
        throw new LoraAdapterError(path, `its ${target} update is lora_a [${a.join(', ')}], lora_b [${b.join(', ')}] but this model's embedding needs lora_a [r, ${vocabulary}] and lora_b [r, ${embedding}] (an adapter for another model?)`);
    }
    if (!untiedOutput) {
        throw new LoraAdapterError(path, `it adapts ${target}, which this model also uses as its output layer (tied embeddings, no output.weight); llama.cpp would abort applying it there. Use an adapter without ${target}, or merge it into the model`);
    }
}
