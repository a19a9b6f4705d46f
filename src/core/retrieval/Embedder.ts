import type { EmbedRequest, EmbedResult } from '../../shared/embeddingApi';

/**
 * What retrieval needs of the runtime: embeddings of texts by a model file. The runtime client is one (its `embed`
 * method); core never starts a runtime itself.
 */
export interface Embedder {
    embed(request: EmbedRequest, options?: { signal?: AbortSignal }): Promise<EmbedResult>;
}
