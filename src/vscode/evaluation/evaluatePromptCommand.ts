import * as vscode from 'vscode';
import type { CommandFactory } from '../commands';
import { PromptEvaluations, type EvaluateOptions } from './PromptEvaluations';

/**
 * `promptscope.evaluatePrompt`: from the palette (the active editor's prompt), or with a prompt (URI or path) and
 * {@link EvaluateOptions} from other features and tests, which skips the dialogs for what they give. Resolves with the
 * results panel once the evaluation ended, `undefined` when nothing ran.
 */
export const evaluatePromptCommand: CommandFactory = ctx => {
    const evaluations = ctx.own(new PromptEvaluations({ models: ctx.models, config: ctx.config, log: ctx.log, extensionUri: ctx.extension.extensionUri, backends: ctx.backends }));
    return (arg?: unknown, options?: unknown) => evaluations.evaluate(promptUri(arg), isOptions(options) ? options : {});
};

function promptUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg !== '') return /^[a-z][\w+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    return undefined;
}

function isOptions(value: unknown): value is EvaluateOptions {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
