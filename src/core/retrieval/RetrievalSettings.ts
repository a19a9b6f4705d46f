import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import { compileDocumentSelection, readGlobList, type SelectionKeys } from './compileDocumentSelection';
import type { DocumentSelection } from './DocumentSelection';
import { searchModes, type SearchMode } from './VectorStore';

/** The most passages one prompt retrieves: each is pasted into the prompt, and the context is finite. */
export const maxRetrievedPassages = 20;

/** `promptscope.retrieval`: passages of an index put into the prompt as `@retrieved`. */
export interface RetrievalSettings {
    /** The index folder (`promptscope index … --out`), relative to the prompt. */
    index: string;
    /** A Handlebars template over the prompt's input, e.g. `{{question}}`: the text passages are found for. */
    query: string;
    /** Passages, 1 to {@link maxRetrievedPassages}. Defaults to 3. */
    k?: number;
    /** `vector` (cosine of embeddings) or `hybrid` (blended with BM25 over the chunks' words). Defaults to `vector`. */
    mode?: SearchMode;
    /**
     * Only passages of the index's files these globs match (relative to the indexed folder), e.g. `docs/**\/*.md`.
     * Defaults to every file of the index.
     */
    include?: string[];
    /** Leaves out passages of the files (or folders) these globs match. Defaults to none. */
    exclude?: string[];
}

const keys = new Set(['index', 'query', 'k', 'mode', 'include', 'exclude']);

/** `promptscope.retrieval` checked: the settings, or what is wrong with them in words. */
export function readRetrievalSettings(value: unknown): RetrievalSettings | string {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return 'must be a mapping `{index, query, k?, mode?, include?, exclude?}`, e.g. `{index: .promptscope/index/docs, query: "{{question}}", k: 3}`.';
    }
    const raw = value as Record<string, unknown>;
    const unknown = Object.keys(raw).filter(k => !keys.has(k));
    if (unknown.length > 0) return `has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map(k => `\`${k}\``).join(', ')}; known: index, query, k, mode, include, exclude.`;
    if (typeof raw.index !== 'string' || raw.index.trim() === '') return 'needs `index`: the index folder written by `promptscope index`, relative to the prompt.';
    if (typeof raw.query !== 'string' || raw.query.trim() === '') return 'needs `query`: the text to find passages for, e.g. `"{{question}}"`.';
    if (raw.k !== undefined && !(typeof raw.k === 'number' && Number.isInteger(raw.k) && raw.k >= 1 && raw.k <= maxRetrievedPassages)) {
        return `\`k\` must be an integer from 1 to ${maxRetrievedPassages}; got ${JSON.stringify(raw.k)}.`;
    }
    if (raw.mode !== undefined && !searchModes.includes(raw.mode as SearchMode)) return `\`mode\` must be one of ${searchModes.join(', ')}; got ${JSON.stringify(raw.mode)}.`;
    let include: string[] | undefined;
    let exclude: string[] | undefined;
    try {
        include = readGlobList(raw.include, '`include`');
        exclude = readGlobList(raw.exclude, '`exclude`');
        if (include !== undefined || exclude !== undefined) compileDocumentSelection({ include: include ?? ['**'], exclude: exclude ?? [] }, { include: '`include`', exclude: '`exclude`' });
    } catch (error) {
        if (error instanceof DocumentSelectionError) return error.message;
        throw error;
    }
    return {
        index: raw.index, query: raw.query,
        ...(raw.k !== undefined ? { k: raw.k as number } : {}),
        ...(raw.mode !== undefined ? { mode: raw.mode as SearchMode } : {}),
        ...(include !== undefined ? { include } : {}),
        ...(exclude !== undefined ? { exclude } : {}),
    };
}

/** The front-matter keys a prompt's globs are reported under. */
export const retrievalDocumentKeys: SelectionKeys = { include: 'promptscope.retrieval.include', exclude: 'promptscope.retrieval.exclude' };

/** The files a prompt's passages may come from, or undefined for every file of the index (neither key given). */
export function retrievalDocuments(settings: Pick<RetrievalSettings, 'include' | 'exclude'>): DocumentSelection | undefined {
    if (settings.include === undefined && settings.exclude === undefined) return undefined;
    return { include: settings.include ?? ['**'], exclude: settings.exclude ?? [] };
}
