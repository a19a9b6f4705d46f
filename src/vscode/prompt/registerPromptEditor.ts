import * as vscode from 'vscode';
import type { ModelService } from '../ModelService';
import { PromptCodeLens } from './PromptCodeLens';
import { PromptCompletion } from './PromptCompletion';
import { PromptDiagnostics } from './PromptDiagnostics';
import { PromptHover } from './PromptHover';
import type { PromptInputs } from './PromptInputs';
import { promptLanguageId } from './promptSource';
import { PromptTokenCount } from './PromptTokenCount';

export interface PromptEditorServices {
    models: ModelService;
    inputs: PromptInputs;
    log: vscode.LogOutputChannel;
}

/** The `.prompt` editor features (diagnostics, completion, hover, CodeLens, token count); each is cheap until a prompt is open. */
export function registerPromptEditor({ models, inputs, log }: PromptEditorServices): vscode.Disposable[] {
    const selector: vscode.DocumentSelector = { language: promptLanguageId };
    return [
        new PromptDiagnostics(log),
        vscode.languages.registerCompletionItemProvider(selector, new PromptCompletion(), ...PromptCompletion.triggerCharacters),
        vscode.languages.registerHoverProvider(selector, new PromptHover()),
        vscode.languages.registerCodeLensProvider(selector, new PromptCodeLens()),
        new PromptTokenCount(models, inputs, log),
    ];
}
