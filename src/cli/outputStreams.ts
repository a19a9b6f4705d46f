/**
 * The CLI's stdout and stderr when their reader goes away (`promptscope run … | head -c 20`): Node reports a write
 * to a closed pipe as an `EPIPE` 'error' event, which crashes the process with a stack trace when nobody listens.
 * A closed reader is not a failure of the command: what it writes from then on is dropped, the command finishes
 * (its run history included) and exits with its usual status. Any other write error (a full disk under
 * `> out.txt`) is a failure: reported once on stderr, and the exit status becomes 1.
 */

let installed = false;
let failure: NodeJS.ErrnoException | undefined;

/** Listens for write errors on stdout and stderr; called once, before the command writes anything. */
export function guardOutputStreams(): void {
    if (installed) return;
    installed = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' || failure !== undefined) return;
        failure = error;
        process.stderr.write(`promptscope: cannot write the output: ${error.message}\n`);
    });
    // A reader of stderr that went away takes only the messages with it: the command's result is on stdout.
    process.stderr.on('error', () => undefined);
}

/** The exit status after the output: `code`, or 1 when stdout could not be written (a reader that closed aside). */
export function exitStatus(code: number): number {
    return failure === undefined || code !== 0 ? code : 1;
}
