import { writeSync } from 'node:fs';
import type { LogLevel } from '../../shared/runtimeApi';

/** The host's log, which reaches the client's log sink. */
export type HostLog = (level: LogLevel, message: string) => void;

/**
 * Errors that escape every caller of the runtime host: without a handler, Node prints a stack and exits with code 1,
 * and the client can say only "exited with code 1" and the stack's first line.
 *
 * - A rejected promise nobody waits on is logged, and the host keeps running. The known source is node-llama-cpp's
 *   downloader (ipull 3.9): it watches each of a download's parallel streams with `promise.then(…)` and no rejection
 *   handler, so a stream's failure (a server that answers a range request with the whole file, a 404 on one range)
 *   is an unhandled rejection although the download itself, which the model load awaits, fails with the same error.
 *   Ending the host for it would turn that download error, which names the URL, into a crash report, and drop the
 *   loaded model. Nothing ran half-way: a rejection unwinds no code, so the host's state is as it was.
 * - An exception thrown out of a callback stopped that callback half-way, leaving whatever it was changing in an
 *   unknown state (Node's documentation: not safe to resume). The host writes why to stderr, synchronously (the
 *   client keeps the last lines to explain an exit), and exits at once; the client fails the pending requests with a
 *   RuntimeStoppedError saying so, and the next request starts a new host.
 */
export function handleEscapedErrors(log: HostLog): void {
    process.on('unhandledRejection', reason => {
        log('error', `A promise rejected with nothing waiting for it; the runtime keeps running: ${describe(reason)}`);
    });
    process.on('uncaughtException', error => {
        // Full stack first, the summary last: the client explains the exit by the last line that reads like an error.
        writeLine(stackOf(error));
        writeLine(`uncaught error in the runtime host: ${firstLine(error)}`);
        process.exit(1);
    });
}

function describe(value: unknown): string {
    return value instanceof Error ? stackOf(value) : String(value);
}

function stackOf(value: unknown): string {
    return value instanceof Error ? value.stack ?? `${value.name}: ${value.message}` : String(value);
}

function firstLine(value: unknown): string {
    const text = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
    return text.split('\n')[0];
}

/** Synchronous: the process exits right after, and an asynchronous pipe write (macOS) would be lost. */
function writeLine(text: string): void {
    try {
        writeSync(2, `${text}\n`);
    } catch {
        // stderr is gone (the client closed it): the exit code alone has to do.
    }
}
