import type { EmbedRequest, EmbedResult } from '../shared/embeddingApi';
import type { Embedder } from '../core/retrieval/Embedder';
import { RuntimeSession } from './runtimeSession';

/**
 * How long the runtime started for embeddings stays up without a request: long enough for a dataset's rows to reuse it,
 * short enough that a command that failed before closing it still exits soon after.
 */
const idleCloseMs = 20_000;

/**
 * The embedder a CLI command hands to prompt preparation: a runtime host started on the first embedding only (a
 * prompt without `promptscope.retrieval` never starts one), stopped by {@link close} so the process can exit, or
 * after {@link idleCloseMs} without a request where a command's error path never reached `close`.
 */
export class RetrievalEmbedder implements Embedder {
    private session: RuntimeSession | undefined;
    private pending = 0;
    private idle: NodeJS.Timeout | undefined;

    constructor(private readonly verbose = false) {}

    async embed(request: EmbedRequest, options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
        clearTimeout(this.idle);
        this.session ??= new RuntimeSession(this.verbose);
        this.pending++;
        try {
            return await this.session.client.embed(request, options);
        } finally {
            if (--this.pending === 0) this.idle = setTimeout(() => void this.close(), idleCloseMs);
        }
    }

    async close(): Promise<void> {
        clearTimeout(this.idle);
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
