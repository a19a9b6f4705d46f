import { lstat, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { QuantizeModelRequest, QuantizeModelResult, QuantizeProgress } from '../../../shared/runtimeApi';
import { quantizationTypes } from '../../../shared/quantizationTypes';
import { CancelledError } from '../../../shared/errors/CancelledError';
import { QuantizationError } from '../../../shared/errors/QuantizationError';
import { UnsafePathError } from '../../../shared/errors/UnsafePathError';
import { nativeQuantizer } from '../engine/llamaExtrasAddon';
import { validateModelFile } from '../validateModelFile';

export interface QuantizeModelCall {
    signal?: AbortSignal;
    onProgress?: (progress: QuantizeProgress) => void;
    /** CPU threads when the request names none. */
    defaultThreads: number;
}

/** How often the tensor counter of the quantization in flight is read from the addon. */
const pollMs = 250;

/**
 * Quantizes `request.input` with llama.cpp's quantizer (src/runtime/native/modelQuantize.cc) into a file beside the
 * output, renamed over it only when llama.cpp finished: a failure or a cancellation leaves no half-written model and
 * leaves an existing output as it was.
 */
export async function quantizeModel(request: QuantizeModelRequest, call: QuantizeModelCall): Promise<QuantizeModelResult> {
    const started = performance.now();
    const type = quantizationTypes[request.type];
    if (!type) throw new RangeError(`unknown quantization type ${JSON.stringify(request.type)}: the types are ${Object.keys(quantizationTypes).join(', ')}`);
    const input = await validateModelFile(request.input);
    const output = resolve(request.output);
    await checkOutput(input.path, output, request.overwrite ?? false);
    call.signal?.throwIfAborted();

    const partial = join(dirname(output), `.${basename(output)}.partial-${process.pid}`);
    // A leftover (or planted link) of that name goes first: llama.cpp's writer would follow a link.
    await rm(partial, { force: true });
    const onAbort = () => nativeQuantizer.cancel();
    call.signal?.addEventListener('abort', onAbort, { once: true });
    const report = () => {
        const { done, total } = nativeQuantizer.progress();
        if (total > 0) call.onProgress?.({ phase: 'quantize', fraction: done / total, tensorsDone: done, tensorsTotal: total });
    };
    const timer = setInterval(report, pollMs);
    let tensors: number;
    try {
        ({ tensors } = await nativeQuantizer.quantize(input.path, partial, type.ftype, request.threads ?? call.defaultThreads, request.allowRequantize ?? false));
        call.signal?.throwIfAborted();
        await rename(partial, output);
    } catch (error) {
        await rm(partial, { force: true });
        if (call.signal?.aborted) throw new CancelledError(`quantizing ${input.path}`);
        if (error instanceof Error && !(error instanceof CancelledError) && error.constructor === Error) {
            throw new QuantizationError(input.path, request.type, error.message.replace(/^llama_model_quantize: failed to quantize: /, ''), fixFor(request));
        }
        throw error;
    } finally {
        clearInterval(timer);
        call.signal?.removeEventListener('abort', onAbort);
    }
    call.onProgress?.({ phase: 'quantize', fraction: 1, tensorsDone: tensors, tensorsTotal: tensors });
    return {
        output, type: request.type, tensors, inputBytes: input.sizeBytes, outputBytes: (await stat(output)).size,
        ms: performance.now() - started,
    };
}

function fixFor(request: QuantizeModelRequest): string {
    return request.allowRequantize
        ? 'Quantize from the F32, F16 or BF16 model instead, or choose another type.'
        : 'Quantize from the F32, F16 or BF16 model (a model already quantized is refused unless requantizing is allowed: --allow-requantize), or choose another type.';
}

/** The output may be a new file or (with `overwrite`) a regular file, never the input itself or a link. */
async function checkOutput(input: string, output: string, overwrite: boolean): Promise<void> {
    const existing = await lstat(output).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
    });
    if (existing?.isSymbolicLink()) throw new UnsafePathError(output, 'it is a symbolic link', 'Write the quantized model to a regular file');
    const folder = await stat(dirname(output)).catch(() => undefined);
    if (!folder?.isDirectory()) throw new UnsafePathError(output, 'its folder does not exist', 'Create the folder first or choose another output path');
    if (!existing) return;
    if (!existing.isFile()) throw new UnsafePathError(output, 'it is not a regular file', 'Choose another output path');
    if (await realpath(output) === await realpath(input)) throw new UnsafePathError(output, 'it is the input model itself', 'Write the quantized model to another file');
    if (!overwrite) throw new UnsafePathError(output, 'the file exists', 'Remove it, choose another output path, or allow replacing it (--force)');
}
