import type { EmbedRequest, EmbedResult } from '../shared/embeddingApi';
import type { Embedder } from '../core/retrieval/Embedder';
import { RuntimeSession } from './runtimeSession';

/**
 * The embedder a CLI command hands to prompt preparation: a runtime host started on the first embedding only (a
 * prompt without `promptscope.retrieval` never starts one), stopped by {@link close} so the process can exit.
 */
export class RetrievalEmbedder implements Embedder {
    private session: RuntimeSession | undefined;

    constructor(private readonly verbose = false) {}

    embed(request: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
        this.session ??= new RuntimeSession(this.verbose);
        return this.session.client.embed(request, options);
    }

    async close(): Promise<void> {
        const session = this.session;
        this.session = undefined;
        await session?.close();
    }
}

/** Runs `task` with a {@link RetrievalEmbedder}, closed after it whatever happens. */
export async function withRetrievalEmbedder<T>(task: (embedder: RetrievalEmbedder) => Promise<T>, verbose = false): Promise<T> {
    const embedder = new RetrievalEmbedder(verbose);
    try {
        return await task(embedder);
    } finally {
        await embedder.close();
    }
}
