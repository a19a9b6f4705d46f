import { errorClasses } from './index';
import type { SerializedError } from './SerializedError';

export interface SerializeErrorOptions {
    /**
     * Keep the stack (as `hostStack`): the runtime host's tells `--verbose` where it failed; a webview page has no
     * use for the extension host's. Defaults to `true`.
     */
    stack?: boolean;
}

/** Turns an error into plain data for the IPC channel or postMessage, keeping its class name and own fields. */
export function serializeError(error: unknown, options: SerializeErrorOptions = {}): SerializedError {
    if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) {
        if (key === 'name' || key === 'message' || key === 'stack') continue;
        fields[key] = plain(value);
    }
    const stack = options.stack ?? true;
    return { name: error.name, message: error.message, fields, ...(stack && error.stack !== undefined ? { hostStack: error.stack } : {}) };
}

/**
 * Rebuilds a serialized error on the receiving side: same class (when it is one in `errorClasses`), same message, same
 * fields. The constructor is bypassed so the message stays exactly the sender's.
 */
export function reviveError(data: SerializedError): Error {
    const cls = Object.hasOwn(errorClasses, data.name) ? errorClasses[data.name] : undefined;
    const error: Error = cls ? Object.create(cls.prototype) as Error : new Error(data.message);
    Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
    Object.assign(error, data.fields);
    // The client-side stack says where the request was made; the host's own stack is kept for --verbose.
    const here = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
    Object.defineProperty(error, 'stack', {
        value: `${data.name}: ${data.message}\n${here}${data.hostStack ? `\n  in the runtime host:\n${data.hostStack.split('\n').slice(1).join('\n')}` : ''}`,
        writable: true, configurable: true, enumerable: false,
    });
    return error;
}

/** Values that survive the channel: numbers (±Infinity and NaN as strings would lose meaning, so kept as numbers), strings, plain data. */
function plain(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
        case 'string': case 'number': case 'boolean': return value;
        case 'bigint': return Number(value);
        case 'object':
            try {
                return structuredClone(value);
            } catch {
                return String(value);
            }
        default: return String(value);
    }
}
