import type { RetrievalOutcome } from './retrievePassages';
import { formatScore } from './formatScore';

/** Characters of a passage shown on its line: enough to recognise it. */
const previewCharacters = 70;

/**
 * What retrieval put into a prompt, for a terminal: the query, the index and its model, then one line per passage
 * with its rank, score (cosine similarity in `vector` mode), file:lines and its first words.
 */
export function formatRetrieval(retrieval: RetrievalOutcome): string {
    const header = `Retrieved ${retrieval.passages.length} of ${retrieval.chunks} chunks from ${retrieval.index} (${retrieval.mode === 'vector' ? 'cosine similarity' : 'hybrid score'}, `
        + `model ${retrieval.model}) for ${JSON.stringify(retrieval.query)}:\n`;
    const lines = retrieval.passages.map(p => {
        const preview = p.text.replace(/\s+/g, ' ');
        const text = preview.length > previewCharacters ? `${preview.slice(0, previewCharacters - 1)}…` : preview;
        const where = p.startLine === p.endLine ? `${p.file}:${p.startLine}` : `${p.file}:${p.startLine}-${p.endLine}`;
        return `  ${p.rank}. ${formatScore(p.score)}  ${where}  ${text}\n`;
    });
    return header + lines.join('');
}
