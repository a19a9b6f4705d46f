import { resolve } from 'node:path';
import type { QuantizeModelResult } from '../../shared/runtimeApi';
import { quantizationTypeNamed, quantizationTypeNames, quantizationTypes, type QuantizationType } from '../../shared/quantizationTypes';
import { CancelledError } from '../../shared/errors/CancelledError';
import { formatBytes } from '../../core/format';
import type { CliCommand } from '../CliCommand';
import { booleanOptions, stringOptions } from '../optionTables';
import { threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { checkOutputPath } from '../outputFlag';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope quantize IN.gguf OUT.gguf --type T [--threads N] [--allow-requantize] [--force] [--json]

Quantizes a GGUF model with llama.cpp's own quantizer (llama_model_quantize, as llama-quantize runs it), tensor by
tensor with progress; Ctrl-C stops it before the next tensor and leaves no partial file. OUT.gguf is written under
another name and renamed into place when whole.

  --type T             the quantization type (case does not matter):
${quantizationTypeNames.map(name => `                         ${name.padEnd(7)} ${quantizationTypes[name].summary}`).join('\n')}
  --threads N          CPU threads (default: the runtime's)
  --allow-requantize   quantize tensors that are already quantized (refused by default: the loss adds up)
  --force              replace OUT.gguf when it exists
`;

/** `--type` as a quantization type, or a UsageError listing them. */
export function quantizationTypeFlag(value: unknown, flag = '--type'): QuantizationType {
    const type = typeof value === 'string' ? quantizationTypeNamed(value) : undefined;
    if (!type) throw new UsageError(`${flag} must be one of ${quantizationTypeNames.join(', ')}, got ${value === undefined ? 'nothing' : String(value)}`);
    return type;
}

/**
 * Quantizes `input` into `output` through the session's runtime, printing progress to stderr (at most one line every
 * two seconds when stderr is not a terminal); Ctrl-C cancels.
 */
export async function quantizeWithProgress(session: RuntimeSession, request: { input: string; output: string; type: QuantizationType;
    threads?: number; allowRequantize?: boolean; overwrite?: boolean }): Promise<QuantizeModelResult> {
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    let lastShown = 0;
    try {
        return await session.client.quantizeModel(request, {
            signal: controller.signal,
            onProgress: progress => {
                const now = Date.now();
                if (progress.fraction < 1 && now - lastShown < (process.stderr.isTTY ? 200 : 2000)) return;
                lastShown = now;
                const line = `Quantizing to ${request.type}: tensor ${progress.tensorsDone}/${progress.tensorsTotal} (${Math.round(progress.fraction * 100)}%)`;
                process.stderr.write(process.stderr.isTTY ? `\r${line}${progress.fraction >= 1 ? '\n' : ''}` : `${line}\n`);
            },
        });
    } catch (error) {
        if (controller.signal.aborted && error instanceof CancelledError) throw new CancelledError(`quantizing ${request.input} (no file was written)`);
        throw error;
    } finally {
        process.off('SIGINT', onInterrupt);
    }
}

export const quantizeCommand: CliCommand = {
    name: 'quantize',
    summary: 'Quantize a GGUF model (Q4_K_M, Q4_0, Q5_K_M, Q8_0, …) with llama.cpp\'s own quantizer',
    usage,
    allowPositionals: true,
    options: { ...stringOptions('type', 'threads'), ...booleanOptions('allow-requantize', 'force') },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 2) throw new UsageError('give the input model and the output path, e.g. quantize model-f16.gguf model-q4_k_m.gguf --type Q4_K_M');
        const type = quantizationTypeFlag(values.type);
        const input = resolve(positionals[0]!);
        const output = checkOutputPath('OUT.gguf', positionals[1]!);
        if (output === input) throw new UsageError(`OUT.gguf ${output} is the input model itself: write the quantized model to another file`);
        const threads = threadsFlag(values);
        const session = new RuntimeSession(verbose);
        try {
            const result = await quantizeWithProgress(session, {
                input, output, type, allowRequantize: values['allow-requantize'] === true, overwrite: values.force === true,
                ...(threads === undefined ? {} : { threads }),
            });
            if (json) {
                printJson(result);
                return;
            }
            process.stdout.write(`Wrote ${result.output}\n  ${result.type}, ${result.tensors} tensors, ${formatBytes(result.inputBytes)} → ${formatBytes(result.outputBytes)} `
                + `(${(result.outputBytes / result.inputBytes * 100).toFixed(1)}%), ${(result.ms / 1000).toFixed(1)} s\n`);
        } finally {
            await session.close();
        }
    },
};
