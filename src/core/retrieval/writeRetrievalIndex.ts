import { join } from 'node:path';
import { writeProjectFile } from '../files/writeProjectFile';
import { indexFiles, type IndexedChunk, type IndexManifest } from './indexFormat';

/**
 * Writes an index folder inside `root` (the workspace): every file through writeProjectFile (no symbolic link on the
 * way or at the file, nothing outside `root`, each file whole or not at all), the manifest last, so that a build
 * stopped half-way leaves the previous index readable or no index at all, never a manifest over missing vectors.
 * `vectors` are the chunks' unit vectors, row-major.
 */
export function writeRetrievalIndex(folder: string, root: string, manifest: IndexManifest, chunks: readonly IndexedChunk[], vectors: Float32Array): void {
    writeProjectFile(join(folder, indexFiles.vectors), new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), { root });
    writeProjectFile(join(folder, indexFiles.chunks), JSON.stringify(chunks), { root });
    writeProjectFile(join(folder, indexFiles.manifest), JSON.stringify(manifest, null, 2) + '\n', { root });
}
