import type { LoraAdapterSpec } from '../shared/runtimeApi';
import { UsageError } from './UsageError';

/** A numeric flag's value, or undefined when absent. Range checks are left to the runtime, which names the allowed range. */
export function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || Number.isNaN(value)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(raw)}`);
    return value;
}

export function integerFlag(values: Record<string, unknown>, name: string): number | undefined {
    const value = numberFlag(values, name);
    if (value !== undefined && !Number.isInteger(value)) throw new UsageError(`--${name} expects an integer, got ${values[name]}`);
    return value;
}

/** `--lora PATH[:SCALE]`, repeatable. The scale is split off the last colon only when it is a number (Windows paths have colons). */
export function loraFlags(values: Record<string, unknown>): LoraAdapterSpec[] {
    const raw = values.lora;
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return list.map(item => {
        const text = String(item);
        const match = /^(.+):(-?\d+(?:\.\d+)?|-?\.\d+)$/.exec(text);
        return match ? { path: match[1]!, scale: Number(match[2]) } : { path: text };
    });
}

/** `--input JSON`: an object of input variables. */
export function jsonObjectFlag(values: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
    const raw = values[name];
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(String(raw));
    } catch (error) {
        throw new UsageError(`--${name} is not valid JSON (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object, e.g. '{"topic": "cats"}'`);
    return parsed as Record<string, unknown>;
}
