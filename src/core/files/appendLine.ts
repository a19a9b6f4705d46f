import { closeSync, fstatSync, readSync, writeSync } from 'node:fs';
import { openForAppend } from './openForAppend';
import { writeFailure } from './writeFailure';
import { FileWriteError } from '../../shared/errors/FileWriteError';
import type { WriteTargetOptions } from './writeTarget';

/**
 * Appends `line` (which must not contain a newline) and a newline to the JSONL file `path` with a whole-line guarantee:
 * the line is written by one `write` call of an `O_APPEND` descriptor, so concurrent writers never interleave, and a
 * record never continues a torn line (one a full disk or a killed writer cut short).
 *
 * A torn last line is repaired by starting the append with "\n", not by truncating back to the previous newline: the
 * torn bytes then stand alone as one damaged line that readers skip with a warning. Truncating would need a size read
 * before the truncate, and another process appending in between would lose its whole line to it; an append is one
 * atomic step. The same holds for a write of ours cut short: its fragment is ended with "\n" if the disk allows, else
 * the next append does it.
 *
 * Opens through {@link openForAppend} (no links, regular files only, inside `options.root`). Throws an UnsafePathError
 * or FileWriteError naming the path; a short write is a FileWriteError saying how much was written.
 */
export function appendLine(path: string, line: string, options: WriteTargetOptions = {}): void {
    if (line.includes('\n')) throw new RangeError('appendLine: the line must not contain a newline');
    const { fd, target } = openForAppend(path, options);
    try {
        const bytes = Buffer.from((endsTorn(fd) ? '\n' : '') + line + '\n', 'utf8');
        let written: number;
        try {
            written = writeSync(fd, bytes);
        } catch (error) {
            throw writeFailure(error, target.path);
        }
        if (written < bytes.length) {
            try {
                writeSync(fd, '\n');
            } catch {
                // The disk refused even that: the next append starts with the newline instead.
            }
            // A short write without an error is what a full disk or a file size limit does (the next write fails).
            throw new FileWriteError(target.path, 'ENOSPC', `only ${written} of ${bytes.length} bytes were written: the disk is full or the file size limit is reached`,
                'Free some space (or raise ulimit -f) and run again; the cut line stays on a line of its own, which readers skip');
        }
    } finally {
        closeSync(fd);
    }
}

/** Whether the file is non-empty and its last byte is not a newline. */
function endsTorn(fd: number): boolean {
    const { size } = fstatSync(fd);
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
}
