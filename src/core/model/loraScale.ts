import { maxLoraScale } from '../../shared/limits';

/** The LoRA scales accepted, in words, for every message that refuses one (flag, front matter, settings, runtime). */
export const loraScaleAllowed = `a number from -${maxLoraScale} to ${maxLoraScale} (1 = as trained, 0 = off; see maxLoraScale)`;

/** Whether `scale` is a LoRA scale the runtime accepts: a finite number no further than `maxLoraScale` from 0. */
export function isLoraScale(scale: unknown): scale is number {
    return typeof scale === 'number' && Number.isFinite(scale) && Math.abs(scale) <= maxLoraScale;
}
