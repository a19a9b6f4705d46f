/** The model line's hover: GGUF metadata of the loaded model (from the runtime's ModelInfo, sent by the host). Pure. */
import { formatBytes, formatParameterCount } from '../../core/format';
import type { ModelDetails } from '../../shared/protocols/playground';

export function modelTooltip(model: { name: string; backend: string; quantization: string; details?: ModelDetails }): string {
    const d = model.details;
    const lines = [model.name];
    if (d !== undefined) {
        lines.push(
            `Architecture: ${d.architecture}`,
            `Size: ${formatBytes(d.fileSizeBytes)} (${formatParameterCount(d.parameters)} parameters)`,
            `Quantization: ${model.quantization}`,
            `Context length: ${d.trainContextLength} trained, ${d.contextSize} in use`,
            `Chat template: ${d.chatTemplate ? 'present' : 'none (a generic format is used)'}`,
            `Backend: ${model.backend}`,
            `File: ${d.path}`,
        );
    } else {
        lines.push(`Quantization: ${model.quantization}`, `Backend: ${model.backend}`);
    }
    return lines.join('\n');
}
