/**
 * Promptscope's native addon (which links llama.cpp) could not be built or loaded, so a capability that only it
 * provides cannot run. Everything else still works; the attention panel shows this as a state of its own.
 */
export class AddonUnavailableError extends Error {
    /** What needed the addon, e.g. `attention capture`. */
    readonly capability: string;
    /** Why the addon is missing, e.g. `the native addon is not built: run \`npm run build:native\``. */
    readonly reason: string;

    constructor(capability: string, reason: string) {
        super(`${capability} unavailable: ${reason}`);
        this.name = 'AddonUnavailableError';
        this.capability = capability;
        this.reason = reason;
    }
}
