import * as vscode from 'vscode';
import type { CommandFactory } from '../commands';
import { FolderIndexer, type IndexFolderOptions } from './FolderIndexer';

/**
 * `promptscope.indexFolder`: from the palette (a folder dialog), the Explorer's context menu on a folder (its URI), or
 * tests (a URI or path, and {@link IndexFolderOptions}). Resolves with how it ended, `undefined` when nothing ran.
 */
export const indexFolderCommand: CommandFactory = ctx => {
    const indexer = new FolderIndexer({ models: ctx.models, config: ctx.config, watchers: ctx.indexWatchers, log: ctx.log });
    return (folder?: unknown, options?: unknown) => indexer.index(
        folder instanceof vscode.Uri ? folder : typeof folder === 'string' && folder !== '' ? vscode.Uri.file(folder) : undefined,
        typeof options === 'object' && options !== null ? options as IndexFolderOptions : {},
    );
};
