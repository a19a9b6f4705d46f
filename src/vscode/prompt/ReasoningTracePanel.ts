import { basename } from 'node:path';
import * as vscode from 'vscode';
import { exportTraceRequest, traceStateNotification, type TracePanelState } from '../../shared/protocols/reasoningTrace';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import { writeExport } from '../writeExport';

export interface ReasoningTracePanelOptions {
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
    /** Folder the export dialog starts in (the prompt's). */
    folder: vscode.Uri | undefined;
}

/**
 * The reasoning trace of a prompt's last Run (chains, searches, programs, paths), beside its output document: the same
 * tree component the evaluation panel shows per row, keyboard navigable, exported as the JSON `run --json` prints as
 * `trace`. The host keeps the state and sends it after every `ready` and on every change.
 */
export class ReasoningTracePanel implements vscode.Disposable {
    private readonly connection: WebviewConnection;
    private readonly disposables: vscode.Disposable[] = [];
    private disposed = false;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(readonly panel: vscode.WebviewPanel, private readonly options: ReasoningTracePanelOptions, private state: TracePanelState) {
        this.connection = new WebviewConnection(panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(traceStateNotification, this.state));
        this.connection.onRequest(exportTraceRequest, () => this.export());
        this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
        panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'promptscope.svg');
        loadWebviewPage(panel.webview, options.extensionUri, 'trace', panel.title, ['reasoningTrace']);
    }

    /** What the webview shows (tests read it). */
    get current(): Readonly<TracePanelState> {
        return this.state;
    }

    get isDisposed(): boolean {
        return this.disposed;
    }

    /** Replaces the whole state: a new run of the prompt starts afresh. */
    show(state: TracePanelState): void {
        if (this.disposed) return;
        this.state = state;
        this.panel.title = `Trace: ${state.prompt}`;
        void this.connection.notify(traceStateNotification, this.state);
    }

    /** Writes the trace as JSON (the shape of `run --json`'s `trace`) to `target`. */
    async exportTo(target: vscode.Uri): Promise<void> {
        if (this.state.trace === undefined) throw new RangeError('The run has no trace yet: export it once the run is done.');
        await writeExport(target, new TextEncoder().encode(JSON.stringify({ prompt: this.state.prompt, trace: this.state.trace }, null, 2) + '\n'));
        this.options.log.info(`Exported the reasoning trace of ${this.state.prompt} to ${target.fsPath}`);
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        this.panel.dispose();
    }

    private async export(): Promise<{ path?: string }> {
        const stem = `${this.state.prompt.replace(/\.prompt$/, '')}.${this.state.strategy}.trace.json`;
        const target = await vscode.window.showSaveDialog({
            defaultUri: this.options.folder === undefined ? undefined : vscode.Uri.joinPath(this.options.folder, stem),
            filters: { JSON: ['json'] },
            title: 'Export the reasoning trace as JSON',
        });
        if (target === undefined) return {};
        await this.exportTo(target);
        void vscode.window.setStatusBarMessage(`Promptscope: exported ${basename(target.path)}`, 4000);
        return { path: target.fsPath };
    }
}
