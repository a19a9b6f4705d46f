import * as vscode from 'vscode';
import {
    addAdapterRequest, compareCommand, formChangedCommand, historyRequest, loadModelCommand, openPromptCommand, playgroundViewType,
    reopenCommand, runCommand, savedFormNotification, savePromptCommand, showAttentionCommand, showDecodingLabCommand, showProbabilitiesCommand, stopCommand,
    switchModelRequest, tokenizeRequest,
    type CompareRequest, type CompareState, type HistoryEntry, type HostState, type PlaygroundForm, type RunState,
} from '../../shared/protocols/playground';
import type { AttentionPanel } from '../attention/AttentionPanel';
import type { TokenProbabilitiesPanel } from '../probabilities/TokenProbabilitiesPanel';
import type { DecodingLabPanel } from '../decodingLab/DecodingLabPanel';
import { CommandId } from '../commandIds';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import { PlaygroundAdapters } from './PlaygroundAdapters';
import { PlaygroundCompare } from './PlaygroundCompare';
import { PlaygroundContext, workspaceFolder, type PlaygroundViewOptions } from './PlaygroundContext';
import { PlaygroundForms } from './PlaygroundForms';
import { PlaygroundHistory } from './PlaygroundHistory';
import { PlaygroundInspection } from './PlaygroundInspection';
import { PlaygroundModel } from './PlaygroundModel';
import { PlaygroundPromptFiles } from './PlaygroundPromptFiles';
import { PlaygroundRunner } from './PlaygroundRunner';

export type { PlaygroundViewOptions } from './PlaygroundContext';

/**
 * The playground side view: the webview provider that wires the page's messages to the parts (model, runner,
 * adapters, compare, inspection, forms and .prompt files, history), which share one {@link PlaygroundContext}. The
 * run lives here, not in the webview, so hiding the view (which destroys its page) neither stops a run nor loses its
 * output. Its methods are what the page's messages do, and what tests call.
 */
export class PlaygroundView implements vscode.WebviewViewProvider, vscode.Disposable {
    private readonly context: PlaygroundContext;
    private view: vscode.WebviewView | undefined;
    private loads = 0;
    readonly history: PlaygroundHistory;
    private readonly model: PlaygroundModel;
    private readonly runner: PlaygroundRunner;
    private readonly adapters: PlaygroundAdapters;
    private readonly comparison: PlaygroundCompare;
    private readonly inspection: PlaygroundInspection;
    private readonly forms: PlaygroundForms;
    private readonly promptFiles: PlaygroundPromptFiles;
    /** Fires with every streamed piece of a run's output, as the view receives it. */
    readonly onDidStreamChunk: vscode.Event<{ runId: number; text: string }>;

    constructor(options: PlaygroundViewOptions) {
        const context = new PlaygroundContext(options, () => this.state);
        this.context = context;
        this.history = options.history ?? new PlaygroundHistory(workspaceFolder);
        context.own(vscode.window.registerWebviewViewProvider(playgroundViewType, this));
        this.model = new PlaygroundModel(context);
        this.runner = new PlaygroundRunner(context, this.history);
        this.onDidStreamChunk = this.runner.onDidStreamChunk;
        this.adapters = new PlaygroundAdapters(context);
        this.comparison = new PlaygroundCompare(context);
        this.inspection = new PlaygroundInspection(context, this.runner);
        this.forms = new PlaygroundForms(context, this.history, this.runner);
        this.promptFiles = new PlaygroundPromptFiles(context, this.forms, this.runner);
    }

    /** What the view shows of the host's side (for tests). */
    get state(): HostState {
        const compare = this.comparison.state;
        const notice = this.context.notice;
        const lastRun = this.runner.lastRun;
        return {
            ...this.model.state,
            run: this.runner.run,
            ...(compare !== undefined ? { compare } : {}),
            ...(notice !== undefined ? { notice } : {}),
            ...(lastRun !== undefined ? { lastRun: { id: lastRun.id, generatedTokens: lastRun.request.generated?.length ?? 0 } } : {}),
        };
    }

    /** How many times a page of the view said `ready`, i.e. ran its script through without throwing (for tests). */
    get pageLoads(): number {
        return this.loads;
    }

    /** The view's webview while it exists (created when the view is first shown). */
    get webview(): vscode.Webview | undefined {
        return this.view?.webview;
    }

