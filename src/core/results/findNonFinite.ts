/** A number that is not finite, and where it is (`tokens[3].top[0].logprob`). */
export interface NonFiniteValue {
    field: string;
    value: number;
}

/**
 * The first NaN or ±Infinity in a result (plain objects, arrays, typed float arrays, Maps' values), depth first;
 * undefined when every number is finite. Numbers only: strings, booleans and null are not looked at.
 */
export function findNonFinite(value: unknown, field = 'result'): NonFiniteValue | undefined {
    if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field, value };
    if (value === null || typeof value !== 'object') return undefined;
    if (value instanceof Float32Array || value instanceof Float64Array) {
        for (let i = 0; i < value.length; i++) {
            if (!Number.isFinite(value[i]!)) return { field: `${field}[${i}]`, value: value[i]! };
        }
        return undefined;
    }
    if (ArrayBuffer.isView(value)) return undefined;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const found = findNonFinite(value[i], `${field}[${i}]`);
            if (found) return found;
        }
        return undefined;
    }
    const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    for (const [key, item] of entries) {
        const found = findNonFinite(item, field === 'result' ? key : `${field}.${key}`);
        if (found) return found;
    }
    return undefined;
}
