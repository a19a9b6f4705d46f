/**
 * What a page says about a request that failed (HostConnection rejects with the host handler's error): its message,
 * which our error classes write for the user; the stack is in the Promptscope log, where the host wrote it.
 */
export function failureMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
