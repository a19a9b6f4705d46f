import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { NotARegularFileError } from '../../shared/errors/NotARegularFileError';

/**
 * A binary file of an index, read only when it is a regular file and only up to `expected` + 1 bytes (one byte more
 * tells the caller it is too long): the vectors' size is known from the manifest, so a damaged or swapped file never
 * costs more than that.
 */
export async function readBoundedBytes(path: string, expected: number): Promise<Uint8Array> {
    const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
        const info = await handle.stat();
        if (!info.isFile()) throw new NotARegularFileError(path, 'index', info.isDirectory() ? 'a folder' : 'a special file (FIFO, socket or device)');
        const buffer = Buffer.alloc(Math.min(info.size, expected + 1));
        let total = 0;
        while (total < buffer.length) {
            const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
            if (bytesRead === 0) break;
            total += bytesRead;
        }
        return buffer.subarray(0, total);
    } finally {
        await handle.close();
    }
}
