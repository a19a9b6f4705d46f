import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { LoraAdapterSpec, SamplingOptions, TokenProbabilitiesRequest } from '../../shared/runtimeApi';
import { branchPrompt } from '../../core/panels/tokenProbabilities/branchTokens';
import { reportToCsv, reportToJson } from '../../core/panels/tokenProbabilities/exportReport';
import { summarizeModelComparison } from '../../core/comparison/summarizeModelComparison';
import {
    branchCommand, branchNotification, cancelBranchCommand, closeComparisonCommand, compareModelRequest, exportRequest, recomputeCommand,
    stateNotification, tokenProbabilitiesViewType, type Branch, type ComparisonSummary, type ExportFormat, type ModelComparison, type PanelState,
} from '../../shared/protocols/tokenProbabilities';
import type { Config } from '../Config';
import type { Backends, BackendRequest } from '../backend/Backends';
import { describeComparisonFailure } from '../failureMessages';
import { InspectionPanel, type InspectionPanelKind, type InspectionPanelOptions } from '../inspection/InspectionPanel';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { formatSampling } from '../prompt/outputHeader';
import { modelComparisonReport } from './modelComparisonReport';
import { pickComparisonModel } from './pickComparisonModel';
import { branchLength, probabilityRequest } from './probabilityRequest';

export interface TokenProbabilitiesPanelOptions extends InspectionPanelOptions {
    config: Config;
    /** A prompt whose `promptscope.backend` (or the settings) names a server is scored by that server. */
    backends: Backends;
}

export const tokenProbabilitiesPanelKind: InspectionPanelKind<PanelState> = {
    viewType: tokenProbabilitiesViewType,
    page: 'tokenProbabilities',
    titlePrefix: 'Probabilities',
    shows: 'token probabilities',
    stateNotification,
    recomputeCommand,
};

/**
 * One token probabilities panel for one `.prompt` file (or one source of {@link InspectionRequest}s): computes the
 * report on the shared model and answers the webview's branch and export messages.
 */
export class TokenProbabilitiesPanel extends InspectionPanel<PanelState, TokenProbabilitiesPanelOptions> {
    private readonly branchRuns = new Map<number, AbortController>();
    /** Whether the report came from a server: branches and model comparisons run on the embedded model, so they are refused. */
    private serverReport = false;
    /** The comparison with another model under way; a new one (or a new computation) abandons it. */
    private comparing: AbortController | undefined;
    /** The run's sampling, for branches; after a reload the settings' defaults stand in. */
    private sampling: SamplingOptions | undefined;
    /** The run's adapters, for branches (an inspected run's; a `.prompt` file runs with the model's). */
    private lora: LoraAdapterSpec[] | undefined;

    constructor(panel: vscode.WebviewPanel, options: TokenProbabilitiesPanelOptions, state: PanelState) {
        super(panel, options, state, tokenProbabilitiesPanelKind);
        this.connection.onCommand(branchCommand, params => this.branch(params.index, params.tokenId));
        this.connection.onCommand(cancelBranchCommand, params => this.branchRuns.get(params.id)?.abort());
        this.connection.onRequest(exportRequest, params => this.export(params.format));
        this.connection.onRequest(compareModelRequest, async () => {
            const state = await this.compareWith();
            return state.comparison !== undefined ? { other: state.comparison.other } : {};
        });
        this.connection.onCommand(closeComparisonCommand, () => {
            this.comparing?.abort();
            this.update({ comparison: undefined });
        });
    }

