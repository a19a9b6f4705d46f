import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import type { VectorHit } from './bruteForceSearch';
import type { RetrievalIndex } from './RetrievalIndex';
import type { VectorQuery, VectorStore } from './VectorStore';

/**
 * An index's chunks in Orama (`@orama/orama`, pure JavaScript): its vector search is an exact cosine scan, and it
 * offers hybrid search (BM25 over the chunks' words blended with the vectors). Chosen over LanceDB by measurement
 * (BENCHMARKS.md, "Retrieval"): as fast to query at the sizes an editor's workspace has, exact, and no native
 * binary or 300 MB of optional dependencies to ship. The chunks' words are indexed only once a hybrid search asks.
 */
export class OramaVectorStore implements VectorStore {
    private vectorDb: Promise<AnyOrama> | undefined;
    private hybridDb: Promise<AnyOrama> | undefined;

    constructor(private readonly index: Pick<RetrievalIndex, 'chunks' | 'vectors' | 'manifest'>) {}

    async search(query: VectorQuery): Promise<VectorHit[]> {
        const mode = query.mode ?? 'vector';
        const db = await (mode === 'hybrid' ? (this.hybridDb ??= this.build(true)) : (this.vectorDb ??= this.build(false)));
        const results = await search(db, {
            mode,
            ...(mode === 'hybrid' ? { term: query.text ?? '' } : {}),
            vector: { value: query.vector, property: 'embedding' },
            // Orama drops hits below a similarity of 0.8 by default; every chunk is a candidate here, the k best kept.
            similarity: -1,
            // Filtered after the scan: the scan scores every chunk anyway, so asking for all of them costs their sort only.
            limit: query.accept === undefined ? query.k : this.index.chunks.length,
            includeVectors: false,
        } as never);
        const hits = results.hits.map(hit => ({ chunk: Number(hit.id), score: hit.score }));
        return query.accept === undefined ? hits : hits.filter(hit => query.accept!(hit.chunk)).slice(0, query.k);
    }

    private async build(withText: boolean): Promise<AnyOrama> {
        const { dimensions } = this.index.manifest.model;
        const db = create({
            schema: { embedding: `vector[${dimensions}]`, ...(withText ? { text: 'string' } : {}) } as const,
        }) as AnyOrama;
        const documents = this.index.chunks.map((chunk, i) => ({
            id: String(i),
            // Orama validates a vector as an Array of the declared length, then keeps it as a Float32Array of its own.
            embedding: Array.from(this.index.vectors.subarray(i * dimensions, (i + 1) * dimensions)),
            ...(withText ? { text: chunk.text } : {}),
        }));
        await insertMultiple(db, documents as never, 1000);
        return db;
    }
}
