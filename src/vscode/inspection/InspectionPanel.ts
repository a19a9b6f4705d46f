import { writeExport } from '../writeExport';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeClient } from '../../runtime/client/RuntimeClient';
import type { InspectionPanelState as SharedInspectionPanelState } from '../../shared/protocols/inspectionPanel';
import type { IpcCommand, IpcNotification } from '../../shared/protocols/ipc';
import type { ModelService } from '../ModelService';
import type { PromptRunner } from '../prompt/PromptRunner';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import type { InspectionRequest } from './InspectionRequest';

/** A prompt file prepared for a panel: its document and the preparation Run Prompt would use. */
export type PreparedFor = NonNullable<Awaited<ReturnType<PromptRunner['prepareFor']>>>;

/** What every inspection panel's state has: the title, what it was computed from, how far it got, and its report. */
export type InspectionPanelState = SharedInspectionPanelState<string> & { report?: unknown };

/** What tells one kind of inspection panel (token probabilities, attention) from another. */
export interface InspectionPanelKind<S extends InspectionPanelState> {
    viewType: string;
    /** The page's bundle, dist/webview/`page`.js. */
    page: string;
    /** Panel titles start with it, e.g. `Attention`. */
    titlePrefix: string;
    /** What the panel shows, in messages, progress and export titles, e.g. `attention`. */
    shows: string;
    stateNotification: IpcNotification<S>;
    recomputeCommand: IpcCommand;
}

export interface InspectionPanelOptions {
    models: ModelService;
    prompts: PromptRunner;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
}

/**
 * One inspection panel for one `.prompt` file (or one source of {@link InspectionRequest}s): its webview page and
 * connection, the state the page shows (sent after every `ready`; the page also keeps it in setState, so a reload
 * restores it through the serializer without recomputing), Recompute, the cancellable computation on the shared
 * model, and export. Subclasses say what is computed.
 */
export abstract class InspectionPanel<S extends InspectionPanelState, O extends InspectionPanelOptions = InspectionPanelOptions> implements vscode.Disposable {
    protected readonly connection: WebviewConnection;
    protected readonly disposables: vscode.Disposable[] = [];
    /** The computation under way; a new one abandons it. */
    protected compute: AbortController | undefined;
    /** The inspected run being shown, so Recompute computes it again (not kept across a reload). */
    protected inspected: InspectionRequest | undefined;
    protected disposed = false;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(readonly panel: vscode.WebviewPanel, protected readonly options: O, protected state: S, protected readonly kind: InspectionPanelKind<S>) {
        this.connection = new WebviewConnection(panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(kind.stateNotification, this.state));
        this.connection.onCommand(kind.recomputeCommand, () => this.inspected !== undefined ? this.computeRequest(this.inspected)
            : this.promptUri !== undefined ? this.computeFor(this.promptUri) : undefined);
        this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
        panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'promptscope.svg');
        loadWebviewPage(panel.webview, options.extensionUri, kind.page, panel.title);
    }

    /** What the webview shows (for tests and the serializer). */
    get current(): Readonly<S> {
        return this.state;
    }

    get promptUri(): vscode.Uri | undefined {
        return this.state.promptUri === undefined ? undefined : vscode.Uri.parse(this.state.promptUri);
    }

    /** Renders `uri` as Run Prompt does and computes the panel for it. */
    abstract computeFor(uri: vscode.Uri): Promise<S>;

    /** Computes the panel for a run given as a request (the playground's last run). */
    abstract computeRequest(request: InspectionRequest): Promise<S>;

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        this.compute?.abort();
        this.stopWork();
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        this.panel.dispose();
    }

    /**
     * `uri`'s prompt prepared as Run Prompt prepares it, or what the panel says instead: a prompt that does not render
     * (the runner has shown why), or an error preparing it threw beyond the prompt's own (a retrieval index that cannot
     * be read, the runtime that embeds a retrieval query stopping). Such an error is logged and shown here and comes
     * back as the panel's message: thrown, it would end in the webview connection's log while the page went on saying
     * it prepares the prompt.
     */
    protected async preparePanelPrompt(uri: vscode.Uri): Promise<{ ready: PreparedFor } | { failed: string }> {
        try {
            const ready = await this.options.prompts.prepareFor(uri);
            return ready === undefined ? { failed: 'the prompt did not render (see the message)' } : { ready };
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            this.options.log.error(`${this.kind.titlePrefix} of ${basename(uri.path)}: preparing the prompt failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
            void vscode.window.showErrorMessage(`Promptscope: ${basename(uri.path)}: ${message}`);
            return { failed: message };
        }
    }

    /** Stops what else the panel runs besides its computation (on dispose and on every new computation). */
    protected stopWork(): void {}

    /**
     * Starts a computation of `title` from scratch: an earlier one is abandoned, the page shows `title` as computing,
     * with `reset` applied over the state.
     */
    protected begin(title: string, promptUri: string | undefined, inspected: boolean, reset: Partial<S>): AbortController {
        this.compute?.abort();
        const abort = new AbortController();
        this.compute = abort;
        this.update({ title, promptUri, inspected, phase: 'computing', message: undefined, report: undefined, ...reset } as Partial<S>);
        this.panel.title = `${this.kind.titlePrefix}: ${title}`;
        this.stopWork();
        return abort;
    }

    /**
     * Runs `work` on the shared model (loading it first) under a cancellable progress notification titled `title`;
     * cancelling aborts `abort`. Undefined when there was no model or the computation was abandoned before it began.
     */
    protected withProgress<T>(title: string, abort: AbortController, work: (client: RuntimeClient) => Promise<T>): Thenable<T | undefined> {
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
            token.onCancellationRequested(() => abort.abort());
            return this.options.models.withModel(client => abort.signal.aborted ? Promise.resolve(undefined) : work(client));
        });
    }

    protected update(change: Partial<S>): void {
        this.state = { ...this.state, ...change };
        void this.connection.notify(this.kind.stateNotification, this.state);
    }

    /**
     * Export: asks where to write `bytes` (`name` beside the prompt file, else in the workspace) and writes them there.
     * Returns the path written, none when the dialog was cancelled.
     */
    protected async saveExport(format: string, name: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<{ path?: string }> {
        const folder = this.promptUri?.scheme === 'file' ? vscode.Uri.joinPath(this.promptUri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({
            defaultUri: folder === undefined ? undefined : vscode.Uri.joinPath(folder, name),
            filters,
            title: `Export ${this.kind.shows} as ${format.toUpperCase()}`,
        });
        if (target === undefined) return {};
        await writeExport(target, bytes);
        this.options.log.info(`Exported ${this.kind.shows} of ${this.state.title} to ${target.fsPath}`);
        void vscode.window.setStatusBarMessage(`Promptscope: exported ${basename(target.path)}`, 4000);
        return { path: target.fsPath };
    }
}
