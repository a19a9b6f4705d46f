import { resolve } from 'node:path';
import { checkWritable, writeFailure, writeProjectFile } from '../core/files';
import { UsageError } from './UsageError';

/**
 * Checks, before the work that produces it, that the file an output flag names can be written: not a directory,
 * symbolic link, FIFO or device, and its folder writable. A mistake is a UsageError naming the flag and the path
 * (`--markdown /x: it is a directory. …`), reported before minutes of generation rather than after. Returns the
 * absolute path. `flag` is the flag as typed (`--markdown`) or a description of a positional (`OUT.gguf`).
 */
export function checkOutputPath(flag: string, path: string): string {
    const absolute = resolve(path);
    try {
        checkWritable(absolute);
    } catch (error) {
        const failure = writeFailure(error, absolute);
        throw new UsageError(`${flag} ${absolute}: ${failure.problem}. ${failure.fix}`);
    }
    return absolute;
}

/**
 * Writes what an output flag names, whole (see core/files' writeProjectFile), after {@link checkOutputPath}. A failure
 * (a full disk meanwhile) keeps its class, with the flag named at the front of its message; the caller prints the
 * result elsewhere first, so it is not lost with the file.
 */
export function writeOutputFile(flag: string, path: string, data: string | Uint8Array): string {
    try {
        return writeProjectFile(path, data);
    } catch (error) {
        const failure = writeFailure(error, resolve(path));
        failure.message = `${flag} ${failure.message}`;
        throw failure;
    }
}
