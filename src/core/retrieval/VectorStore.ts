import type { VectorHit } from './bruteForceSearch';

/** How a store ranks chunks: by the query's embedding alone, or by that and BM25 over the chunks' words. */
export type SearchMode = 'vector' | 'hybrid';

export const searchModes: readonly SearchMode[] = ['vector', 'hybrid'];

/** Nearest chunks of an index for a query, whatever holds them. */
export interface VectorStore {
    /**
     * The `k` best chunks for `query` (its embedding), best first. In `vector` mode the score is the cosine similarity;
     * in `hybrid` mode, the store's blend of it with a BM25 score of `text` (then not a cosine).
     */
    search(query: { vector: Float32Array; text?: string; k: number; mode?: SearchMode }): Promise<VectorHit[]>;
}
