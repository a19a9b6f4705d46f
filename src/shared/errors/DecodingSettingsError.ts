/**
 * A decoding setting of the Decoding Lab (or `promptscope decode`) with an impossible value: 0 beams, top-p outside
 * (0, 1], a fractional seed… Raised before anything is decoded, naming the setting and what it allows.
 */
export class DecodingSettingsError extends Error {
    /** The setting, e.g. `beams` or `topP`. */
    readonly field: string;
    /** The rejected value as given. */
    readonly value: unknown;
    /** The allowed values in words, e.g. `a whole number from 1 to 32`. */
    readonly allowed: string;

    constructor(field: string, value: unknown, allowed: string) {
        super(`${field} must be ${allowed}, got ${typeof value === 'number' || typeof value === 'string' ? String(value) : JSON.stringify(value) ?? String(value)}.`);
        this.name = 'DecodingSettingsError';
        this.field = field;
        this.value = value;
        this.allowed = allowed;
    }
}