    /** Renders `uri` as Run Prompt does and computes its probabilities with a cancellable progress notification. */
    async computeFor(uri: vscode.Uri): Promise<PanelState> {
        const abort = this.begin(basename(uri.path), uri.toString(), false, { branches: [], comparison: undefined, speculation: undefined });
        this.inspected = undefined;
        const outcome = await this.preparePanelPrompt(uri);
        if ('failed' in outcome) return this.fail(abort, outcome.failed);
        const { ready } = outcome;
        const sampling: SamplingOptions = { ...this.options.config.samplingDefaults, ...ready.prepared.sampling };
        const { lora } = ready.prepared;
        const request = probabilityRequest(ready.prepared.messages, sampling, lora.length > 0 ? { lora } : {});
        const setting = ready.prepared.settings.backend;
        const backendRequest: BackendRequest = { ...(setting !== undefined ? { setting } : {}), promptName: basename(uri.path) };
        if (this.options.backends.choose(backendRequest).kind === 'server') return this.evaluateOnServer(abort, request, sampling, backendRequest);
        this.serverReport = false;
        return this.evaluate(abort, request, sampling);
    }

    /**
     * Computes the probabilities of a run given as a request (the playground's last run): its prompt, sampling and
     * adapters, with its generated tokens scored rather than sampled again.
     */
    async computeRequest(request: InspectionRequest): Promise<PanelState> {
        // The sources belong to exactly the generated tokens scored here; a recompute of the same request keeps them.
        const speculation = request.generated !== undefined ? request.speculation : undefined;
        const abort = this.begin(request.title, undefined, true, { branches: [], comparison: undefined, speculation });
        this.inspected = request;
        const { lora, generated } = request;
        return this.evaluate(abort, probabilityRequest(request.prompt, request.sampling, {
            ...(lora !== undefined ? { lora } : {}), ...(generated !== undefined ? { generated } : {}),
        }), request.sampling);
    }

    /**
     * The report of a prompt that runs on a server: its generated tokens with the alternatives the server lists, marked
     * with what they measure ({@link ProbabilityReport.view}); the prompt's own tokens are not scored (a server does not).
     */
    private async evaluateOnServer(abort: AbortController, request: TokenProbabilitiesRequest, sampling: SamplingOptions, backendRequest: BackendRequest): Promise<PanelState> {
        this.sampling = sampling;
        this.lora = request.lora;
        this.serverReport = true;
        this.update({ sampling: formatSampling({ ...request.sampling, maxTokens: request.generate }) });
        const { exact: _exact, ...serverRequest } = request;
        let failure: string | undefined;
        const result = await vscode.window.withProgress({
            location: vscode.ProgressLocation.Notification, title: `Promptscope: token probabilities of ${this.state.title} (server)`, cancellable: true,
        }, (_progress, token) => {
            token.onCancellationRequested(() => abort.abort());
            return this.options.backends.withBackend(backendRequest, async (backend, place) => {
                const scored = await backend.tokenProbabilities(serverRequest, { signal: abort.signal });
                return { ...scored, model: `${scored.model} (server ${place.description.urls?.join(', ') ?? ''})` };
            }, { onFailure: message => { failure = message; } });
        });
        if (this.compute !== abort || this.disposed) return this.state;
        this.compute = undefined;
        if (result === undefined) return this.fail(abort, abort.signal.aborted ? 'cancelled' : failure ?? 'no result (see the Promptscope log)');
        this.options.log.info(`Token probabilities of ${this.state.title} from ${result.model}: ${result.timing.generatedTokens} generated tokens (${result.view}) in ${Math.round(result.timing.ms)} ms`);
        this.update({ phase: 'done', report: result });
        return this.state;
    }

    /** A new computation or the panel's end stops the branches. */
    protected override stopWork(): void {
        for (const run of this.branchRuns.values()) run.abort();
        this.comparing?.abort();
    }

