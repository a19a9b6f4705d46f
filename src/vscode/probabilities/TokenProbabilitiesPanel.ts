import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { LoraAdapterSpec, SamplingOptions, TokenProbabilitiesRequest } from '../../shared/runtimeApi';
import { branchPrompt } from '../../core/panels/tokenProbabilities/branchTokens';
import { reportToCsv, reportToJson } from '../../core/panels/tokenProbabilities/exportReport';
import {
    branchCommand, branchNotification, cancelBranchCommand, exportRequest, recomputeCommand, stateNotification,
    type Branch, type ExportFormat, type PanelState,
} from '../../shared/protocols/tokenProbabilities';
import type { Config } from '../Config';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import type { ModelService } from '../ModelService';
import { formatSampling } from '../prompt/outputHeader';
import type { PromptRunner } from '../prompt/PromptRunner';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import { branchLength, probabilityRequest } from './probabilityRequest';

export interface TokenProbabilitiesPanelOptions {
    models: ModelService;
    prompts: PromptRunner;
    config: Config;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
}

/**
 * One token probabilities panel for one `.prompt` file (or one source of {@link InspectionRequest}s): computes the
 * report on the shared model, answers the webview's branch and export messages, and keeps the state the webview
 * shows (which the webview also keeps in setState, so a reload restores it through the serializer without recomputing).
 */
