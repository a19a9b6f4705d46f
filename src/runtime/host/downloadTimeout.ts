import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultResponseTimeoutSeconds } from '../rpc/protocol';

/**
 * The bound on a silent download, scoped to the loadModel request that asked for it. The engine queues loads and
 * calls resolveModelSource itself, passing on only the options it knows; an async-local value reaches the download
 * through that queue without every layer in between carrying a setting that only the download reads.
 */
const requestTimeout = new AsyncLocalStorage<number>();

/** Runs `work` (and everything it starts asynchronously) with downloads bounded to `seconds` of silence; 0: unbounded. */
export function withDownloadTimeout<T>(seconds: number | undefined, work: () => T): T {
    return requestTimeout.run(seconds ?? defaultResponseTimeoutSeconds, work);
}

/** Seconds a download started now may go without a byte; 0: no limit. Defaults to {@link defaultResponseTimeoutSeconds}. */
export function downloadTimeoutSeconds(): number {
    return requestTimeout.getStore() ?? defaultResponseTimeoutSeconds;
}
