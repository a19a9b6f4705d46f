import * as vscode from 'vscode';
import { frontMatterHover } from '../../core/prompt';
import { promptDocumentOf, toRange } from './promptSource';

/** Documentation of the front-matter key under the pointer (config keys with their range and default), from core. */
export class PromptHover implements vscode.HoverProvider {
    provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
        const found = frontMatterHover(promptDocumentOf(document), { line: position.line, character: position.character });
        return found === undefined ? undefined : new vscode.Hover(new vscode.MarkdownString(found.markdown), toRange(found.range));
    }
}
