import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
    analyzePrompt, inputFields, preparePrompt, PromptError, type PreparedPrompt, type PromptDiagnostic, type TextRange,
} from '../../core/prompt';
import type { CompletionResult, SamplingOptions } from '../../shared/runtimeApi';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import { OutputDocuments } from './OutputDocuments';
import { formatRunHeader, type RunHeader } from './outputHeader';
import type { PromptInputs } from './PromptInputs';
import { isPromptDocument, partialsFor, promptDocumentOf, promptName, toRange } from './promptSource';

export interface PromptRunnerOptions {
    models: ModelService;
    config: Config;
    log: vscode.LogOutputChannel;
    inputs: PromptInputs;
    outputs: OutputDocuments;
}

/** A problem that stops a run before it starts, with where it is. */
interface Problem {
    file: string;
    message: string;
    range?: TextRange;
    uri?: vscode.Uri;
}

const goToProblem = 'Go to Problem';

/**
 * Render Prompt and Run Prompt on a `.prompt` file, through the same core path as `promptscope run`
 * (analyze, inputs, preparePrompt): a prompt with errors never reaches the model. Runs use the one shared
 * model of {@link ModelService} and stream into a read-only output document beside the prompt.
 */
export class PromptRunner implements vscode.Disposable {
    /** The run in progress per prompt file: a new run of the same file replaces it. */
    private readonly running = new Map<string, AbortController>();

    constructor(private readonly options: PromptRunnerOptions) {}

    /** Opens the rendered prompt (Dotprompt's RenderedPrompt as JSON); returns its URI, `undefined` when it did not render. */
    async render(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const document = await this.promptFor(target);
        if (document === undefined) return undefined;
        const prepared = await this.prepare(document);
        if (prepared === undefined) return undefined;
        const uri = OutputDocuments.renderUri(document.uri);
        this.options.outputs.set(uri, JSON.stringify(prepared.rendered, null, 2) + '\n', true);
        await this.options.outputs.show(uri);
        return uri;
    }

