import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import {
    analyzePrompt, preparePrompt, PromptDocument, PromptError, readPromptscopeSettings, type PartialLookup, type PromptSource,
} from '../../core/prompt';
import { checkExpected, readDataset, datasetInput } from '../../core/reasoning/dataset';
import { ensembleFiles, readVariantSources } from '../../core/reasoning/ensembleFiles';
import { evaluateDataset, type PreparedRow } from '../../core/reasoning/evaluateDataset';
import { promptRunOf } from '../../core/reasoning/promptRunOf';
import { handlingFor } from '../../core/reasoning/executeStrategy';
import { RunHistory } from '../../core/reasoning/history/RunHistory';
import { warnHistoryFailure } from '../warnHistoryFailure';
import { runRecord } from '../../core/reasoning/history/runRecord';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { scoreAnswers } from '../../core/reasoning/scoreAnswers';
import { reasoningStrategies, type ReasoningStrategy } from '../../core/reasoning/strategies';
import { evaluationViewType, type EvaluationState, type RowView } from '../../shared/protocols/evaluation';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import type { Backends } from '../backend/Backends';
import { activePromptDocument, isPromptDocument, partialsFor, promptDocumentOf, promptName } from '../prompt/promptSource';
import { webviewOptions } from '../webview/webviewResources';
import { EvaluationPanel } from './EvaluationPanel';
import { evaluationSummary, rowView, strategyPicks, summaryView } from './evaluationState';

export interface PromptEvaluationsOptions {
    models: ModelService;
    config: Config;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
    /** Where the rows run: the prompt's `promptscope.backend`, else the settings' (the embedded runtime by default). */
    backends: Backends;
}

/** What the command may be given instead of asking (tests, other features): any left out is asked for. */
export interface EvaluateOptions {
    /** The dataset file (a path or URI). */
    dataset?: string | vscode.Uri;
    /** A strategy, or `default` for the prompt's own. */
    strategy?: ReasoningStrategy | 'default';
    /** Only the first N rows. */
    limit?: number;
    /** Seed of every row's run (reproducible evaluations). */
    seed?: number;
    /**
     * Self-consistency paths per row (default: promptscope.samples, else 5); program-aided, tree-of-thought and
     * self-ask: programs, searches or chains voted per row (default: promptscope.samples, else 1).
     */
    samples?: number;
}

/**
 * `Promptscope: Evaluate Prompt on Dataset…`: the active `.prompt` over a `.jsonl`/`.csv` dataset with a chosen
 * strategy, on the backend the prompt or the settings choose (the shared model, or a server with rows in flight up to
 * its slots), through core's {@link evaluateDataset} (the same code as `promptscope eval`, results in row order). Each
 * row is appended to the run history under the workspace folder; the results open in an {@link EvaluationPanel}.
 */
export class PromptEvaluations implements vscode.Disposable {
    private readonly panels = new Set<EvaluationPanel>();
    private readonly running = new Set<AbortController>();

    constructor(private readonly options: PromptEvaluationsOptions) {}

