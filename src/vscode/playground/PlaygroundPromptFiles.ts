import * as vscode from 'vscode';
import { writeProjectFile } from '../../core/files';
import { PromptDocument } from '../../core/prompt/PromptDocument';
import { preparePrompt } from '../../core/prompt/preparePrompt';
import { writePromptFile } from '../../core/prompt/promptFile';
import type { SamplingOptions } from '../../shared/sampling';
import { buildRequest } from '../../core/panels/playground/buildRequest';
import type { PlaygroundForm } from '../../shared/protocols/playground';
import { declinedNotice, errorText, workspaceFolder, type PlaygroundContext } from './PlaygroundContext';
import type { PlaygroundForms } from './PlaygroundForms';
import type { PlaygroundRunner } from './PlaygroundRunner';

/** Save as .prompt and Open .prompt…: the form as a Dotprompt file, and a Dotprompt file as the form. */
export class PlaygroundPromptFiles {
    constructor(private readonly context: PlaygroundContext, private readonly forms: PlaygroundForms, private readonly runner: PlaygroundRunner) {}

    /**
     * Save as .prompt: a Dotprompt file reproducing the form's run (an unlocked seed becomes the last run's seed).
     * Without `target`, a save dialog asks. Returns the file written, or undefined (cancelled, or why it failed in the notice).
     */
    async save(form: PlaygroundForm, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const model = this.context.options.models.model;
        const built = buildRequest(form, model?.path);
        if (!built.ok) return this.context.setNotice(`Cannot save: ${built.errors.map(e => e.message).join(' ')}`);
        const run = built.run;
        if (run.mode === 'raw') return this.context.setNotice('Cannot save a raw completion as .prompt: a Dotprompt file is chat turns. Turn Raw completion off first.');
        const sampling: SamplingOptions = { ...run.sampling };
        const lastRunSeed = this.runner.lastRunSeed;
        if (sampling.seed === undefined && lastRunSeed !== undefined) sampling.seed = lastRunSeed;
        let text: string;
        try {
            text = writePromptFile({
                messages: run.messages, sampling, lora: run.lora ?? model?.lora,
                comment: `Saved from the Promptscope playground${model !== undefined ? `\nmodel: ${model.name} (${model.path})` : ''}`,
            });
        } catch (error) {
            return this.context.setNotice(`Cannot save: ${errorText(error)}`);
        }
        const uri = target ?? await vscode.window.showSaveDialog({
            filters: { Dotprompt: ['prompt'] }, saveLabel: 'Save as .prompt',
            ...(workspaceFolder() !== undefined ? { defaultUri: vscode.Uri.file(`${workspaceFolder()}/playground.prompt`) } : {}),
        });
        if (uri === undefined) return undefined;
        try {
            // Never through a link or into a FIFO (which would wait for a reader forever): see core/files.
            writeProjectFile(uri.fsPath, text);
        } catch (error) {
            return this.context.setNotice(`Cannot save: ${errorText(error)}`);
        }
        this.context.setNotice(`Saved ${uri.fsPath}`);
        return uri;
    }

    /**
     * Open as .prompt: a Dotprompt file (prepared by core preparePrompt, without inputs) into the form. Without
     * `source`, an open dialog asks. Returns the opened form, or undefined (the reason is in the notice).
     */
    async open(source?: vscode.Uri): Promise<PlaygroundForm | undefined> {
        const uri = source ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Dotprompt: ['prompt'] }, openLabel: 'Open in playground' }))?.[0];
        if (uri === undefined) return undefined;
        try {
            // A prompt with promptscope.retrieval gets its passages as Run would; one whose query needs inputs is refused
            // saying so (the playground opens a prompt without inputs).
            const prepared = await preparePrompt({ path: uri.fsPath }, { embedder: this.context.options.models.client });
            const warnings = prepared.warnings.length === 0 ? '' : ` (${prepared.warnings.map(w => `line ${w.range.start.line + 1}: ${w.message}`).join('; ')})`;
            // Adapters the file names go through Workspace Trust; declined, the form runs without them and says so.
            const { allowed: lora, declined } = await this.context.options.trust.adaptersFrom(prepared.lora, uri);
            return this.forms.load({ messages: prepared.messages, sampling: prepared.sampling, lora }, `Opened ${uri.fsPath}${warnings}${declinedNotice(declined)}`);
        } catch (error) {
            return this.context.setNotice(`Cannot open ${uri.fsPath}: ${errorText(error)}`);
        }
    }
}