    /**
     * "Compare with model…": the loaded model (the base) and `other` (asked for with a file dialog when not given) on the
     * panel's tokens, with a cancellable progress notification; the panel shows the result in its comparison mode.
     * A refusal (another vocabulary, not a GGUF) is shown in the panel and as a notification. Resolves with the state
     * once the comparison ended; without a report to compare on, or when the dialog is dismissed, nothing runs.
     */
    async compareWith(other?: string): Promise<PanelState> {
        const report = this.state.report;
        if (this.serverReport || report?.view !== undefined) {
            this.update({ comparison: { phase: 'failed', other: other ?? '', message: 'comparing with another model needs the embedded runtime: these probabilities came from a server' } });
            return this.state;
        }
        if (report === undefined || report.tokens.length < 2) {
            this.update({ comparison: { phase: 'failed', other: other ?? '', message: 'there are no token probabilities to compare on yet: compute them first' } });
            return this.state;
        }
        const path = other ?? await pickComparisonModel(this.options.models.model?.path);
        if (path === undefined) return this.state;
        this.comparing?.abort();
        const abort = new AbortController();
        this.comparing = abort;
        const set = (comparison: ModelComparison) => {
            if (this.comparing === abort && !this.disposed) this.update({ comparison });
        };
        set({ phase: 'computing', other: path, message: `Comparing with ${basename(path)}…` });

        const model = await this.options.models.ensureModel();
        if (model === undefined) {
            set({ phase: 'failed', other: path, message: 'no model is loaded to compare with (see the message)' });
            return this.state;
        }
        const tokens = report.tokens.map(t => t.id);
        set({ phase: 'computing', other: path, message: `Comparing ${model.name} with ${basename(path)} on ${tokens.length} tokens…` });
        try {
            const result = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: comparing ${model.name} with ${basename(path)} on ${tokens.length} tokens`,
                cancellable: true,
            }, (_progress, token) => {
                token.onCancellationRequested(() => abort.abort());
                return modelComparisonReport(this.options.models.client, path, tokens, abort.signal);
            });
            const summary: ComparisonSummary = summarizeModelComparison(result);
            this.options.log.info(`Compared ${model.path} with ${result.other} on ${tokens.length} tokens of ${this.state.title}: `
                + `mean KL ${summary.meanKl.estimate} nats, top-1 agreement ${summary.top1Agreement.agreeing}/${summary.positions}`);
            set({ phase: 'done', other: path, report: result, summary });
        } catch (error) {
            if (abort.signal.aborted) {
                this.options.log.info(`Comparing ${this.state.title} with ${path} was cancelled`);
                set({ phase: 'failed', other: path, message: 'cancelled' });
            } else {
                const failure = describeComparisonFailure(error, basename(path));
                this.options.models.showFailure(failure, error);
                set({ phase: 'failed', other: path, message: error instanceof Error ? error.message : String(error) });
            }
        } finally {
            if (this.comparing === abort) this.comparing = undefined;
        }
        return this.state;
    }

    private async evaluate(abort: AbortController, request: TokenProbabilitiesRequest, sampling: SamplingOptions): Promise<PanelState> {
        this.sampling = sampling;
        this.lora = request.lora;
        this.update({ sampling: formatSampling({ ...request.sampling, maxTokens: request.generate }) });

        const result = await this.withProgress(`Promptscope: token probabilities of ${this.state.title}`, abort,
            client => client.tokenProbabilities(request, { signal: abort.signal }));
        if (this.compute !== abort || this.disposed) return this.state;
        this.compute = undefined;
        if (result === undefined) return this.fail(abort, abort.signal.aborted ? 'cancelled' : 'no result (see the Promptscope log)');
        this.options.log.info(`Token probabilities of ${this.state.title}: ${result.timing.promptTokens} prompt + ${result.timing.generatedTokens} generated tokens in ${Math.round(result.timing.ms)} ms`);
        this.update({ phase: 'done', report: result });
        return this.state;
    }

    private fail(abort: AbortController, message: string): PanelState {
        if (this.compute === abort) this.compute = undefined;
        this.update({ phase: 'failed', message });
        return this.state;
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
        if (this.serverReport || report.view !== undefined) {
            // The prompt's tokens are not in a server's report, and the embedded model is another model: refused, not faked.
            Object.assign(branch, { status: 'failed', error: 'branching needs the embedded runtime: these probabilities came from a server' });
            send();
            return;
        }
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
        const text = format === 'json' ? reportToJson(report, this.state.branches) : reportToCsv(report);
        return this.saveExport(format, `${stem}.probabilities.${format}`, format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] }, new TextEncoder().encode(text));
    }
}
