import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CancelledError } from '../../shared/errors/CancelledError';
import { EmbeddingModelMismatchError } from '../../shared/errors/EmbeddingModelMismatchError';
import { NoDocumentsError } from '../../shared/errors/NoDocumentsError';
import { readBoundedText } from '../files/readBoundedText';
import { chunkText, defaultChunkOverlap, defaultChunkSize } from './chunkText';
import type { Embedder } from './Embedder';
import { indexFormatVersion, type IndexedChunk, type IndexedFile, type IndexManifest, type IndexModel } from './indexFormat';
import { compileDocumentSelection, type SelectionKeys } from './compileDocumentSelection';
import { defaultDocumentSelection, type DocumentSelection } from './DocumentSelection';
import { listDocuments } from './listDocuments';
import { readRetrievalIndex } from './readRetrievalIndex';
import { unitVector } from './unitVector';
import { writeRetrievalIndex } from './writeRetrievalIndex';

export interface BuildIndexOptions {
    /** The folder of documents to index. */
    folder: string;
    /** The index folder to write (created when missing). */
    out: string;
    /** The folder nothing may be written outside of (the workspace); `out` must be inside it. */
    root: string;
    /** The embedding model: a GGUF file path. */
    model: string;
    embedder: Embedder;
    /** Most characters per chunk. Defaults to 1000. */
    chunkSize?: number;
    /** Characters shared by consecutive chunks. Defaults to 150. */
    chunkOverlap?: number;
    /**
     * The documents: globs relative to `folder`, recorded in the manifest so that an update (the editor's watcher)
     * selects the same files. Defaults to {@link defaultDocumentSelection} (markdown, text and source files, build
     * outputs left out).
     */
    selection?: DocumentSelection;
    /** Names of the include and exclude lists in errors about them (a flag, a setting). Defaults to `include` and `exclude`. */
    selectionKeys?: SelectionKeys;
    /** Ignore an existing index at `out` (another model's, another chunking's) and build anew. Defaults to false. */
    rebuild?: boolean;
    /** Chunks embedded per runtime request: progress and cancellation act between requests. Defaults to 16. */
    batchSize?: number;
    /** CPU threads of the embedding context. Defaults to the runtime's default. */
    threads?: number;
    signal?: AbortSignal;
    onProgress?: (progress: IndexProgress) => void;
}

export interface IndexProgress {
    phase: 'read' | 'embed' | 'write';
    /** Files read so far, of `files`. */
    filesDone: number;
    files: number;
    /** Chunks embedded so far, of `toEmbed` (chunks of unchanged files are reused, not embedded). */
    embedded: number;
    toEmbed: number;
}

export interface BuildIndexResult {
    manifest: IndexManifest;
    /** Absolute path of the index folder. */
    folder: string;
    /** Files whose chunks were embedded now, and those whose vectors came from the previous index unchanged. */
    embeddedFiles: number;
    reusedFiles: number;
    embeddedChunks: number;
    /** Files the selection leaves out, symbolic links, and files deleted while the build ran: not indexed. */
    skipped: number;
    /** Time spent embedding (inside the runtime) and in all. */
    embedMs: number;
    ms: number;
}

/**
 * Builds or updates a retrieval index of the documents of a folder that `selection` picks: each read (as text, UTF-8, within
 * the document size limit: a bad file fails the build naming it), chunked with overlap ({@link chunkText}), embedded
 * through `embedder` in batches, stored as unit vectors. An existing index at `out` built with the same model and
 * chunking is updated incrementally: files whose text is unchanged keep their vectors. One built with another model
 * is an {@link EmbeddingModelMismatchError} unless `rebuild`. Throws {@link NoDocumentsError} for a folder without
 * documents and CancelledError when `signal` aborts (the previous index, if any, is left as it was).
 */
