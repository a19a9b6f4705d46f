import type { DecodingColumn } from '../../../shared/protocols/decodingLab';
import { columnTitle } from './columns';

/**
 * A column as JSON: its settings, the sequences with every token's id, text and log-probability, and for a beam column
 * the whole search tree (each step's kept, finished and pruned nodes: parent index into the previous step's kept
 * beams, token, its piece, cumulative log-probability and score), so the search can be replayed elsewhere.
 */
export function exportColumn(column: DecodingColumn, context: { title: string; model?: string; maxTokens: number }): string {
    return `${JSON.stringify({
        prompt: context.title,
        ...(context.model !== undefined ? { model: context.model } : {}),
        method: column.settings.method,
        title: columnTitle(column.settings),
        settings: column.settings,
        maxTokens: context.maxTokens,
        results: column.results ?? [],
        ...(column.tree !== undefined ? { tree: column.tree } : {}),
    }, null, 2)}\n`;
}

/** The file name offered for a column's export, beside the prompt. */
export function exportName(title: string, column: DecodingColumn): string {
    const stem = title.replace(/\.prompt$/, '').replace(/[^\w.-]+/g, '-') || 'decoding';
    const method = column.settings.method === 'beam' ? `beam-k${column.settings.beams}` : column.settings.method === 'sample' ? `sample-seed${column.settings.seed}` : 'greedy';
    return `${stem}.${method}.json`;
}
