// Retrieval: documents chunked, embedded through the runtime, stored in a workspace folder, searched for a prompt.
export { chunkText, defaultChunkOverlap, defaultChunkSize, type ChunkOptions, type TextChunk } from './chunkText';
export { bruteForceSearch, type VectorHit } from './bruteForceSearch';
export { unitVector } from './unitVector';
export type { Embedder } from './Embedder';
export { defaultIndexFolder, indexFiles, indexFormatVersion, type IndexedChunk, type IndexedFile, type IndexManifest, type IndexModel } from './indexFormat';
export type { RetrievalIndex } from './RetrievalIndex';
export { readIndexManifest, readRetrievalIndex } from './readRetrievalIndex';
export { writeRetrievalIndex } from './writeRetrievalIndex';
export { listDocuments, type DocumentListing } from './listDocuments';
export {
    defaultDocumentSelection, defaultExclude, defaultInclude, describeSelection, legacyDocumentSelection, selectionFromExtensions, type DocumentSelection,
} from './DocumentSelection';
export { compileDocumentSelection, readGlobList, skippedFolders, type DocumentMatcher, type SelectionKeys } from './compileDocumentSelection';
export { changeConcernsIndex, type ChangeKind, type WatchedDocuments } from './changeConcernsIndex';
export { buildRetrievalIndex, type BuildIndexOptions, type BuildIndexResult, type IndexProgress } from './buildRetrievalIndex';
export { searchModes, type SearchMode, type VectorStore } from './VectorStore';
export { OramaVectorStore } from './OramaVectorStore';
export { retrievePassages, type RetrievalOutcome, type RetrievalRequest, type RetrievedPassage } from './retrievePassages';
export { maxRetrievedPassages, readRetrievalSettings, retrievalDocumentKeys, retrievalDocuments, type RetrievalSettings } from './RetrievalSettings';
export { formatScore } from './formatScore';
export { formatRetrieval } from './formatRetrieval';
