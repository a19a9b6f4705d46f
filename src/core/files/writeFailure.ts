import { FileWriteError } from '../../shared/errors/FileWriteError';
import { UnsafePathError } from '../../shared/errors/UnsafePathError';

/** What each system error means for a file being written, and what the user can do. */
const reasons: Record<string, { problem: string; fix: string }> = {
    EACCES: { problem: 'permission denied', fix: 'Make the file and its folder writable, or choose another path' },
    EPERM: { problem: 'the operation is not permitted', fix: 'Make the file and its folder writable, or choose another path' },
    EROFS: { problem: 'the file system is read-only', fix: 'Choose a path on a writable file system' },
    ENOSPC: { problem: 'the disk is full', fix: 'Free some space, or choose a path on another disk' },
    EDQUOT: { problem: 'the disk quota is exhausted', fix: 'Free some space within the quota, or choose another path' },
    EFBIG: { problem: 'the file size limit is reached', fix: 'Raise the limit (ulimit -f), or choose another file' },
    ENOENT: { problem: 'a folder on the way to it does not exist', fix: 'Create the folder, or choose another path' },
    ENOTDIR: { problem: 'a part of the path that should be a folder is a file', fix: 'Choose another path' },
    ENAMETOOLONG: { problem: 'the path is too long', fix: 'Choose a shorter path' },
    EMFILE: { problem: 'too many files are open', fix: 'Close other programs or raise the limit (ulimit -n), then try again' },
};

/**
 * A failed write as one of the typed errors: a symbolic link or a non-regular file (which `O_NOFOLLOW` and
 * `O_NONBLOCK` opens report as ELOOP, ENXIO, EISDIR) is an {@link UnsafePathError}; anything else a
 * {@link FileWriteError} with the system's code. Typed errors pass through unchanged.
 */
export function writeFailure(error: unknown, path: string): UnsafePathError | FileWriteError {
    if (error instanceof UnsafePathError || error instanceof FileWriteError) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
    switch (code) {
        case 'ELOOP': return new UnsafePathError(path, 'it is a symbolic link', symlinkFix);
        case 'EISDIR': return new UnsafePathError(path, 'it is a directory', notRegularFix);
        case 'ENXIO': return new UnsafePathError(path, 'it is a FIFO or device, not a regular file', notRegularFix);
    }
    const reason = reasons[code];
    if (reason !== undefined) return new FileWriteError(path, code, `${reason.problem} (${code})`, reason.fix);
    const detail = error instanceof Error ? error.message : String(error);
    return new FileWriteError(path, code, detail, 'Check the path and the disk, then try again');
}

/** The fix for a symbolic link where a file is written. */
export const symlinkFix = 'The project writes only regular files, never through symbolic links: remove the link, or choose another path';
/** The fix for a directory, FIFO, device or socket where a file is written. */
export const notRegularFix = 'Remove it or choose another path: the project writes only regular files';
