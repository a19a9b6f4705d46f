/**
 * An error as plain data, for a channel that cannot carry class instances: the runtime host → client IPC, and the
 * extension host → webview postMessage. `serializeError` makes it and `reviveError` rebuilds the error, of its
 * own class when `name` is one of the classes in `errorClasses` (src/shared/errors/index.ts), so the receiver checks
 * it with `instanceof` rather than by reading its message.
 */
export interface SerializedError {
    /** Error class name; the receiver rebuilds our own error classes from it. */
    name: string;
    message: string;
    /** The error's own fields (`path`, `field`, `promptTokens`, …). */
    fields: Record<string, unknown>;
    /** The stack where it was thrown, when the receiver may show it (the runtime host's, for --verbose). Defaults to none. */
    hostStack?: string;
}