export class TokenProbabilitiesPanel implements vscode.Disposable {
    private readonly connection: WebviewConnection;
    private readonly disposables: vscode.Disposable[] = [];
    private compute: AbortController | undefined;
    private readonly branchRuns = new Map<number, AbortController>();
    /** The run's sampling, for branches; after a reload the settings' defaults stand in. */
    private sampling: SamplingOptions | undefined;
    /** The run's adapters, for branches (an inspected run's; a `.prompt` file runs with the model's). */
    private lora: LoraAdapterSpec[] | undefined;
    /** The inspected run being shown, so Recompute computes it again (not kept across a reload). */
    private inspected: InspectionRequest | undefined;
    private disposed = false;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    constructor(readonly panel: vscode.WebviewPanel, private readonly options: TokenProbabilitiesPanelOptions, private state: PanelState) {
        this.connection = new WebviewConnection(panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(stateNotification, this.state));
        this.connection.onCommand(branchCommand, params => this.branch(params.index, params.tokenId));
        this.connection.onCommand(cancelBranchCommand, params => this.branchRuns.get(params.id)?.abort());
        this.connection.onCommand(recomputeCommand, () => this.inspected !== undefined ? this.computeRequest(this.inspected)
            : this.promptUri !== undefined ? this.computeFor(this.promptUri) : undefined);
        this.connection.onRequest(exportRequest, params => this.export(params.format));
        this.disposables.push(this.connection, panel.onDidDispose(() => this.dispose()));
        panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'promptscope.svg');
        loadWebviewPage(panel.webview, options.extensionUri, 'tokenProbabilities', panel.title);
    }

    /** What the webview shows (for tests and the serializer). */
    get current(): Readonly<PanelState> {
        return this.state;
    }

    get promptUri(): vscode.Uri | undefined {
        return this.state.promptUri === undefined ? undefined : vscode.Uri.parse(this.state.promptUri);
    }

    /** Renders `uri` as Run Prompt does and computes its probabilities with a cancellable progress notification. */
    async computeFor(uri: vscode.Uri): Promise<PanelState> {
        const abort = this.begin(basename(uri.path), uri.toString(), false);
        this.inspected = undefined;
        const ready = await this.options.prompts.prepareFor(uri);
        if (ready === undefined) return this.fail(abort, 'the prompt did not render (see the message)');
        const sampling: SamplingOptions = { ...this.options.config.samplingDefaults, ...ready.prepared.sampling };
        const { lora } = ready.prepared;
        return this.evaluate(abort, probabilityRequest(ready.prepared.messages, sampling, lora.length > 0 ? { lora } : {}), sampling);
    }

    /**
     * Computes the probabilities of a run given as a request (the playground's last run): its prompt, sampling and
     * adapters, with its generated tokens scored rather than sampled again.
     */
    async computeRequest(request: InspectionRequest): Promise<PanelState> {
        const abort = this.begin(request.title, undefined, true);
        this.inspected = request;
        const { lora, generated } = request;
        return this.evaluate(abort, probabilityRequest(request.prompt, request.sampling, {
            ...(lora !== undefined ? { lora } : {}), ...(generated !== undefined ? { generated } : {}),
        }), request.sampling);
    }

    /** Starts a computation: earlier ones and their branches stop, the panel shows `title` as computing. */
    private begin(title: string, promptUri: string | undefined, inspected: boolean): AbortController {
        this.compute?.abort();
        const abort = new AbortController();
        this.compute = abort;
        this.update({ title, promptUri, inspected, phase: 'computing', message: undefined, report: undefined, branches: [] });
        this.panel.title = `Probabilities: ${title}`;
        for (const run of this.branchRuns.values()) run.abort();
        return abort;
    }

    private async evaluate(abort: AbortController, request: TokenProbabilitiesRequest, sampling: SamplingOptions): Promise<PanelState> {
        const { models, log } = this.options;
        this.sampling = sampling;
        this.lora = request.lora;
        this.update({ sampling: formatSampling({ ...request.sampling, maxTokens: request.generate }) });

        const result = await vscode.window.withProgress({
            location: vscode.ProgressLocation.Notification,
            title: `Promptscope: token probabilities of ${this.state.title}`,
            cancellable: true,
        }, (_progress, token) => {
            token.onCancellationRequested(() => abort.abort());
            return models.withModel(client => abort.signal.aborted ? Promise.resolve(undefined) : client.tokenProbabilities(request, { signal: abort.signal }));
        });
        if (this.compute !== abort || this.disposed) return this.state;
        this.compute = undefined;
        if (result === undefined) return this.fail(abort, abort.signal.aborted ? 'cancelled' : 'no result (see the Promptscope log)');
        log.info(`Token probabilities of ${this.state.title}: ${result.timing.promptTokens} prompt + ${result.timing.generatedTokens} generated tokens in ${Math.round(result.timing.ms)} ms`);
        this.update({ phase: 'done', report: result });
        return this.state;
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        this.compute?.abort();
        for (const run of this.branchRuns.values()) run.abort();
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        this.panel.dispose();
    }

    private fail(abort: AbortController, message: string): PanelState {
        if (this.compute === abort) this.compute = undefined;
        this.update({ phase: 'failed', message });
        return this.state;
    }

    private update(change: Partial<PanelState>): void {
        this.state = { ...this.state, ...change };
        void this.connection.notify(stateNotification, this.state);
    }

    /** Continues generation from an alternative at `index`, streaming into a new branch beside the original. */
    private async branch(index: number, tokenId: number): Promise<void> {
        const report = this.state.report;
        if (report === undefined) return;
        const original = report.tokens[index];
        if (original === undefined) return;
        const prompt = branchPrompt(report.tokens, index, tokenId);
        const known = original.top.find(a => a.id === tokenId) ?? original.sampledTop?.find(a => a.id === tokenId);
        const id = Math.max(0, ...this.state.branches.map(b => b.id)) + 1;
        const branch: Branch = { id, fromIndex: index, token: { id: tokenId, text: known?.text ?? `#${tokenId}` }, text: '', status: 'running' };
        this.state.branches = [...this.state.branches, branch];
        const send = () => void this.connection.notify(branchNotification, branch);
        send();

        const abort = new AbortController();
        this.branchRuns.set(id, abort);
        const { grammar: _g, jsonSchema: _j, ...sampling } = this.sampling ?? this.options.config.samplingDefaults;
        try {
            const result = await this.options.models.withModel(async client => {
                if (known === undefined) branch.token.text = (await client.tokenPieces([tokenId]))[0] ?? branch.token.text;
                return client.complete({
                    prompt,
                    ...(this.lora !== undefined ? { lora: this.lora } : {}),
                    sampling: { ...sampling, ...(report.seed !== undefined ? { seed: report.seed } : {}), maxTokens: branchLength(report.tokens.length - index - 1) },
                }, {
                    signal: abort.signal,
                    onToken: chunk => {
                        branch.text += chunk.text;
                        send();
                    },
                });
            });
            branch.status = result === undefined ? 'failed' : result.stopReason === 'aborted' ? 'cancelled' : 'done';
            if (result === undefined) branch.error = 'see the Promptscope log';
            else this.options.models.recordRun(result.timing);
        } catch (error) {
            branch.status = 'failed';
            branch.error = error instanceof Error ? error.message : String(error);
        } finally {
            this.branchRuns.delete(id);
            send();
        }
    }

    private async export(format: ExportFormat): Promise<{ path?: string }> {
        const report = this.state.report;
        if (report === undefined) return {};
        const stem = this.state.title.replace(/\.prompt$/, '') || 'tokens';
        const folder = this.promptUri?.scheme === 'file' ? vscode.Uri.joinPath(this.promptUri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = `${stem}.probabilities.${format}`;
        const target = await vscode.window.showSaveDialog({
            defaultUri: folder === undefined ? undefined : vscode.Uri.joinPath(folder, name),
            filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
            title: `Export token probabilities as ${format.toUpperCase()}`,
        });
        if (target === undefined) return {};
        const text = format === 'json' ? reportToJson(report, this.state.branches) : reportToCsv(report);
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
        this.options.log.info(`Exported token probabilities of ${this.state.title} to ${target.fsPath}`);
        void vscode.window.setStatusBarMessage(`Promptscope: exported ${basename(target.path)}`, 4000);
        return { path: target.fsPath };
    }
}
