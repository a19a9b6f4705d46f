import { basename } from 'node:path';
import type * as vscode from 'vscode';
import { toNestedArrays } from '../../core/attention/attentionWeights';
import type { AttentionRequest, AttentionResult } from '../../shared/runtimeApi';
import { classifyFailure } from '../../core/panels/attention/failure';
import { exportFileName, reportToJson } from '../../core/panels/attention/exportReport';
import { mergeLayers, slotOf } from '../../core/panels/attention/headMean';
import {
    attentionViewType, exportRequest, layerCommand, recomputeCommand, stateNotification, type AttentionReport, type ExportFormat, type PanelState,
} from '../../shared/protocols/attention';
import { InspectionPanel, type InspectionPanelKind, type InspectionPanelOptions } from '../inspection/InspectionPanel';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { decodePngDataUrl } from './pngData';

/**
 * The runtime's result (a flat Float32Array) as the webview's report: nested arrays of the one layer captured. The
 * webview persists its state with setState, which is JSON, so typed arrays would not survive a reload there; a
 * single layer (≤ 512² × heads weights) is small enough to send and keep as plain arrays.
 */
function toReport(result: AttentionResult): AttentionReport {
    return { ...result, attention: toNestedArrays(result) };
}

export type AttentionPanelOptions = InspectionPanelOptions;

export const attentionPanelKind: InspectionPanelKind<PanelState> = {
    viewType: attentionViewType,
    page: 'attention',
    titlePrefix: 'Attention',
    shows: 'attention',
    stateNotification,
    recomputeCommand,
};

/** What a panel captures layers of: the rendered prompt (and an inspected run's adapters and generated tokens). */
type CaptureSource = Omit<AttentionRequest, 'layers' | 'ubatch'>;

/**
 * One attention panel for one `.prompt` file (or one source of {@link InspectionRequest}s). It captures one layer at a time (the first on open, others when the
 * webview asks): a 512-token prompt on a 32-head model is 8M weights per layer, so capturing every layer up front
 * would not fit through postMessage and setState.
 */
export class AttentionPanel extends InspectionPanel<PanelState> {
    /** The rendered prompt of the last computation, so other layers are captured for the same tokens without asking for inputs again. */
    private source: CaptureSource | undefined;

    constructor(panel: vscode.WebviewPanel, options: AttentionPanelOptions, state: PanelState) {
        super(panel, options, state, attentionPanelKind);
        this.connection.onCommand(layerCommand, params => this.captureLayer(params.layer));
        this.connection.onRequest(exportRequest, params => this.export(params.format, params.dataUrl, params.suffix));
    }

    /** Renders `uri` as Run Prompt does and captures the attention of `layer` (the first by default). */
    async computeFor(uri: vscode.Uri, layer = 0): Promise<PanelState> {
        const abort = this.start(basename(uri.path), uri.toString(), false, layer);
        this.inspected = undefined;
        const outcome = await this.preparePanelPrompt(uri);
        if (this.compute !== abort || this.disposed) return this.state;
        if ('failed' in outcome) return this.finish(abort, { phase: 'failed', message: outcome.failed });
        const { ready } = outcome;
        // Stated, never faked: a prompt that runs on a server has no attention to show (another model would answer).
        const refused = this.options.prompts.embeddedOnly('attention', ready.prepared, ready.document);
        if (refused !== undefined) return this.finish(abort, { phase: 'failed', message: refused });
        const { lora } = ready.prepared;
        this.source = { prompt: ready.prepared.messages, ...(lora.length > 0 ? { lora } : {}) };
        return this.capture(abort, this.source, layer);
    }

    /**
     * Captures the attention of a run given as a request (the playground's last run): its prompt rendered as it ran,
     * followed by the tokens it generated, under its adapters; `layer` (the first by default).
     */
    async computeRequest(request: InspectionRequest, layer = 0): Promise<PanelState> {
        const abort = this.start(request.title, undefined, true, layer);
        this.inspected = request;
        const { lora, generated } = request;
        this.source = { prompt: request.prompt, ...(lora !== undefined ? { lora } : {}), ...(generated !== undefined ? { generated } : {}) };
        return this.capture(abort, this.source, layer);
    }

    /** Starts a computation from scratch: the rendered prompt of the last one no longer applies. */
    private start(title: string, promptUri: string | undefined, inspected: boolean, layer: number): AbortController {
        this.source = undefined;
        return this.begin(title, promptUri, inspected, { error: undefined, pendingLayer: layer });
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
        this.update({ phase: 'computing', message: undefined, error: undefined, pendingLayer: layer });
        return this.capture(abort, this.source, layer);
    }

    private async capture(abort: AbortController, source: CaptureSource, layer: number): Promise<PanelState> {
        const { log } = this.options;
        // Failures belong in the panel (an unavailable addon, a prompt over the limit), not in an error popup.
        const outcome = await this.withProgress(`Promptscope: attention of ${this.state.title}, layer ${layer}`, abort, async client => {
            try {
                return { report: toReport(await client.attention({ ...source, layers: [layer] }, { signal: abort.signal })) };
            } catch (error) {
                return { error: classifyFailure(error) };
            }
        });
        if (this.compute !== abort || this.disposed) return this.state;
        if (outcome === undefined) return this.finish(abort, { phase: 'failed', message: abort.signal.aborted ? 'cancelled' : 'no model (see the Promptscope log)' });
        if ('error' in outcome) {
            if (abort.signal.aborted) return this.finish(abort, { phase: 'failed', message: 'cancelled' });
            const failure = outcome.error!;
            log.warn(`Attention of ${this.state.title}: ${failure.error?.message}`);
            return this.finish(abort, failure);
        }
        const report = outcome.report!;
        log.info(`Attention of ${this.state.title}, layer ${layer}: ${report.tokens.length} tokens in ${report.timing.ms} ms`);
        return this.finish(abort, { phase: 'done', report: mergeLayers(this.state.report, report) });
    }

    private finish(abort: AbortController, change: Partial<PanelState>): PanelState {
        if (this.compute === abort) this.compute = undefined;
        // A failure to add a layer keeps the layers already shown.
        this.update({ message: undefined, error: undefined, ...change, pendingLayer: undefined });
        return this.state;
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
        const name = exportFileName(this.state.title, format, format === 'png' ? suffix : undefined);
        return this.saveExport(format, name, format === 'json' ? { JSON: ['json'] } : { 'PNG image': ['png'] }, bytes);
    }
}
