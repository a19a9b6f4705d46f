import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import {
    chainPartials, filePartials, noPartials, partialFilePath, PromptDocument, type PartialLookup, type TextRange,
} from '../../core/prompt';

/** The language id of `.prompt` files (package.json contributes it). */
export const promptLanguageId = 'dotprompt';

export function isPromptDocument(document: vscode.TextDocument): boolean {
    return document.languageId === promptLanguageId;
}

/** The editor's text of `document` (unsaved changes included) as a core PromptDocument, with its file path when it has one. */
export function promptDocumentOf(document: vscode.TextDocument): PromptDocument {
    return PromptDocument.fromText(document.getText(), document.uri.scheme === 'file' ? document.uri.fsPath : undefined);
}

/**
 * Partials for `document`: `_name.prompt` beside it, read from an open editor first (so an unsaved change
 * to a partial shows up at once), else from disk. Untitled prompts have no folder and no partials.
 */
export function partialsFor(document: vscode.TextDocument): PartialLookup {
    if (document.uri.scheme !== 'file') return noPartials;
    const folder = dirname(document.uri.fsPath);
    const openEditors: PartialLookup = name => {
        const path = partialFilePath(folder, name);
        if (path === undefined) return undefined;
        const open = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'file' && d.uri.fsPath === path);
        return open === undefined ? undefined : { name, text: open.getText().replace(/^\uFEFF/, ''), path };
    };
    return chainPartials(openEditors, filePartials(document.uri.fsPath));
}

/** Whether `document` is a partial (`_name.prompt`), whose changes affect the prompts beside it. */
export function isPartialDocument(document: vscode.TextDocument): boolean {
    return isPromptDocument(document) && basename(document.uri.path).startsWith('_');
}

/** The file name shown in messages. */
export function promptName(uri: vscode.Uri): string {
    return basename(uri.path);
}

export function toRange(range: TextRange): vscode.Range {
    return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
