import { RuntimeStoppedError } from './RuntimeStoppedError';

/**
 * The runtime host did not answer the client's liveness pings for `seconds` (its event loop blocked, the process
 * stopped or frozen), so the client killed it. A RuntimeStoppedError too: whatever handles a crashed host (the next
 * request starts a new one and reloads the model) handles this the same way.
 */
export class RuntimeNotRespondingError extends RuntimeStoppedError {
    /** The bound that ran out: promptscope.runtime.responseTimeoutSeconds, or --runtime-timeout on the command line. */
    readonly seconds: number;

    constructor(seconds: number) {
        super(`not responding for ${seconds} s`);
        this.message = `runtime not responding for ${seconds} s: the runtime host was stopped and the next request starts a new one. `
            + 'If it was only busy, allow it longer with the setting promptscope.runtime.responseTimeoutSeconds '
            + '(--runtime-timeout SECONDS or PROMPTSCOPE_RUNTIME_TIMEOUT on the command line; 0 turns the check off).';
        this.name = 'RuntimeNotRespondingError';
        this.seconds = seconds;
    }
}
