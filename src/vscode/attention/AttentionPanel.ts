import { basename } from 'node:path';
import * as vscode from 'vscode';
import { toNestedArrays } from '../../core/attention/attentionWeights';
import type { AttentionRequest, AttentionResult } from '../../shared/runtimeApi';
import { classifyFailure } from '../../core/panels/attention/failure';
import { exportFileName, reportToJson } from '../../core/panels/attention/exportReport';
import { mergeLayers, slotOf } from '../../core/panels/attention/headMean';
import {
    exportRequest, layerCommand, recomputeCommand, stateNotification, type AttentionReport, type ExportFormat, type PanelState,
} from '../../shared/protocols/attention';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import type { ModelService } from '../ModelService';
import type { PromptRunner } from '../prompt/PromptRunner';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import { decodePngDataUrl } from './pngData';

/**
 * The runtime's result (a flat Float32Array) as the webview's report: nested arrays of the one layer captured. The
 * webview persists its state with setState, which is JSON, so typed arrays would not survive a reload there; a
 * single layer (≤ 512² × heads weights) is small enough to send and keep as plain arrays.
 */
function toReport(result: AttentionResult): AttentionReport {
    return { ...result, attention: toNestedArrays(result) };
}

export interface AttentionPanelOptions {
    models: ModelService;
    prompts: PromptRunner;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
}

/** What a panel captures layers of: the rendered prompt (and an inspected run's adapters and generated tokens). */
type CaptureSource = Omit<AttentionRequest, 'layers' | 'ubatch'>;

/**
 * One attention panel for one `.prompt` file (or one source of {@link InspectionRequest}s). It captures one layer at a time (the first on open, others when the
 * webview asks): a 512-token prompt on a 32-head model is 8M weights per layer, so capturing every layer up front
 * would not fit through postMessage and setState. The webview keeps the state in setState too, so a reload restores
 * it through the serializer without recomputing.
 */
