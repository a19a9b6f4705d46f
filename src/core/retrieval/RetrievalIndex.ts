import type { IndexedChunk, IndexManifest } from './indexFormat';

/** An index read from its folder: its manifest, its chunks and their unit vectors (`chunks` rows, row-major). */
export interface RetrievalIndex {
    /** Absolute path of the index folder. */
    folder: string;
    manifest: IndexManifest;
    chunks: IndexedChunk[];
    vectors: Float32Array;
}
