import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `check` (which throws, e.g. an assert, until the UI shows what it expects) until it passes or
 * `timeoutMs` runs out; then rethrows its last error, so the failure says what was seen last.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await check();
        } catch (e) {
            if (Date.now() > deadline) throw e;
        }
        await sleep(intervalMs);
    }
}
