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

/**
 * The `.prompt` a command without a target acts on: the active editor's, else the one `.prompt` editor in view. Focus
 * is often elsewhere when such a command runs (the walkthrough, a panel, the run's output beside the prompt), and with
 * a single prompt in view there is no doubt which one the user means; with several and none active, undefined.
 */
export function activePromptDocument(): vscode.TextDocument | undefined {
    const active = vscode.window.activeTextEditor?.document;
    if (active !== undefined && isPromptDocument(active)) return active;
    const visible = new Set(vscode.window.visibleTextEditors.map(editor => editor.document).filter(isPromptDocument));
    return visible.size === 1 ? [...visible][0] : undefined;
}

/** The editor's text of `document` (unsaved changes included) as a core PromptDocument, with its file path when it has one. */
export function promptDocumentOf(document: vscode.TextDocument): PromptDocument {
    return PromptDocument.fromText(document.getText(), document.uri.scheme === 'file' ? document.uri.fsPath : undefined);
}

/**
 * Partials for `document`: `_name.prompt` beside it, read from an open editor first (so an unsaved change
 * to a partial shows up at once), else from disk, asynchronously and bounded (core filePartials): a partial that
 * links to `/dev/zero` or a FIFO becomes a diagnostic naming it, never a frozen extension host. Untitled prompts
 * have no folder and no partials.
 */
export function partialsFor(document: vscode.TextDocument): PartialLookup {
    if (document.uri.scheme !== 'file') return noPartials;
    const folder = dirname(document.uri.fsPath);
    const openEditors: PartialLookup = name => {
        const path = partialFilePath(folder, name);
        if (path === undefined) return Promise.resolve(undefined);
        const open = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'file' && d.uri.fsPath === path);
        return Promise.resolve(open === undefined ? undefined : { name, text: open.getText().replace(/^\uFEFF/, ''), path });
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
