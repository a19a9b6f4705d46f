import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, stat } from 'node:fs/promises';
import { FileTooLargeError } from '../../shared/errors/FileTooLargeError';
import { NotARegularFileError } from '../../shared/errors/NotARegularFileError';
import { maxFileBytes, type ReadFileKind } from '../../shared/limits';
import { decodeUtf8 } from './decodeUtf8';

export interface ReadBoundedTextOptions {
    /** Largest size accepted, in bytes. Defaults to the limit of `kind` in {@link maxFileBytes}. */
    maxBytes?: number;
}

/** Bytes asked of the file system per read: small enough that a file growing without end costs little past the limit. */
const chunkBytes = 64 * 1024;

/**
 * THE way the project reads a file that a workspace or a flag names (prompts, partials, variants, datasets, run
 * history, grammars): asynchronously, so the extension host never blocks on it; only a regular file (a folder,
 * FIFO, device or socket, a symbolic link to one included, is refused with {@link NotARegularFileError} before it is
 * opened); and only up to the limit for its kind ({@link FileTooLargeError}), counting bytes as they are read, so a
 * file that grows while read is refused at limit + 1 bytes rather than read without end. Other failures (`ENOENT`,
 * `EACCES`) are the file system's own errors, for callers to word. The text is UTF-8 as it is on disk (a byte-order
 * mark included); a file that is not valid UTF-8 is refused with an InvalidUtf8Error, the run history excepted
 * (see {@link decodeUtf8}).
 */
export async function readBoundedText(path: string, kind: ReadFileKind, options: ReadBoundedTextOptions = {}): Promise<string> {
    const limit = options.maxBytes ?? maxFileBytes[kind];
    // stat follows symbolic links: a link to /dev/zero is judged by what it points at.
    const info = await stat(path);
    if (!info.isFile()) throw new NotARegularFileError(path, kind, await describeNonFile(path, info));
    if (info.size > limit) throw new FileTooLargeError(path, kind, info.size, limit);

    // O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it must not wait for a writer;
    // the handle is checked again below. It changes nothing for regular files (and is 0 where it does not exist).
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
        const opened = await handle.stat();
        if (!opened.isFile()) throw new NotARegularFileError(path, kind, await describeNonFile(path, opened));
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            // Never more than limit + 1 bytes in all: one byte past the limit is enough to know the file is too large.
            const want = Math.min(chunkBytes, limit + 1 - total);
            const chunk = Buffer.allocUnsafe(want);
            const { bytesRead } = await handle.read(chunk, 0, want, null);
            if (bytesRead === 0) break;
            chunks.push(bytesRead === want ? chunk : chunk.subarray(0, bytesRead));
            total += bytesRead;
            if (total > limit) throw new FileTooLargeError(path, kind, total, limit);
        }
        return decodeUtf8(Buffer.concat(chunks, total), path, kind);
    } finally {
        await handle.close();
    }
}

/** What a path that is not a regular file is, in words, naming the link's target when it is reached through one. */
async function describeNonFile(path: string, info: Stats): Promise<string> {
    const what = info.isDirectory() ? 'a folder'
        : info.isFIFO() ? 'a FIFO (named pipe)'
            : info.isCharacterDevice() ? 'a character device'
                : info.isBlockDevice() ? 'a block device'
                    : info.isSocket() ? 'a socket'
                        : 'not a file';
    try {
        if ((await lstat(path)).isSymbolicLink()) return `${what} (through the symbolic link to ${await readlink(path)})`;
    } catch {
        // The path changed under us: what it was is still the answer.
    }
    return what;
}
