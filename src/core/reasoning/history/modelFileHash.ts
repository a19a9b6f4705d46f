import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const chunk = 1024 * 1024;
const cache = new Map<string, Promise<string>>();

/**
 * A fingerprint of a model file: sha256 of its size, its first MiB and its last MiB. Hashing a multi-GB GGUF
 * whole would take longer than the run; header (metadata, tensor layout) plus tail (last tensors) plus size tell
 * different files apart in practice. Written `sha256-edges:<hex>` so nobody mistakes it for a full-file hash.
 */
export function modelFileHash(path: string): Promise<string> {
    let hash = cache.get(path);
    if (!hash) {
        hash = compute(path);
        cache.set(path, hash);
    }
    return hash;
}

async function compute(path: string): Promise<string> {
    const file = await open(path, 'r');
    try {
        const { size } = await file.stat();
        const digest = createHash('sha256').update(String(size));
        const head = Buffer.alloc(Math.min(chunk, size));
        await file.read(head, 0, head.length, 0);
        digest.update(head);
        const tailStart = Math.max(head.length, size - chunk);
        const tail = Buffer.alloc(size - tailStart);
        await file.read(tail, 0, tail.length, tailStart);
        digest.update(tail);
        return `sha256-edges:${digest.digest('hex')}`;
    } finally {
        await file.close();
    }
}
