import { dirname, isAbsolute, resolve } from 'node:path';
import Handlebars from 'handlebars/dist/cjs/handlebars.js';
import type { Embedder } from '../retrieval/Embedder';
import { retrievePassages, type RetrievalOutcome } from '../retrieval/retrievePassages';
import { retrievalDocumentKeys, retrievalDocuments, type RetrievalSettings } from '../retrieval/RetrievalSettings';
import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import { PromptConfigError } from './errors/PromptConfigError';
import { RetrievalUnavailableError } from './errors/RetrievalUnavailableError';
import type { PromptDocument } from './PromptDocument';

/** Passages a prompt gets when it names none of `k`. */
export const defaultRetrievedPassages = 3;

/**
 * `promptscope.retrieval` of a prompt carried out: its query rendered with the input (Handlebars, as the template
 * is, without HTML escaping), the index resolved against the prompt's folder, the passages retrieved through
 * `embedder`. An empty query is a PromptConfigError at the key; no embedder (a caller without a runtime) a
 * {@link RetrievalUnavailableError}.
 */
export async function retrieveForPrompt(
    doc: PromptDocument,
    settings: RetrievalSettings,
    input: Record<string, unknown>,
    options: { embedder?: Embedder; signal?: AbortSignal },
): Promise<RetrievalOutcome> {
    const location = { path: doc.path, range: doc.closestRange(['promptscope.retrieval']) };
    if (options.embedder === undefined) throw new RetrievalUnavailableError(location);
    let query: string;
    try {
        query = Handlebars.compile(settings.query, { noEscape: true })(input);
    } catch (error) {
        throw new PromptConfigError('promptscope.retrieval.query', `\`promptscope.retrieval.query\` does not render: ${(error as Error).message}`, location);
    }
    if (query.trim() === '') {
        throw new PromptConfigError('promptscope.retrieval.query',
            `\`promptscope.retrieval.query\` (${JSON.stringify(settings.query)}) renders empty with this input: give the variables it uses.`, location);
    }
    const folder = doc.path === undefined ? undefined : dirname(doc.path);
    const index = folder === undefined || isAbsolute(settings.index) ? resolve(settings.index) : resolve(folder, settings.index);
    const documents = retrievalDocuments(settings);
    try {
        return await retrievePassages({
            index, query, k: settings.k ?? defaultRetrievedPassages, embedder: options.embedder,
            ...(settings.mode ? { mode: settings.mode } : {}), ...(options.signal ? { signal: options.signal } : {}),
            ...(documents ? { documents, documentKeys: retrievalDocumentKeys } : {}),
        });
    } catch (error) {
        // Shown at the front-matter key, as a bad query is: the prompt's globs are what to fix.
        if (error instanceof DocumentSelectionError) throw new PromptConfigError(error.key, error.message, location);
        throw error;
    }
}