export async function buildRetrievalIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
    const started = performance.now();
    const folder = resolve(options.folder);
    const out = resolve(options.out);
    const chunking = { size: options.chunkSize ?? defaultChunkSize, overlap: options.chunkOverlap ?? defaultChunkOverlap };
    const selection: DocumentSelection = { include: [...(options.selection ?? defaultDocumentSelection).include], exclude: [...(options.selection ?? defaultDocumentSelection).exclude] };
    // Checked before the model is looked at: a bad pattern is the user's to fix whatever else is wrong.
    const matcher = compileDocumentSelection(selection, options.selectionKeys);
    const batchSize = options.batchSize ?? 16;
    const checkCancelled = () => {
        if (options.signal?.aborted) throw new CancelledError('indexing');
    };
    // Checked up front: chunkText would refuse a bad size only after the first file was read.
    chunkText('', chunking);

    const modelPath = resolve(options.model);
    const modelBytes = await stat(modelPath).then(s => s.size, () => undefined);
    const previous = options.rebuild ? undefined : await readRetrievalIndex(out, { optional: true });
    if (previous !== undefined) {
        const reason = previous.manifest.model.path !== modelPath ? 'another file'
            : modelBytes !== undefined && modelBytes !== previous.manifest.model.bytes ? `the same file changed (${previous.manifest.model.bytes} → ${modelBytes} bytes)` : undefined;
        if (reason !== undefined) throw new EmbeddingModelMismatchError(out, previous.manifest.model.path, modelPath, reason);
    }
    const sameChunking = previous !== undefined && previous.manifest.chunking.size === chunking.size && previous.manifest.chunking.overlap === chunking.overlap;

    const listing = await listDocuments(folder, matcher);
    const progress: IndexProgress = { phase: 'read', filesDone: 0, files: listing.files.length, embedded: 0, toEmbed: 0 };
    const report = () => options.onProgress?.({ ...progress });
    report();

    interface Pending { file: IndexedFile; chunks: IndexedChunk[]; reused?: Float32Array }
    const pending: Pending[] = [];
    let vanished = 0;
    for (const [i, path] of listing.files.entries()) {
        checkCancelled();
        let text: string;
        try {
            text = await readBoundedText(path, 'document');
        } catch (error) {
            // Deleted since the folder was listed (an editor saving by rename, a watcher's update racing a delete):
            // the index is of the files there now.
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            vanished++;
            continue;
        } finally {
            progress.filesDone++;
        }
        const chunks = chunkText(text, chunking);
        if (chunks.length === 0) continue;
        const relativePath = listing.relativePaths[i]!;
        const sha256 = createHash('sha256').update(text).digest('hex');
        const file: IndexedFile = { path: relativePath, sha256, first: 0, count: chunks.length };
        const fileIndex = pending.length;
        const old = sameChunking ? previous!.manifest.files.find(f => f.path === relativePath && f.sha256 === sha256) : undefined;
        const dimensions = previous?.manifest.model.dimensions ?? 0;
        pending.push({
            file,
            chunks: chunks.map(c => ({ ...c, file: fileIndex })),
            ...(old !== undefined ? { reused: previous!.vectors.slice(old.first * dimensions, (old.first + old.count) * dimensions) } : {}),
        });
        if (old === undefined) progress.toEmbed += chunks.length;
        report();
    }
    if (pending.length === 0) throw new NoDocumentsError(folder, selection, listing.skipped + vanished);

    progress.phase = 'embed';
    report();
    let model: IndexModel | undefined = previous?.manifest.model;
    let embedMs = 0;
    const fresh = new Map<Pending, Float32Array[]>();
    const queue = pending.filter(p => p.reused === undefined).flatMap(p => p.chunks.map(chunk => ({ owner: p, chunk })));
    for (let i = 0; i < queue.length; i += batchSize) {
        checkCancelled();
        const batch = queue.slice(i, i + batchSize);
        const result = await options.embedder.embed(
            { model: modelPath, texts: batch.map(b => b.chunk.text), ...(options.threads !== undefined ? { threads: options.threads } : {}) },
            { signal: options.signal },
        );
        embedMs += result.ms;
        if (model === undefined) {
            model = { path: result.model, name: result.modelName, bytes: result.modelBytes, dimensions: result.dimensions };
        } else if (result.dimensions !== model.dimensions) {
            throw new EmbeddingModelMismatchError(out, model.path, result.model, `a model of ${result.dimensions} dimensions, not ${model.dimensions}`);
        }
        batch.forEach((b, j) => {
            const list = fresh.get(b.owner) ?? [];
            list.push(unitVector(result.vectors[j]!));
            fresh.set(b.owner, list);
        });
        progress.embedded += batch.length;
        report();
    }
    checkCancelled();
    if (model === undefined) throw new Error('unreachable: an index with documents has a model');

    progress.phase = 'write';
    report();
    const chunks: IndexedChunk[] = [];
    const vectors = new Float32Array(pending.reduce((n, p) => n + p.chunks.length, 0) * model.dimensions);
    const files: IndexedFile[] = [];
    for (const p of pending) {
        const first = chunks.length;
        files.push({ ...p.file, first });
        const fileIndex = files.length - 1;
        for (const [j, chunk] of p.chunks.entries()) {
            vectors.set(p.reused ? p.reused.subarray(j * model.dimensions, (j + 1) * model.dimensions) : fresh.get(p)![j]!, (first + j) * model.dimensions);
            chunks.push({ ...chunk, file: fileIndex });
        }
    }
    const manifest: IndexManifest = {
        format: indexFormatVersion, model, folder, selection, chunking, files, chunks: chunks.length, built: new Date().toISOString(),
    };
    writeRetrievalIndex(out, options.root, manifest, chunks, vectors);
    const reusedFiles = pending.filter(p => p.reused !== undefined).length;
    return {
        manifest, folder: out, embeddedFiles: pending.length - reusedFiles, reusedFiles, embeddedChunks: progress.embedded,
        skipped: listing.skipped + vanished, embedMs, ms: performance.now() - started,
    };
}
