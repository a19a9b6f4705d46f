import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import { EmbeddingModelMismatchError } from '../../shared/errors/EmbeddingModelMismatchError';
import { compileDocumentSelection, type SelectionKeys } from './compileDocumentSelection';
import { describeSelection, type DocumentSelection } from './DocumentSelection';
import type { Embedder } from './Embedder';
import { indexFiles } from './indexFormat';
import { OramaVectorStore } from './OramaVectorStore';
import { readRetrievalIndex } from './readRetrievalIndex';
import type { RetrievalIndex } from './RetrievalIndex';
import type { SearchMode, VectorStore } from './VectorStore';

/** A chunk put into a prompt, with where it comes from and how it ranked. */
export interface RetrievedPassage {
    /** 1-based rank. */
    rank: number;
    /** Cosine similarity of the chunk's embedding with the query's (`vector` mode), or the hybrid score. */
    score: number;
    /** The document, relative to the indexed folder, `/`-separated. */
    file: string;
    /** 1-based lines of the document. */
    startLine: number;
    endLine: number;
    text: string;
    /** Row of the index (its chunks.json / vectors.f32). */
    chunk: number;
}

export interface RetrievalRequest {
    /** The index folder. */
    index: string;
    /** The text to find passages for. */
    query: string;
    /** How many passages. */
    k: number;
    /** Defaults to `vector`. */
    mode?: SearchMode;
    /**
     * Only passages of the index's files these globs select (relative to the indexed folder); a selection of none of
     * them is a DocumentSelectionError. Defaults to every file of the index.
     */
    documents?: DocumentSelection;
    /** Names of the include and exclude lists in errors about them. Defaults to `include` and `exclude`. */
    documentKeys?: SelectionKeys;
    embedder: Embedder;
    signal?: AbortSignal;
}

export interface RetrievalOutcome {
    /** Absolute path of the index folder. */
    index: string;
    /** The embedding model (absolute path) the query was embedded with: the index's. */
    model: string;
    query: string;
    k: number;
    mode: SearchMode;
    passages: RetrievedPassage[];
    /** Chunks the index holds. */
    chunks: number;
    /** Time to embed the query (inside the runtime) and in all. */
    embedMs: number;
    ms: number;
}

/** Indexes read by this process, with their store, until their manifest changes (a rebuild). */
const cache = new Map<string, { stamp: string; entry: Promise<{ index: RetrievalIndex; store: VectorStore }> }>();

/**
 * The `k` passages of an index nearest to a query: the query embedded by the index's own model through `embedder`,
 * searched in the index's store. Throws RetrievalIndexError for a missing or damaged index and
 * EmbeddingModelMismatchError when the model file changed since the index was built.
 */
export async function retrievePassages(request: RetrievalRequest): Promise<RetrievalOutcome> {
    const started = performance.now();
    const mode = request.mode ?? 'vector';
    const { index, store } = await openIndex(request.index);
    const { model } = index.manifest;
    const accept = request.documents === undefined ? undefined : acceptedChunks(index, request.documents, request.documentKeys);
    const bytes = await stat(model.path).then(s => s.size, () => undefined);
    if (bytes !== undefined && bytes !== model.bytes) {
        throw new EmbeddingModelMismatchError(index.folder, model.path, model.path, `the same path, but the file changed (${model.bytes} → ${bytes} bytes)`);
    }
    const embedded = await request.embedder.embed({ model: model.path, texts: [request.query] }, { signal: request.signal });
    if (embedded.dimensions !== model.dimensions) {
        throw new EmbeddingModelMismatchError(index.folder, model.path, embedded.model, `a model of ${embedded.dimensions} dimensions, not ${model.dimensions}`);
    }
    const hits = await store.search({ vector: embedded.vectors[0]!, text: request.query, k: request.k, mode, ...(accept ? { accept } : {}) });
    const passages = hits.map((hit, i) => {
        const chunk = index.chunks[hit.chunk]!;
        return {
            rank: i + 1, score: hit.score, file: index.manifest.files[chunk.file]!.path,
            startLine: chunk.startLine, endLine: chunk.endLine, text: chunk.text, chunk: hit.chunk,
        };
    });
    return {
        index: index.folder, model: model.path, query: request.query, k: request.k, mode, passages, chunks: index.manifest.chunks,
        embedMs: embedded.ms, ms: performance.now() - started,
    };
}

/** Which chunks `documents` lets a search return; undefined when it selects every file. */
function acceptedChunks(index: RetrievalIndex, documents: DocumentSelection, keys?: SelectionKeys): ((chunk: number) => boolean) | undefined {
    const matcher = compileDocumentSelection(documents, keys);
    const selected = index.manifest.files.map(file => matcher.selects(file.path));
    if (selected.every(Boolean)) return undefined;
    if (!selected.some(Boolean)) {
        const names = index.manifest.files.slice(0, 3).map(f => f.path).join(', ');
        throw new DocumentSelectionError(keys?.include ?? 'include',
            `${describeSelection(documents)} selects none of the ${index.manifest.files.length} files of the index ${index.folder} (${names}${index.manifest.files.length > 3 ? ', …' : ''})`,
            'Patterns are relative to the indexed folder: widen include or narrow exclude.');
    }
    return chunk => selected[index.chunks[chunk]!.file] === true;
}

async function openIndex(folderGiven: string): Promise<{ index: RetrievalIndex; store: VectorStore }> {
    const folder = resolve(folderGiven);
    const info = await stat(join(folder, indexFiles.manifest)).catch(() => undefined);
    const stamp = info === undefined ? 'none' : `${info.mtimeMs}:${info.size}:${info.ino}`;
    const cached = cache.get(folder);
    if (cached !== undefined && cached.stamp === stamp) return cached.entry;
    const entry = readRetrievalIndex(folder).then(index => ({ index, store: new OramaVectorStore(index) as VectorStore }));
    cache.set(folder, { stamp, entry });
    entry.catch(() => {
        if (cache.get(folder)?.entry === entry) cache.delete(folder);
    });
    return entry;
}
