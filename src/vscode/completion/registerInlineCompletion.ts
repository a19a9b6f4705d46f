import * as vscode from 'vscode';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import { CompletionSpinner } from './CompletionSpinner';
import { PromptInlineCompletionProvider } from './PromptInlineCompletionProvider';

/** Registers ghost-text completion for `.prompt` files and its status bar spinner; disposing removes both. */
export function registerInlineCompletion(models: ModelService, config: Config, log: vscode.LogOutputChannel): vscode.Disposable {
    const spinner = new CompletionSpinner();
    const provider = new PromptInlineCompletionProvider({ models, config, log, spinner });
    const registration = vscode.languages.registerInlineCompletionItemProvider({ language: 'dotprompt' }, provider);
    return vscode.Disposable.from(registration, spinner);
}
