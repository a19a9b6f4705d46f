import { writeExport } from '../writeExport';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { evaluationToCsv, evaluationToJson } from '../../core/panels/evaluation/exportEvaluation';
import { exportRequest, stateNotification, type EvaluationState, type ExportFormat } from '../../shared/protocols/evaluation';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';

export interface EvaluationPanelOptions {
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
    /** Folder the export dialog starts in (the prompt's). */
    folder: vscode.Uri | undefined;
}

/**
 * The results of one Evaluate Prompt on Dataset run: the accuracy table, unmapped count, confusion matrix, each row
 * with its vote histogram and expandable paths, and CSV/JSON export. The host keeps the whole state and sends it after
 * every `ready` (a hidden-then-shown page starts afresh) and on every change.
 */
export class EvaluationPanel implements vscode.Disposable {
    private readonly connection: WebviewConnection;
    private readonly disposables: vscode.Disposable[] = [];
    private disposed = false;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(readonly panel: vscode.WebviewPanel, private readonly options: EvaluationPanelOptions, private state: EvaluationState) {
        this.connection = new WebviewConnection(panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(stateNotification, this.state));
        this.connection.onRequest(exportRequest, params => this.export(params.format));
        this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
        panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'promptscope.svg');
        loadWebviewPage(panel.webview, options.extensionUri, 'evaluation', panel.title, ['reasoningTrace']);
    }

    /** What the webview shows (tests read it). */
    get current(): Readonly<EvaluationState> {
        return this.state;
    }

    get isDisposed(): boolean {
        return this.disposed;
    }

    update(change: Partial<EvaluationState>): void {
        if (this.disposed) return;
        this.state = { ...this.state, ...change };
        void this.connection.notify(stateNotification, this.state);
    }

    /** Writes the export to `target` (the export button asks where first). */
    async exportTo(format: ExportFormat, target: vscode.Uri): Promise<void> {
        const text = format === 'json' ? evaluationToJson(this.state) : evaluationToCsv(this.state);
        await writeExport(target, new TextEncoder().encode(text));
        this.options.log.info(`Exported the evaluation of ${this.state.prompt} on ${this.state.dataset} to ${target.fsPath}`);
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        this.panel.dispose();
    }

    private async export(format: ExportFormat): Promise<{ path?: string }> {
        const stem = `${this.state.prompt.replace(/\.prompt$/, '')}.${this.state.dataset.replace(/\.(jsonl|csv)$/, '')}.evaluation.${format}`;
        const target = await vscode.window.showSaveDialog({
            defaultUri: this.options.folder === undefined ? undefined : vscode.Uri.joinPath(this.options.folder, stem),
            filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
            title: `Export the evaluation as ${format.toUpperCase()}`,
        });
        if (target === undefined) return {};
        await this.exportTo(format, target);
        void vscode.window.setStatusBarMessage(`Promptscope: exported ${basename(target.path)}`, 4000);
        return { path: target.fsPath };
    }
}
