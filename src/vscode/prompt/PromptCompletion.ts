import * as vscode from 'vscode';
import { frontMatterCompletions } from '../../core/prompt';
import { promptDocumentOf, toRange } from './promptSource';

/** Front-matter keys (top level, `config`, `input`, `output`, `promptscope.*`) and enum values, from core. */
export class PromptCompletion implements vscode.CompletionItemProvider {
    /** `:` and space bring up the values of enum keys (`format: `) without a manual trigger. */
    static readonly triggerCharacters = [':', ' '];

    provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
        const found = frontMatterCompletions(promptDocumentOf(document), { line: position.line, character: position.character });
        if (found === undefined) return undefined;
        const replace = toRange(found.replace);
        return found.items.map(entry => {
            const item = new vscode.CompletionItem(entry.label,
                entry.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember);
            item.insertText = entry.insertText;
            item.range = replace;
            if (entry.detail !== undefined) item.detail = entry.detail;
            if (entry.documentation !== undefined) item.documentation = new vscode.MarkdownString(entry.documentation);
            return item;
        });
    }
}
