import type { WatermarkOptions } from '../shared/watermark';
import { SamplingOptionsError } from '../shared/errors/SamplingOptionsError';
import { validateWatermark } from '../core/sampling/validateSampling';
import { UsageError } from './UsageError';

/**
 * `--watermark key=K,gamma=G,delta=D[,hard]`: the watermark a run generates with, checked as the runtime checks it.
 * A key may hold any character but a comma.
 */
export function watermarkFlag(value: unknown): WatermarkOptions | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError('--watermark expects key=K[,gamma=G][,delta=D][,hard], e.g. --watermark key=secret,gamma=0.25,delta=2');
    const options: Partial<WatermarkOptions> = {};
    for (const part of value.split(',')) {
        const [name, ...rest] = part.split('=');
        const text = rest.join('=');
        switch (name!.trim()) {
            case 'key': options.key = text; break;
            case 'gamma': options.gamma = Number(text); break;
            case 'delta': options.delta = Number(text); break;
            case 'hard':
                if (rest.length > 0) throw new UsageError(`--watermark: hard takes no value (write ",hard"), got ${JSON.stringify(part)}`);
                options.hard = true;
                break;
            default: throw new UsageError(`--watermark: unknown part ${JSON.stringify(part)}; give key=K, gamma=G, delta=D or hard`);
        }
    }
    if (options.key === undefined) throw new UsageError('--watermark needs key=K: detection needs the same key');
    try {
        validateWatermark(options as WatermarkOptions);
    } catch (error) {
        if (!(error instanceof SamplingOptionsError)) throw error;
        throw new UsageError(`--watermark: ${error.field.replace(/^watermark\./, '')} must be ${error.allowed}`);
    }
    return options as WatermarkOptions;
}
