import type { VectorHit } from './bruteForceSearch';

/** How a store ranks chunks: by the query's embedding alone, or by that and BM25 over the chunks' words. */
export type SearchMode = 'vector' | 'hybrid';

export const searchModes: readonly SearchMode[] = ['vector', 'hybrid'];

/** What a store is asked. */
export interface VectorQuery {
    /** The query's embedding. */
    vector: Float32Array;
    /** The query's words, for `hybrid` mode. Defaults to none. */
    text?: string;
    k: number;
    /** Defaults to `vector`. */
    mode?: SearchMode;
    /**
     * Only chunks it accepts are candidates (a prompt's `include` / `exclude` globs over the index's files); scores
     * are still those of the whole index. Defaults to every chunk.
     */
    accept?: (chunk: number) => boolean;
}

/** Nearest chunks of an index for a query, whatever holds them. */
export interface VectorStore {
    /**
     * The `k` best chunks for `query` (its embedding), best first. In `vector` mode the score is the cosine similarity;
     * in `hybrid` mode, the store's blend of it with a BM25 score of `text` (then not a cosine).
     */
    search(query: VectorQuery): Promise<VectorHit[]>;
}