    /** Resolves with the panel once the evaluation ended (done, cancelled or failed); undefined when nothing ran. */
    async evaluate(target?: vscode.Uri, given: EvaluateOptions = {}): Promise<EvaluationPanel | undefined> {
        const { log, config } = this.options;
        const document = target !== undefined ? await vscode.workspace.openTextDocument(target) : activePromptDocument();
        if (document === undefined || !isPromptDocument(document)) {
            void vscode.window.showErrorMessage('Promptscope: open a .prompt file to evaluate it on a dataset.');
            return undefined;
        }
        const name = promptName(document.uri);
        const doc = promptDocumentOf(document);
        const partials = partialsFor(document);
        const errors = (await analyzePrompt(doc, { partials })).filter(d => d.severity === 'error');
        if (errors.length > 0) return this.refuse(`${name}, line ${errors[0]!.range.start.line + 1}: ${errors[0]!.message}`);
        const { settings } = readPromptscopeSettings(doc.frontMatterData());
        const promptPath = document.uri.scheme === 'file' ? document.uri.fsPath : undefined;
        const folder = promptPath === undefined ? undefined : vscode.Uri.file(dirname(promptPath));

        const variantFiles = promptPath === undefined ? [] : (await ensembleFiles(promptPath, settings)).slice(1);
        const datasetUri = given.dataset !== undefined ? toUri(given.dataset) : await this.pickDataset(folder);
        if (datasetUri === undefined) return undefined;
        let strategy: ReasoningStrategy;
        if (given.strategy !== undefined && given.strategy !== 'default') strategy = given.strategy;
        else if (given.strategy === 'default') strategy = settings.strategy ?? 'direct';
        else {
            const pick = await vscode.window.showQuickPick(strategyPicks(settings.strategy, settings.samples, variantFiles.length), {
                title: `Evaluate ${name} on ${basename(datasetUri.path)}`, placeHolder: 'Strategy',
            });
            if (pick === undefined) return undefined;
            strategy = pick.strategy ?? settings.strategy ?? 'direct';
        }
        if (!reasoningStrategies.includes(strategy)) return this.refuse(`unknown strategy ${String(strategy)}`);
        if (given.samples !== undefined && (!Number.isInteger(given.samples) || given.samples < 1)) return this.refuse(`samples must be an integer ≥ 1; got ${given.samples}`);
        if (strategy === 'ensemble' && variantFiles.length === 0) {
            return this.refuse(`an ensemble needs prompt variants: list them in promptscope.variants, or add ${name.replace(/\.prompt$/, '')}.VARIANT.prompt files beside ${name}`);
        }

        // Dataset and first row before the model: bad files and answer settings fail at once, with a clear message.
        const expectedField = settings.expected ?? 'expected';
        let rows;
        let verbalizer;
        let variants: PromptSource[] | undefined;
        try {
            rows = await readDataset(datasetUri.fsPath);
            if (given.limit !== undefined) rows = rows.slice(0, Math.max(1, given.limit));
            checkExpected(datasetUri.fsPath, rows, expectedField, settings.expected !== undefined);
            const first = await this.prepareRun(doc, partials, datasetInput(rows[0]!, expectedField));
            ({ verbalizer } = handlingFor(first));
            // Each variant file is read once; every row renders it again with its own input.
            if (strategy === 'ensemble') variants = await readVariantSources(variantFiles);
        } catch (error) {
            return this.refuse(error instanceof PromptError ? `${name}: ${error.detail}` : error instanceof Error ? error.message : String(error));
        }

        const workspaceFolder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? (promptPath === undefined ? undefined : dirname(promptPath));
        const history = this.options.config.historyEnabled ? new RunHistory(undefined, workspaceFolder) : undefined;
        // Self-consistency samples 5 paths unless told; program-aided, tree-of-thought and self-ask run once unless told.
        const samples = strategy === 'self-consistency' ? given.samples ?? settings.samples ?? 5
            : votingStrategies.includes(strategy) ? given.samples ?? settings.samples : undefined;
        const state: EvaluationState = {
            prompt: name, dataset: basename(datasetUri.path), strategy, ...(samples !== undefined ? { samples } : {}),
            phase: 'running', total: rows.length, rows: [], ...(history !== undefined ? { history: history.path } : {}),
        };
        const panel = this.openPanel(state, folder);
        const abort = new AbortController();
        this.running.add(abort);
        panel.onDidDispose(() => abort.abort());
        const done: RowView[] = [];
        const scored: { expected: string; answer: string | undefined }[] = [];
        const tokens = { prompt: 0, generated: 0 };
        const startedAt = performance.now();
        let failure: string | undefined;

        try {
            const evaluation = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: evaluating ${name} on ${state.dataset} (${strategy})`,
                cancellable: true,
            }, (progress, token) => {
                token.onCancellationRequested(() => abort.abort());
                progress.report({ message: `row 0/${rows.length}` });
                const backendRequest = { ...(settings.backend !== undefined ? { setting: settings.backend } : {}), promptName: name };
                return this.options.backends.withBackend(backendRequest, async (backend, place) => {
                    if (abort.signal.aborted) return undefined;
                    const model = place.recorded;
                    panel.update({ model: place.kind === 'embedded' ? model.name : `${model.name} (server ${place.description.urls?.join(', ') ?? ''})` });
                    // The shared model's adapters are what ran (the prompt's promptscope.lora is not applied to it); a server's are its own.
                    const lora = place.model?.lora ?? [];
                    try {
                        return await evaluateDataset(backend, {
                            strategy, flags: {}, samples, seed: given.seed, rows, expectedField, verbalizer, signal: abort.signal, embedder: this.options.models.client,
                            // A server takes as many rows at once as it has slots; results stay in row order, as one at a time.
                            concurrency: place.concurrency,
                            prepareRow: (input): Promise<PreparedRow> => this.prepareRow(doc, partials, input, variants),
                            onRow: async (row, count, total) => {
                                history?.append(await runRecord({
                                    command: 'vscode-eval', run: row.run, input: row.input, model, sampling: row.run.sampling, lora, outcome: row.outcome,
                                    dataset: { file: datasetUri.fsPath, row: row.index, expected: row.expected, correct: row.correct },
                                }));
                                tokens.prompt += row.outcome.tokens.prompt;
                                tokens.generated += row.outcome.tokens.generated;
                                done.push(rowView(row));
                                scored.push({ expected: row.expected, answer: row.answer });
                                const metrics = scoreAnswers(scored, { labels: verbalizer?.labels });
                                panel.update({ rows: [...done], summary: summaryView(metrics, verbalizer?.labels, tokens, performance.now() - startedAt) });
                                progress.report({ increment: 100 / total, message: `row ${count}/${total}: ${row.answer ?? 'unmapped'} (expected ${row.expected})` });
                            },
                        });
                    } catch (error) {
                        failure = error instanceof PromptError ? `${name}: ${error.detail}` : error instanceof Error ? error.message : String(error);
                        throw error;
                    }
                }, { onFailure: message => { failure = message; } });
            });
            if (evaluation === undefined) {
                panel.update({ phase: abort.signal.aborted ? 'cancelled' : 'failed', message: abort.signal.aborted ? 'cancelled' : failure ?? 'no model (see the Promptscope log)' });
            } else {
                const summary = evaluationSummary(evaluation);
                panel.update({
                    phase: evaluation.cancelled ? 'cancelled' : 'done', summary,
                    ...(evaluation.cancelled ? { message: `cancelled after ${evaluation.results.length} of ${rows.length} rows` } : {}),
                });
                log.info(`Evaluated ${name} on ${state.dataset} (${strategy}): ${evaluation.results.length} rows, accuracy `
                    + `${summary === undefined ? '-' : (summary.accuracy * 100).toFixed(1)}%, unmapped ${summary?.unmapped ?? 0}; history ${history?.path ?? 'off'}`);
            }
            warnHistoryFailure(history, log);
        } finally {
            this.running.delete(abort);
        }
        return panel;
    }

    dispose(): void {
        for (const abort of this.running) abort.abort();
        this.running.clear();
        for (const panel of [...this.panels]) panel.dispose();
        this.panels.clear();
    }

    /** The main prompt rendered with one row's input, and its ensemble variants when asked for. */
    private async prepareRow(doc: PromptDocument, partials: PartialLookup, input: Record<string, unknown>,
        variantSources: readonly PromptSource[] | undefined): Promise<PreparedRow> {
        const run = await this.prepareRun(doc, partials, input);
        if (variantSources === undefined) return { run };
        const variants: PromptRun[] = [run];
        for (const source of variantSources) variants.push(await this.prepareRun(source, undefined, input));
        return { run, variants };
    }

    /** A prompt as the strategies run it: the editor's sampling defaults under the prompt's own `config`. */
    private async prepareRun(source: PromptDocument | PromptSource, partials: PartialLookup | undefined, input: Record<string, unknown>): Promise<PromptRun> {
        // The runtime client embeds a `promptscope.retrieval` query, row by row (the index is read once and kept).
        return promptRunOf(await preparePrompt(source, { input, embedder: this.options.models.client, ...(partials !== undefined ? { partials } : {}) }),
            this.options.config.samplingDefaults);
    }

    private async pickDataset(folder: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
        const picked = await vscode.window.showOpenDialog({
            title: 'Dataset to evaluate the prompt on', openLabel: 'Evaluate', canSelectMany: false,
            filters: { 'Datasets (JSONL, CSV)': ['jsonl', 'csv'] },
            ...(folder !== undefined ? { defaultUri: folder } : {}),
        });
        return picked?.[0];
    }

    private openPanel(state: EvaluationState, folder: vscode.Uri | undefined): EvaluationPanel {
        const webviewPanel = vscode.window.createWebviewPanel(evaluationViewType, `Evaluation: ${state.prompt} on ${state.dataset}`,
            { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
        const panel = new EvaluationPanel(webviewPanel, { log: this.options.log, extensionUri: this.options.extensionUri, folder }, state);
        this.panels.add(panel);
        panel.onDidDispose(() => this.panels.delete(panel));
        return panel;
    }

    private refuse(message: string): undefined {
        this.options.log.warn(`Evaluate Prompt on Dataset: ${message}`);
        void vscode.window.showErrorMessage(`Promptscope: ${message}`);
        return undefined;
    }
}

/** The strategies that run once, or N times with their answers voted when `samples` says N. */
const votingStrategies: readonly ReasoningStrategy[] = ['program-aided', 'tree-of-thought', 'self-ask'];

function toUri(value: string | vscode.Uri): vscode.Uri {
    return typeof value === 'string' ? vscode.Uri.file(value) : value;
}
