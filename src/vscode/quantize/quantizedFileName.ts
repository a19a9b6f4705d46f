import type { QuantizationType } from '../../shared/quantizationTypes';

/**
 * The file name offered for a quantized copy: `<input name>-<TYPE>.gguf` (`tiny.gguf` → `tiny-Q4_K_M.gguf`), as
 * llama.cpp's model cards name them.
 */
export function quantizedFileName(inputName: string, type: QuantizationType): string {
    const stem = inputName.replace(/\.gguf$/i, '');
    return `${stem}-${type}.gguf`;
}