    /** Runs the prompt and streams the output; returns the output document's URI, `undefined` when nothing ran. */
    async run(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const { models, outputs, config, log } = this.options;
        const document = await this.promptFor(target);
        if (document === undefined) return undefined;
        const prepared = await this.prepare(document);
        if (prepared === undefined) return undefined;

        const key = document.uri.toString();
        this.running.get(key)?.abort();
        const abort = new AbortController();
        this.running.set(key, abort);

        const name = promptName(document.uri);
        const sampling: SamplingOptions = { ...config.samplingDefaults, ...prepared.sampling };
        const header: RunHeader = { prompt: name, phase: 'waiting for the model', sampling, adapters: prepared.lora };
        const uri = OutputDocuments.runUri(document.uri);
        let body = '';
        // A run replaced by a newer run of the same file stops writing: the document is the newer run's now.
        const show = (flush = false) => {
            if (this.running.get(key) === abort) outputs.set(uri, formatRunHeader(header) + body, flush);
        };
        show(true);
        await outputs.show(uri);

        try {
            const result = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: running ${name}`,
                cancellable: true,
            }, (progress, token) => {
                token.onCancellationRequested(() => abort.abort());
                return models.withModel(async (client, model): Promise<CompletionResult | undefined> => {
                    if (abort.signal.aborted) return undefined;
                    header.model = model;
                    header.phase = 'generating';
                    show(true);
                    let generated = 0;
                    try {
                        // The prompt's own adapters apply to this run only (a context with them, kept for the next
                        // run), on top of nothing: the setting promptscope.lora is the shared model's default instead.
                        const lora = prepared.lora.length > 0 ? { lora: prepared.lora } : {};
                        return await client.chat({ messages: prepared.messages, sampling, ...lora }, {
                            signal: abort.signal,
                            onToken: chunk => {
                                body += chunk.text;
                                generated += chunk.tokens.length;
                                progress.report({ message: `${generated} tokens` });
                                show();
                            },
                        });
                    } catch (error) {
                        throw this.describeRunError(error, name, header);
                    }
                });
            });
            if (result === undefined) {
                header.phase = abort.signal.aborted ? 'cancelled' : 'failed';
                header.error ??= abort.signal.aborted ? undefined : models.model === undefined ? 'no model is loaded' : undefined;
            } else {
                header.phase = result.stopReason === 'aborted' ? 'cancelled' : 'done';
                header.timing = result.timing;
                header.stopReason = result.stopReason;
                header.seed = result.seed;
                models.recordRun(result.timing);
                log.info(`Ran ${name}: ${result.timing.promptTokens} prompt + ${result.timing.generatedTokens} generated tokens, `
                    + `${result.timing.tokensPerSecond.toFixed(1)} tokens/s, stop: ${result.stopReason}`);
            }
            show(true);
            return result === undefined ? undefined : uri;
        } finally {
            if (this.running.get(key) === abort) this.running.delete(key);
        }
    }

    /**
     * The prompt rendered and prepared exactly as {@link run} would send it (checks, inputs, partials), for features
     * that run it their own way (token probabilities); `undefined` when it did not render (the problem was shown).
     */
    async prepareFor(target?: vscode.Uri): Promise<{ document: vscode.TextDocument; prepared: PreparedPrompt } | undefined> {
        const document = await this.promptFor(target);
        if (document === undefined) return undefined;
        const prepared = await this.prepare(document);
        return prepared === undefined ? undefined : { document, prepared };
    }

    dispose(): void {
        for (const abort of this.running.values()) abort.abort();
        this.running.clear();
    }

    /** The prompt to run: the one given (CodeLens, editor title), else the active editor's. */
    private async promptFor(target: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
        const document = target !== undefined ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
        if (document === undefined || !isPromptDocument(document)) {
            void vscode.window.showErrorMessage('Promptscope: open a .prompt file to run or render it.');
            return undefined;
        }
        return document;
    }

    /**
     * Checks, asks for inputs, and renders: `undefined` (with the problem shown) when the prompt has errors or
     * the user cancelled. Uses the editor's text, unsaved changes included.
     */
    private async prepare(document: vscode.TextDocument): Promise<PreparedPrompt | undefined> {
        const doc = promptDocumentOf(document);
        const partials = partialsFor(document);
        const name = promptName(document.uri);
        const errors = (await analyzePrompt(doc, { partials })).filter(d => d.severity === 'error');
        if (errors.length > 0) {
            this.showProblem(problemOf(errors[0]!, document, errors.length - 1));
            return undefined;
        }
        const input = await this.options.inputs.ask(document.uri, await inputFields(doc));
        if (input === undefined) {
            this.options.log.info(`${name}: cancelled while asking for inputs`);
            return undefined;
        }
        try {
            const prepared = await preparePrompt(doc, { input, partials });
            for (const warning of prepared.warnings) this.options.log.warn(`${name}:${warning.range.start.line + 1}: ${warning.message}`);
            return prepared;
        } catch (error) {
            if (!(error instanceof PromptError)) throw error;
            const file = error.path ?? doc.path;
            this.showProblem({
                file: file === undefined ? name : basename(file),
                message: error.detail,
                range: error.range,
                uri: file === undefined ? document.uri : vscode.Uri.file(file),
            });
            return undefined;
        }
    }

    private showProblem(problem: Problem): void {
        const where = problem.range === undefined ? problem.file : `${problem.file}, line ${problem.range.start.line + 1}`;
        const message = `Promptscope: ${where}: ${problem.message}`;
        this.options.log.warn(message);
        const actions = problem.uri !== undefined && problem.range !== undefined ? [goToProblem] : [];
        void vscode.window.showErrorMessage(message, ...actions).then(async action => {
            if (action !== goToProblem || problem.uri === undefined || problem.range === undefined) return;
            const range = toRange(problem.range);
            await vscode.window.showTextDocument(problem.uri, { selection: range });
        });
    }

    /** Names the prompt in the runtime's error (a too-long prompt says so, not just "N tokens"), keeping its class name for the buttons. */
    private describeRunError(error: unknown, name: string, header: RunHeader): unknown {
        if (!(error instanceof Error)) return error;
        header.error = error.message;
        if (error.name !== 'ContextOverflowError') return error;
        const named = new Error(`${name}: ${error.message}`);
        named.name = error.name;
        return named;
    }
}

function problemOf(diagnostic: PromptDiagnostic, document: vscode.TextDocument, more: number): Problem {
    const suffix = more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''}: see the Problems view)` : '';
    return { file: promptName(document.uri), message: diagnostic.message + suffix, range: diagnostic.range, uri: document.uri };
}