    resolveWebviewView(view: vscode.WebviewView): void {
        const { context } = this;
        const { options } = context;
        context.connection?.dispose();
        this.view = view;
        const connection = new WebviewConnection(view.webview, options.log);
        context.connection = connection;
        connection.onReady(() => {
            this.loads++;
            void connection.notify(savedFormNotification, options.store.load());
            context.sendState();
        });
        connection.onCommand(runCommand, form => this.runForm(form));
        connection.onCommand(stopCommand, () => this.stop());
        connection.onCommand(loadModelCommand, () => vscode.commands.executeCommand(CommandId.loadModel));
        connection.onCommand(formChangedCommand, form => options.store.save(form));
        connection.onRequest(tokenizeRequest, params => this.model.tokenize(params.word));
        connection.onRequest(switchModelRequest, ({ ref }) => this.switchModel(ref));
        connection.onRequest(addAdapterRequest, () => this.adapters.pick());
        connection.onCommand(compareCommand, request => this.compare(request));
        connection.onCommand(savePromptCommand, form => this.savePrompt(form));
        connection.onCommand(openPromptCommand, () => this.openPrompt());
        connection.onRequest(historyRequest, () => this.listHistory());
        connection.onCommand(reopenCommand, ({ key, run }) => this.reopen(key, run));
        connection.onCommand(showProbabilitiesCommand, () => this.showProbabilities());
        connection.onCommand(showAttentionCommand, () => this.showAttention());
        connection.onCommand(showDecodingLabCommand, () => this.showDecodingLab());
        view.onDidDispose(() => {
            if (context.connection === connection) {
                connection.dispose();
                context.connection = undefined;
                this.view = undefined;
            }
        });
        loadWebviewPage(view.webview, options.extensionUri, 'playground', 'Promptscope Playground');
    }

    /** Runs `form` (saving it first) and resolves when the run has ended. */
    runForm(form: PlaygroundForm): Promise<RunState> {
        return this.runner.runForm(form);
    }

    /** Stops the run and the compare under way. */
    stop(): void {
        this.runner.stop();
        this.comparison.stop();
    }

    /** Loads a recent model or an `hf:` URI; answers why it did not load (see PlaygroundModel). */
    switchModel(ref: string): Promise<{ ok: true } | { error: string }> {
        return this.model.switchModel(ref);
    }

    /** Show probabilities for the last run (see PlaygroundInspection). */
    showProbabilities(): Promise<TokenProbabilitiesPanel | undefined> {
        return this.inspection.showProbabilities();
    }

    /** Show attention for the last run (see PlaygroundInspection). */
    showAttention(): Promise<AttentionPanel | undefined> {
        return this.inspection.showAttention();
    }

    /** Decoding Lab on the last run's prompt (see PlaygroundInspection). */
    showDecodingLab(): Promise<DecodingLabPanel | undefined> {
        return this.inspection.showDecodingLab();
    }

    /** Checks an adapter file against the loaded model (loading it first): its path, or why it does not fit. */
    validateAdapter(path: string): Promise<{ path: string } | { error: string }> {
        return this.adapters.validate(path);
    }

    /** Adds a validated adapter to the saved form's list for the loaded model (what the page does after Add Adapter…). */
    addAdapter(form: PlaygroundForm, path: string): Promise<{ form: PlaygroundForm } | { error: string }> {
        return this.adapters.add(form, path);
    }

    /** A/B comparison of `request.form` (see PlaygroundCompare); resolves with the final state. */
    compare(request: CompareRequest): Promise<CompareState> {
        return this.comparison.compare(request);
    }

    /** Save as .prompt (see PlaygroundPromptFiles): the file written, or undefined (the reason is in the notice). */
    savePrompt(form: PlaygroundForm, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        return this.promptFiles.save(form, target);
    }

    /** Open as .prompt (see PlaygroundPromptFiles): the opened form, or undefined (the reason is in the notice). */
    openPrompt(source?: vscode.Uri): Promise<PlaygroundForm | undefined> {
        return this.promptFiles.open(source);
    }

    /** Puts history record `key` into the form, and runs it when `run`. Returns the form, or undefined (see the notice). */
    reopen(key: string, run = false): Promise<PlaygroundForm | undefined> {
        return this.forms.reopen(key, run);
    }

    /** The history list (for tests and the page). */
    listHistory(): Promise<HistoryEntry[]> {
        return this.history.list();
    }

    /** Reveals the view (creating its page). */
    async reveal(): Promise<void> {
        await vscode.commands.executeCommand(`${playgroundViewType}.focus`);
    }

    dispose(): void {
        this.context.dispose();
    }
}
