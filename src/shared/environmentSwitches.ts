import { EnvironmentVariableError } from './errors/EnvironmentVariableError';

/**
 * The environment variables that switch the runtime host between implementations (tests and the benchmark compare
 * them), with the values each takes; unset (or empty) means the default. The host reads them; whoever starts it checks
 * them first, so a typo is an error naming the variable rather than a silent default.
 */
export const runtimeSwitches: Readonly<Record<string, readonly string[]>> = {
    /** node-llama-cpp's token loop instead of the native generation loop. */
    PROMPTSCOPE_DECODE_LOOP: ['node-llama-cpp'],
    /** Where token probabilities' logits come from. */
    PROMPTSCOPE_LOGITS_SOURCE: ['native', 'node-llama-cpp'],
};

/** Throws an {@link EnvironmentVariableError} for the first runtime switch in `env` set to a value it does not take. */
export function checkRuntimeSwitches(env: Readonly<Record<string, string | undefined>>): void {
    for (const [variable, allowed] of Object.entries(runtimeSwitches)) {
        const value = env[variable];
        if (value !== undefined && value !== '' && !allowed.includes(value)) throw new EnvironmentVariableError(variable, value, allowed);
    }
}
