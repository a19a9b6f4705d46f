/**
 * The `promptscope.retrieval.*` settings as typed values. Free of `vscode` so unit tests can run it; Config.ts feeds
 * it from `workspace.getConfiguration`.
 */
import { compileDocumentSelection, defaultExclude, defaultInclude, readGlobList, type DocumentSelection, type SelectionKeys } from '../../core/retrieval';
import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import type { SettingReader } from '../modelSettings';

/** The settings' names, as errors about them say them. */
export const retrievalSettingKeys: SelectionKeys = { include: 'promptscope.retrieval.include', exclude: 'promptscope.retrieval.exclude' };

export type RetrievalSelectionSetting = { selection: DocumentSelection; problem?: undefined } | { selection?: undefined; problem: string };

/** `promptscope.retrieval.include` / `.exclude` checked: the selection, or what is wrong (the setting named, and the fix). */
export function readRetrievalSelection(get: SettingReader): RetrievalSelectionSetting {
    try {
        const selection = {
            include: readGlobList(get('retrieval.include'), retrievalSettingKeys.include) ?? [...defaultInclude],
            exclude: readGlobList(get('retrieval.exclude'), retrievalSettingKeys.exclude) ?? [...defaultExclude],
        };
        compileDocumentSelection(selection, retrievalSettingKeys);
        return { selection };
    } catch (error) {
        if (error instanceof DocumentSelectionError) return { problem: error.message };
        throw error;
    }
}
