/**
 * A sampling option with an impossible value (a negative temperature, top-p outside (0, 1], …).
 * Raised before any decoding starts, so nothing has been generated when it is thrown.
 */
export class SamplingOptionsError extends Error {
    /** Name of the offending option, e.g. `topP` or `logitBias[42]`. */
    readonly field: string;
    /** The rejected value as given. */
    readonly value: unknown;
    /** The allowed values in words, e.g. `(0, 1]` or `an integer ≥ 0`. */
    readonly allowed: string;

    constructor(field: string, value: unknown, allowed: string) {
        super(`Invalid sampling option ${field} = ${formatValue(value)}: allowed ${allowed}.`);
        this.name = 'SamplingOptionsError';
        this.field = field;
        this.value = value;
        this.allowed = allowed;
    }
}

function formatValue(value: unknown): string {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
    try {
        const json = JSON.stringify(value);
        return json.length > 60 ? json.slice(0, 57) + '...' : json;
    } catch {
        return Object.prototype.toString.call(value);
    }
}