export class AttentionPanel implements vscode.Disposable {
    private readonly connection: WebviewConnection;
    private readonly disposables: vscode.Disposable[] = [];
    private compute: AbortController | undefined;
    /** The rendered prompt of the last computation, so other layers are captured for the same tokens without asking for inputs again. */
    private source: CaptureSource | undefined;
    /** The inspected run being shown, so Recompute captures it again (not kept across a reload). */
    private inspected: InspectionRequest | undefined;
    private disposed = false;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(readonly panel: vscode.WebviewPanel, private readonly options: AttentionPanelOptions, private state: PanelState) {
        this.connection = new WebviewConnection(panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(stateNotification, this.state));
        this.connection.onCommand(recomputeCommand, () => this.inspected !== undefined ? this.computeRequest(this.inspected)
            : this.promptUri !== undefined ? this.computeFor(this.promptUri) : undefined);
        this.connection.onCommand(layerCommand, params => this.captureLayer(params.layer));
        this.connection.onRequest(exportRequest, params => this.export(params.format, params.dataUrl, params.suffix));
        this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
        panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'promptscope.svg');
        loadWebviewPage(panel.webview, options.extensionUri, 'attention', panel.title);
    }

    /** What the webview shows (for tests and the serializer). */
    get current(): Readonly<PanelState> {
        return this.state;
    }

    get promptUri(): vscode.Uri | undefined {
        return this.state.promptUri === undefined ? undefined : vscode.Uri.parse(this.state.promptUri);
    }

    /** Renders `uri` as Run Prompt does and captures the attention of `layer` (the first by default). */
    async computeFor(uri: vscode.Uri, layer = 0): Promise<PanelState> {
        const abort = this.begin(basename(uri.path), uri.toString(), false, layer);
        this.inspected = undefined;
        const ready = await this.options.prompts.prepareFor(uri);
        if (this.compute !== abort || this.disposed) return this.state;
        if (ready === undefined) return this.finish(abort, { phase: 'failed', message: 'the prompt did not render (see the message)' });
        const { lora } = ready.prepared;
        this.source = { prompt: ready.prepared.messages, ...(lora.length > 0 ? { lora } : {}) };
        return this.capture(abort, this.source, layer);
    }

    /**
     * Captures the attention of a run given as a request (the playground's last run): its prompt rendered as it ran,
     * followed by the tokens it generated, under its adapters; `layer` (the first by default).
     */
    async computeRequest(request: InspectionRequest, layer = 0): Promise<PanelState> {
        const abort = this.begin(request.title, undefined, true, layer);
        this.inspected = request;
        const { lora, generated } = request;
        this.source = { prompt: request.prompt, ...(lora !== undefined ? { lora } : {}), ...(generated !== undefined ? { generated } : {}) };
        return this.capture(abort, this.source, layer);
    }

    /** Starts a computation of `title` from scratch (an earlier one is abandoned). */
    private begin(title: string, promptUri: string | undefined, inspected: boolean, layer: number): AbortController {
        this.compute?.abort();
        this.source = undefined;
        this.update({ title, promptUri, inspected, phase: 'computing', message: undefined, report: undefined, pendingLayer: layer });
        this.panel.title = `Attention: ${title}`;
        const abort = new AbortController();
        this.compute = abort;
        return abort;
    }

    /** Adds a layer to the report: the webview asks when the user picks one it does not hold. */
    async captureLayer(layer: number): Promise<PanelState> {
        const report = this.state.report;
        if (!Number.isInteger(layer) || layer < 0 || (report !== undefined && layer >= report.modelLayers)) return this.state;
        if (report !== undefined && slotOf(report, layer) !== undefined) return this.state;
        if (this.source === undefined) {
            // Restored after a reload: the rendered prompt is gone, so render it again (which may ask for inputs).
            return this.promptUri === undefined ? this.state : this.computeFor(this.promptUri, layer);
        }
        this.compute?.abort();
        const abort = new AbortController();
        this.compute = abort;
        this.update({ phase: 'computing', message: undefined, pendingLayer: layer });
        return this.capture(abort, this.source, layer);
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        this.compute?.abort();
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        this.panel.dispose();
    }

    private async capture(abort: AbortController, source: CaptureSource, layer: number): Promise<PanelState> {
        const { models, log } = this.options;
        const outcome = await vscode.window.withProgress({
            location: vscode.ProgressLocation.Notification,
            title: `Promptscope: attention of ${this.state.title}, layer ${layer}`,
            cancellable: true,
        }, (_progress, token) => {
            token.onCancellationRequested(() => abort.abort());
            // Failures belong in the panel (an unavailable addon, a prompt over the limit), not in an error popup.
            return models.withModel(async client => {
                if (abort.signal.aborted) return undefined;
                try {
                    return { report: toReport(await client.attention({ ...source, layers: [layer] }, { signal: abort.signal })) };
                } catch (error) {
                    return { error: error instanceof Error ? error.message : String(error) };
                }
            });
        });
        if (this.compute !== abort || this.disposed) return this.state;
        if (outcome === undefined) return this.finish(abort, { phase: 'failed', message: abort.signal.aborted ? 'cancelled' : 'no model (see the Promptscope log)' });
        if ('error' in outcome) {
            if (abort.signal.aborted) return this.finish(abort, { phase: 'failed', message: 'cancelled' });
            log.warn(`Attention of ${this.state.title}: ${outcome.error}`);
            return this.finish(abort, classifyFailure(outcome.error!));
        }
        const report = outcome.report!;
        log.info(`Attention of ${this.state.title}, layer ${layer}: ${report.tokens.length} tokens in ${report.timing.ms} ms`);
        return this.finish(abort, { phase: 'done', report: mergeLayers(this.state.report, report) });
    }

    private finish(abort: AbortController, change: Partial<PanelState>): PanelState {
        if (this.compute === abort) this.compute = undefined;
        // A failure to add a layer keeps the layers already shown.
        this.update({ message: undefined, ...change, pendingLayer: undefined });
        return this.state;
    }

    private update(change: Partial<PanelState>): void {
        this.state = { ...this.state, ...change };
        void this.connection.notify(stateNotification, this.state);
    }

    private async export(format: ExportFormat, dataUrl: string | undefined, suffix: string | undefined): Promise<{ path?: string; error?: string }> {
        const report = this.state.report;
        if (report === undefined) return { error: 'nothing to export yet' };
        let bytes: Uint8Array;
        try {
            bytes = format === 'png' ? decodePngDataUrl(dataUrl ?? '') : new TextEncoder().encode(reportToJson(report));
        } catch (error) {
            return { error: (error as Error).message };
        }
        const folder = this.promptUri?.scheme === 'file' ? vscode.Uri.joinPath(this.promptUri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = exportFileName(this.state.title, format, format === 'png' ? suffix : undefined);
        const target = await vscode.window.showSaveDialog({
            defaultUri: folder === undefined ? undefined : vscode.Uri.joinPath(folder, name),
            filters: format === 'json' ? { JSON: ['json'] } : { 'PNG image': ['png'] },
            title: `Export attention as ${format.toUpperCase()}`,
        });
        if (target === undefined) return {};
        await vscode.workspace.fs.writeFile(target, bytes);
        this.options.log.info(`Exported attention of ${this.state.title} to ${target.fsPath}`);
        void vscode.window.setStatusBarMessage(`Promptscope: exported ${basename(target.path)}`, 4000);
        return { path: target.fsPath };
    }
}
