import * as vscode from 'vscode';
import { EmbeddingError, EmbeddingModelMismatchError, RetrievalIndexError } from '../../shared/errors';
import { inputFields, preparePrompt, PromptError } from '../../core/prompt';
import { CommandId, promptTokensItemId } from '../commandIds';
import type { ModelService } from '../ModelService';
import { Debouncer } from './Debouncer';
import type { PromptInputs } from './PromptInputs';
import { isPromptDocument, partialsFor, promptDocumentOf, promptName } from './promptSource';

/** Counting needs the runtime, so it waits longer for typing to pause than diagnostics do. */
const typingPauseMs = 500;

/**
 * The token count of the active `.prompt` file's rendered messages, in the status bar. Counted only with a
 * model already loaded: loading one (seconds, gigabytes) just for a number would be a bad surprise.
 */
export class PromptTokenCount implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem(promptTokensItemId, vscode.StatusBarAlignment.Right, 99);
    private readonly debouncer = new Debouncer<'count'>(typingPauseMs);
    private readonly subscriptions: vscode.Disposable[];
    /** Bumped per count, so a slow count never shows over a newer one. */
    private generation = 0;

    constructor(private readonly models: ModelService, private readonly inputs: PromptInputs, private readonly log: vscode.LogOutputChannel) {
        this.item.name = 'Promptscope Prompt Tokens';
        this.subscriptions = [
            vscode.window.onDidChangeActiveTextEditor(() => this.update()),
            vscode.workspace.onDidChangeTextDocument(event => {
                if (event.document === vscode.window.activeTextEditor?.document && isPromptDocument(event.document)) {
                    this.debouncer.schedule('count', () => this.update());
                }
            }),
            models.onDidChangeModel(() => this.update()),
        ];
        this.update();
    }

    dispose(): void {
        for (const subscription of this.subscriptions) subscription.dispose();
        this.debouncer.dispose();
        this.item.dispose();
    }

    private update(): void {
        const generation = ++this.generation;
        this.debouncer.cancel('count');
        const document = vscode.window.activeTextEditor?.document;
        if (document === undefined || !isPromptDocument(document)) {
            this.item.hide();
            return;
        }
        const model = this.models.model;
        if (model === undefined || this.models.loadingModel !== undefined) {
            this.show('$(symbol-numeric) – tokens', 'Load a model to count the tokens of this prompt.', CommandId.loadModel);
            return;
        }
        void this.count(document, generation).catch(error => {
            this.log.debug(`Counting tokens of ${document.uri.fsPath} failed: ${error instanceof Error ? error.message : String(error)}`);
            if (generation === this.generation) this.show('$(symbol-numeric) – tokens', 'The tokens could not be counted (see the logs).');
        });
    }

    private async count(document: vscode.TextDocument, generation: number): Promise<void> {
        const doc = promptDocumentOf(document);
        const { input, missing } = this.inputs.recall(document.uri, await inputFields(doc));
        if (missing.length > 0) {
            this.show('$(symbol-numeric) ? tokens', `Needs the inputs ${missing.join(', ')}: Run or Render the prompt once to give them.`, CommandId.renderPrompt);
            return;
        }
        let messages;
        try {
            // Prepared as Run prepares it (passages of promptscope.retrieval included): a prompt Run would refuse has no count.
            messages = (await preparePrompt(doc, { input, partials: partialsFor(document), embedder: this.models.client })).messages;
        } catch (error) {
            // A retrieval index that cannot be used stops a run as a prompt error does.
            const retrieval = error instanceof RetrievalIndexError || error instanceof EmbeddingModelMismatchError || error instanceof EmbeddingError;
            if (!(error instanceof PromptError) && !retrieval) throw error;
            const detail = error instanceof PromptError ? error.detail : (error as Error).message;
            if (generation === this.generation) this.show('$(symbol-numeric) – tokens', `The prompt cannot run: ${detail}`);
            return;
        }
        const model = this.models.model;
        if (model === undefined || generation !== this.generation) return;
        // Counted as Run evaluates it: through the model's chat template, turn markers and the reply's opening included.
        const total = (await this.models.client.tokenizeChat(messages)).length;
        if (generation !== this.generation) return;
        const tooLong = total >= model.contextSize;
        this.show(`$(symbol-numeric) ${total} tokens`,
            `${total} tokens: the ${messages.length} rendered message${messages.length === 1 ? '' : 's'} of ${promptName(document.uri)} `
            + `through ${model.name}'s chat template, as Run evaluates them. The context holds ${model.contextSize}.`
            + (tooLong ? ' The prompt does not fit.' : ''));
        this.item.backgroundColor = tooLong ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }

    private show(text: string, tooltip: string, command?: string): void {
        this.item.text = text;
        this.item.tooltip = tooltip;
        this.item.command = command;
        this.item.backgroundColor = undefined;
        this.item.show();
    }
}
