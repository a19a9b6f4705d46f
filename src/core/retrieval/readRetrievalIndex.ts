import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RetrievalIndexError } from '../../shared/errors/RetrievalIndexError';
import { readBoundedText } from '../files/readBoundedText';
import { readBoundedBytes } from './readBoundedBytes';
import { indexFiles, indexFormatVersion, type IndexedChunk, type IndexManifest } from './indexFormat';
import type { RetrievalIndex } from './RetrievalIndex';

const rebuild = 'Build it again: promptscope index DIR --model M --out INDEX --rebuild.';

/**
 * Reads an index folder written by {@link writeRetrievalIndex}, checking that its parts agree (format version,
 * chunk count, vector bytes); throws a {@link RetrievalIndexError} naming the folder, what is wrong and the fix.
 * Returns undefined when the folder holds no manifest and `optional` is set (a first build).
 */
export async function readRetrievalIndex(folder: string, options: { optional: true }): Promise<RetrievalIndex | undefined>;
export async function readRetrievalIndex(folder: string, options?: { optional?: false }): Promise<RetrievalIndex>;
export async function readRetrievalIndex(folderGiven: string, options: { optional?: boolean } = {}): Promise<RetrievalIndex | undefined> {
    const folder = resolve(folderGiven);
    const fail = (problem: string, fix = rebuild) => new RetrievalIndexError(folder, problem, fix);
    const manifest = options.optional ? await readIndexManifest(folder, { optional: true }) : await readIndexManifest(folder);
    if (manifest === undefined) return undefined;
    const { model } = manifest;
    const chunks = parseJson(await readBoundedText(join(folder, indexFiles.chunks), 'index'), indexFiles.chunks, fail) as IndexedChunk[];
    if (!Array.isArray(chunks) || chunks.length !== manifest.chunks) {
        throw fail(`${indexFiles.chunks} holds ${Array.isArray(chunks) ? chunks.length : 'no list of'} chunks; the manifest promises ${manifest.chunks}`);
    }
    const expectedBytes = manifest.chunks * model.dimensions * 4;
    let bytes: Uint8Array;
    try {
        bytes = await readBoundedBytes(join(folder, indexFiles.vectors), expectedBytes);
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fail(`${indexFiles.vectors} is missing`);
        throw error;
    }
    if (bytes.byteLength !== expectedBytes) {
        throw fail(`${indexFiles.vectors} holds ${bytes.byteLength} bytes; ${manifest.chunks} chunks of ${model.dimensions} dimensions need ${expectedBytes}`);
    }
    // Copied into an aligned buffer: a Buffer's bytes may start at any offset of its pool.
    const vectors = new Float32Array(manifest.chunks * model.dimensions);
    new Uint8Array(vectors.buffer).set(bytes);
    return { folder, manifest, chunks, vectors };
}

/**
 * The manifest of an index folder alone, checked as {@link readRetrievalIndex} checks it: what a caller needs to
 * know what an index holds (the editor's watcher) without reading its chunks and vectors.
 */
export async function readIndexManifest(folder: string, options: { optional: true }): Promise<IndexManifest | undefined>;
export async function readIndexManifest(folder: string, options?: { optional?: false }): Promise<IndexManifest>;
export async function readIndexManifest(folderGiven: string, options: { optional?: boolean } = {}): Promise<IndexManifest | undefined> {
    const folder = resolve(folderGiven);
    const fail = (problem: string, fix = rebuild) => new RetrievalIndexError(folder, problem, fix);
    let manifestText: string;
    try {
        manifestText = await readBoundedText(join(folder, indexFiles.manifest), 'index');
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
            if (options.optional) return undefined;
            const exists = await stat(folder).then(s => s.isDirectory(), () => false);
            throw fail(exists ? `it holds no ${indexFiles.manifest} (no index was finished there)` : 'the folder does not exist',
                'Build it first: promptscope index DIR --model M --out INDEX (or Promptscope: Index Folder for Retrieval… in the editor).');
        }
        throw error;
    }
    const manifest = parseJson(manifestText, indexFiles.manifest, fail) as IndexManifest;
    if (manifest === null || typeof manifest !== 'object' || manifest.format !== indexFormatVersion) {
        throw fail(`${indexFiles.manifest} is of format ${JSON.stringify((manifest as { format?: unknown } | null)?.format)}; this version reads format ${indexFormatVersion}`);
    }
    const { model } = manifest;
    if (!Number.isInteger(manifest.chunks) || manifest.chunks < 0 || !Array.isArray(manifest.files)
        || typeof model?.path !== 'string' || !Number.isInteger(model.dimensions) || model.dimensions < 1) {
        throw fail(`${indexFiles.manifest} lacks its model, files or chunk count`);
    }
    const { selection } = manifest;
    if (selection !== undefined && !(Array.isArray(selection?.include) && Array.isArray(selection.exclude)
        && [...selection.include, ...selection.exclude].every(p => typeof p === 'string'))) {
        throw fail(`${indexFiles.manifest} has a selection that is not {include: [globs], exclude: [globs]}`);
    }
    return manifest;
}

function parseJson(text: string, file: string, fail: (problem: string) => Error): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        throw fail(`${file} is not valid JSON (${(error as Error).message})`);
    }
}
