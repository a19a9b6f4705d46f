/**
 * Node's error codes for a host that cannot be reached: no DNS answer, refused, unreachable, timed out or reset
 * (the `UND_ERR_` ones are undici's, Node's fetch, for a connection that timed out or broke).
 */
const unreachableCodes: ReadonlySet<string> = new Set([
    'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET',
    'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

/**
 * The code of a network failure that says the host cannot be reached, found on the error, its causes or, for an
 * AggregateError (Node tries each address of a host), its errors; undefined for any other failure.
 */
export function unreachableCode(error: unknown): string | undefined {
    const seen = new Set<object>();
    const find = (value: unknown): string | undefined => {
        if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
        seen.add(value);
        const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
        if (typeof code === 'string' && unreachableCodes.has(code)) return code;
        for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
            const found = find(inner);
            if (found !== undefined) return found;
        }
        return undefined;
    };
    return find(error);
}
