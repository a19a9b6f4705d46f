import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { checkWriteTarget, confirmFolder, createFolders, refuseNonRegular, type WriteTarget, type WriteTargetOptions } from './writeTarget';
import { writeFailure } from './writeFailure';

/**
 * O_RDWR: the append reads the last byte first (see appendLine). O_NOFOLLOW: a link in the last component fails the open (ELOOP) instead of being followed, closing the gap between
 * the lstat check and the open. O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of blocking the
 * process forever; on a regular file it changes nothing. Windows has neither flag (the lstat checks still apply).
 */
const appendFlags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** An open file descriptor for appending, and the target it was checked as. */
export interface AppendHandle {
    fd: number;
    target: WriteTarget;
}

/**
 * Opens `path` for appending, creating it and its folders: only a regular file inside `options.root`, reached without
 * a symbolic link (see {@link checkWriteTarget}), checked again on the open descriptor. Throws an UnsafePathError or
 * FileWriteError naming the path; the caller closes the descriptor.
 */
export function openForAppend(path: string, options: WriteTargetOptions = {}): AppendHandle {
    const target = checkWriteTarget(path, options);
    createFolders(target);
    let fd: number;
    try {
        fd = openSync(target.path, appendFlags, 0o666);
    } catch (error) {
        throw writeFailure(error, target.path);
    }
    try {
        refuseNonRegular(target.path, fstatSync(fd));
        confirmFolder(target);
    } catch (error) {
        closeSync(fd);
        throw writeFailure(error, target.path);
    }
    return { fd, target };
}
