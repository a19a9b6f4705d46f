import { closeSync, constants, fstatSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkWriteTarget, confirmFolder, createFolders, refuseNonRegular, type WriteTargetOptions } from './writeTarget';
import { writeFailure } from './writeFailure';

/** Create a new file only (O_EXCL: a name that exists, a link included, fails), never through a link. */
const temporaryFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Writes a whole file (an export, a report) safely: the checks of {@link checkWriteTarget} (inside `options.root`, no
 * symbolic link on the way or at the file, only over a regular file), then the data into a new temporary file beside
 * it, renamed over the target: readers see the old file or the new one, never half of one, and a failed write (a full
 * disk) leaves the old file as it was. Throws an UnsafePathError or FileWriteError naming the path.
 *
 * npm's write-file-atomic does the temporary-and-rename part, but it resolves a link at the target and writes where
 * it points, the one thing a workspace must not be able to make us do; the rest is a few node:fs calls.
 */
export function writeProjectFile(path: string, data: string | Uint8Array, options: WriteTargetOptions = {}): string {
    const target = checkWriteTarget(path, options);
    createFolders(target);
    const temporary = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    try {
        const fd = openSync(temporary, temporaryFlags, 0o666);
        try {
            refuseNonRegular(temporary, fstatSync(fd));
            writeFileSync(fd, data);
        } finally {
            closeSync(fd);
        }
        confirmFolder(target);
        // Checked again just before the rename: a link or folder put there meanwhile is refused, not replaced.
        checkWriteTarget(target.path, { root: target.root });
        renameSync(temporary, target.path);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw writeFailure(error, target.path);
    }
    return target.path;
}
