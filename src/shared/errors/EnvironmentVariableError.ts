/**
 * An environment variable Promptscope reads holds a value it does not know: refused rather than ignored, since an
 * ignored setting (a misspelt `PROMPTSCOPE_DECODE_LOOP`) makes a comparison silently measure the default twice.
 */
export class EnvironmentVariableError extends Error {
    /** The variable, e.g. `PROMPTSCOPE_DECODE_LOOP`. */
    readonly variable: string;
    /** Its value as set. */
    readonly value: string;
    /** The values it may hold (unset is always allowed). */
    readonly allowed: readonly string[];

    constructor(variable: string, value: string, allowed: readonly string[]) {
        super(`${variable}=${JSON.stringify(value)} is not a value it takes: set it to ${allowed.join(' or ')}, or unset it for the default.`);
        this.name = 'EnvironmentVariableError';
        this.variable = variable;
        this.value = value;
        this.allowed = allowed;
    }
}
