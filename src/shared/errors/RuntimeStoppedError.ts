/** The runtime host process ended while the request was pending (crash, abort, kill, or stop()). */
export class RuntimeStoppedError extends Error {
    /** Why it ended, e.g. `killed by SIGKILL` or `aborted (exit code 134): GGML_ASSERT(…) failed`. */
    readonly reason: string;

    constructor(reason: string) {
        super(`runtime stopped: ${reason}`);
        this.name = 'RuntimeStoppedError';
        this.reason = reason;
    }
}
