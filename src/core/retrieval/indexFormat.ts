import type { TextChunk } from './chunkText';
import type { DocumentSelection } from './DocumentSelection';

/** Version of the files below; an index of another version is refused with the fix (rebuild it). */
export const indexFormatVersion = 1;

/** The files of an index folder: the manifest is written last, so an index without one was never finished. */
export const indexFiles = { manifest: 'manifest.json', chunks: 'chunks.json', vectors: 'vectors.f32' } as const;

/** Where `promptscope index` writes an index when `--out` is not given: inside the workspace, beside its other state. */
export const defaultIndexFolder = '.promptscope/index';

/** The embedding model an index was built with: a query must be embedded by the same file. */
export interface IndexModel {
    /** Absolute path of the GGUF file. */
    path: string;
    name: string;
    /** File size in bytes: a file replaced under the same name is caught by it. */
    bytes: number;
    dimensions: number;
}

/** One indexed document. */
export interface IndexedFile {
    /** Relative to the indexed folder, with `/` separators. */
    path: string;
    /** sha256 of the file's text: an unchanged file keeps its vectors when the index is updated. */
    sha256: string;
    /** Its chunks are `chunks[first … first + count - 1]` of the index. */
    first: number;
    count: number;
}

export interface IndexManifest {
    format: typeof indexFormatVersion;
    model: IndexModel;
    /** Absolute path of the indexed folder. */
    folder: string;
    /**
     * The globs that picked the documents, relative to `folder`; absent in an index built before they were recorded
     * (it held `.md`, `.markdown` and `.txt` files: see legacyDocumentSelection).
     */
    selection?: DocumentSelection;
    chunking: { size: number; overlap: number };
    files: IndexedFile[];
    /** Chunks in all: rows of vectors.f32. */
    chunks: number;
    /** ISO time of the build. */
    built: string;
}

/** A chunk as stored: the chunk and the file it came from (an index into `files`). */
export interface IndexedChunk extends TextChunk {
    file: number;
}
