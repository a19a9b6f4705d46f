/** A chunk found for a query: its index in the index's chunk list and its cosine similarity to the query. */
export interface VectorHit {
    chunk: number;
    score: number;
}

/**
 * THE exact nearest neighbours: the cosine similarity of `query` with every row of `vectors` (`count` rows of
 * `dimensions`, row-major), computed in Float64 from the raw vectors, the `k` highest first (ties by chunk order).
 * The reference every vector store is measured and tested against.
 */
export function bruteForceSearch(vectors: Float32Array, dimensions: number, query: ArrayLike<number>, k: number): VectorHit[] {
    if (query.length !== dimensions) throw new RangeError(`the query has ${query.length} dimensions; the vectors ${dimensions}`);
    const count = vectors.length / dimensions;
    let queryNorm = 0;
    for (let d = 0; d < dimensions; d++) queryNorm += query[d]! * query[d]!;
    queryNorm = Math.sqrt(queryNorm);
    const hits: VectorHit[] = [];
    for (let row = 0; row < count; row++) {
        let dot = 0;
        let norm = 0;
        const base = row * dimensions;
        for (let d = 0; d < dimensions; d++) {
            const v = vectors[base + d]!;
            dot += v * query[d]!;
            norm += v * v;
        }
        const denominator = Math.sqrt(norm) * queryNorm;
        hits.push({ chunk: row, score: denominator === 0 ? 0 : dot / denominator });
    }
    hits.sort((a, b) => b.score - a.score || a.chunk - b.chunk);
    return hits.slice(0, k);
}
