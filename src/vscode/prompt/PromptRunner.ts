import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { formatRetrieval } from '../../core/retrieval/formatRetrieval';
import { treeOfThoughtDefaults } from '../../core/reasoning/treeOfThought';
import { valuePruneBelow } from '../../core/reasoning/thoughtSteps';
import {
    analyzePrompt, formatDiagnostic, inputFields, preparePrompt, PromptError, type PreparedPrompt, type PromptDiagnostic, type TextRange,
} from '../../core/prompt';
import { ContextOverflowError } from '../../shared/errors/ContextOverflowError';
import { ensembleFiles, readVariantSources } from '../../core/reasoning/ensembleFiles';
import { handlingFor, type StrategyModel, type StrategyOutcome } from '../../core/reasoning/executeStrategy';
import { RunHistory } from '../../core/reasoning/history/RunHistory';
import { warnHistoryFailure } from '../warnHistoryFailure';
import { answerText, votesText } from '../../core/reasoning/outcomeText';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { promptRunOf } from '../../core/reasoning/promptRunOf';
import { runStrategy } from '../../core/reasoning/runStrategy';
import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import type { CompletionResult } from '../../shared/runtimeApi';
import type { BackendFeature } from '../../shared/backends';
import type { Backends } from '../backend/Backends';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import type { PathRequest, TrustGate } from '../TrustGate';
import { OutputDocuments } from './OutputDocuments';
import { formatRunHeader, type RunHeader } from './outputHeader';
import type { PromptInputs } from './PromptInputs';
import { activePromptDocument, isPromptDocument, partialsFor, promptDocumentOf, promptName, toRange } from './promptSource';
import { RunTranscript } from './RunTranscript';
import { ReasoningTracePanel } from './ReasoningTracePanel';
import { reasoningTrace } from '../../core/reasoning/reasoningTrace';
import { reasoningTraceViewType, type TracePanelState } from '../../shared/protocols/reasoningTrace';
import { webviewOptions } from '../webview/webviewResources';
import { describeSpeculativeOptions, describeSpeculativeStats, speculationFor } from '../speculative/speculativeText';

export interface PromptRunnerOptions {
    models: ModelService;
    config: Config;
    log: vscode.LogOutputChannel;
    inputs: PromptInputs;
    outputs: OutputDocuments;
    /** Asks before loading adapters that a prompt's front matter names in an untrusted workspace. */
    trust: Pick<TrustGate, 'allow'>;
    /** Where runs go: the prompt's `promptscope.backend`, else the settings' (the embedded runtime by default). */
    backends: Backends;
    /** Where the trace panel's page and stylesheets are. */
    extensionUri: vscode.Uri;
}

/**
 * Strategies whose trace panel opens by itself after a Run: their output document streams turns that only the tree
 * (follow-ups, thoughts and their values, programs and their output) puts in order. The others' traces open on request.
 */
const autoTraced: readonly ReasoningStrategy[] = ['self-ask', 'tree-of-thought', 'program-aided'];

/** A prompt ready to run with its strategy: what {@link PromptRunner.run} hands to core's `runStrategy`. */
interface RunPlan {
    run: PromptRun;
    strategy: ReasoningStrategy;
    /** Ensemble: every prompt, the main one first, rendered with the same input. */
    variants: PromptRun[] | undefined;
    input: Record<string, unknown>;
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
 * Render Prompt and Run Prompt on a `.prompt` file: a prompt with errors never reaches the model. A run goes
 * through core's `runStrategy`, as `promptscope run` does: the prompt's `promptscope.strategy` (direct, cot,
 * self-consistency, ensemble) on the backend its `promptscope.backend` (else the settings) chooses: the one shared
 * model of {@link ModelService}, its `promptscope.lora` applied per request, or an OpenAI-compatible server; and a
 * line appended to the run history of the workspace folder. Only the presentation is the editor's:
 * a read-only output document beside the prompt, streamed, with the answer and votes in its header.
 */
export class PromptRunner implements vscode.Disposable {
    /** The run in progress per prompt file: a new run of the same file replaces it. */
    private readonly running = new Map<string, AbortController>();
    /** The trace of each prompt's last Run, by prompt URI: Show Reasoning Trace opens it, the panel shows it. */
    private readonly traces = new Map<string, TracePanelState>();
    private readonly tracePanels = new Map<string, ReasoningTracePanel>();

    constructor(private readonly options: PromptRunnerOptions) {}

    /** The trace panel of `prompt`'s runs, if open (tests inspect it). */
    tracePanel(prompt: vscode.Uri): ReasoningTracePanel | undefined {
        return this.tracePanels.get(prompt.toString());
    }

    /**
     * Shows the reasoning trace of the last Run of `target` (else the active prompt) in its panel; resolves with the
     * panel, or undefined (said in a message) when the prompt has not run in this window.
     */
    async showTrace(target?: vscode.Uri): Promise<ReasoningTracePanel | undefined> {
        const document = await this.promptFor(target);
        if (document === undefined) return undefined;
        const state = this.traces.get(document.uri.toString());
        if (state === undefined) {
            void vscode.window.showInformationMessage(`Promptscope: ${promptName(document.uri)} has not run in this window yet: Run Prompt first, then its trace shows.`);
            return undefined;
        }
        return this.openTrace(document.uri, state, vscode.ViewColumn.Beside);
    }

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

    /** Runs the prompt with its strategy and streams the output; returns the output document's URI, `undefined` when nothing ran. */
    async run(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const { models, outputs, log } = this.options;
        const document = await this.promptFor(target);
        if (document === undefined) return undefined;
        const prepared = await this.prepare(document);
        if (prepared === undefined) return undefined;
        const plan = await this.plan(document, prepared);
        if (plan === undefined) return undefined;
        const { run, strategy, variants, input } = plan;
        if (!await this.adaptersAllowed(document, variants ?? [run])) return undefined;

        const key = document.uri.toString();
        this.running.get(key)?.abort();
        const abort = new AbortController();
        this.running.set(key, abort);

        const name = promptName(document.uri);
        const history = this.options.config.historyEnabled ? new RunHistory(undefined, historyFolder(document)) : undefined;
        const header: RunHeader = {
            prompt: name, phase: 'waiting for the model', sampling: run.sampling, adapters: run.lora,
            ...(strategy === 'direct' ? {} : { strategy: describeStrategy(strategy, run, variants) }),
        };
        const backendRequest = { ...(prepared.settings.backend !== undefined ? { setting: prepared.settings.backend } : {}), promptName: name };
        const onServer = this.options.backends.choose(backendRequest).kind === 'server';
        const configuredSpeculation = speculationFor(strategy, run.sampling, this.options.config.speculative);
        // The settings' speculative decoding is the embedded runtime's: a server run says it was not applied, never fakes it.
        const speculative = onServer ? undefined : configuredSpeculation;
        if (speculative !== undefined) header.speculative = describeSpeculativeOptions(speculative);
        if (onServer && configuredSpeculation !== undefined) header.speculative = 'not applied: speculative decoding options need the embedded runtime (start llama-server with a draft model instead)';
        const transcript = new RunTranscript(strategy, run, variants);
        const uri = OutputDocuments.runUri(document.uri);
        // A run replaced by a newer run of the same file stops writing: the document is the newer run's now.
        const show = (flush = false) => {
            if (this.running.get(key) === abort) outputs.set(uri, formatRunHeader(header) + transcript.body, flush);
        };
        show(true);
        const outputEditor = await outputs.show(uri);
        const traceKey = document.uri.toString();
        const traceState = (phase: TracePanelState['phase'], extra: Partial<TracePanelState> = {}): TracePanelState => ({ prompt: name, strategy, phase, ...extra });
        this.tracePanels.get(traceKey)?.show(traceState('running'));

        try {
            const outcome = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: running ${name}${strategy === 'direct' ? '' : ` (${strategy})`}`,
                cancellable: true,
            }, (progress, token) => {
                token.onCancellationRequested(() => abort.abort());
                return this.options.backends.withBackend(backendRequest, async (backend, place): Promise<StrategyOutcome | undefined> => {
                    if (abort.signal.aborted) return undefined;
                    if (place.model !== undefined) header.model = place.model;
                    else header.server = place.description;
                    header.phase = 'generating';
                    show(true);
                    let generated = 0;
                    let last: CompletionResult | undefined;
                    // The backend as the strategies see it, watched for the status bar's speed and a direct run's timing.
                    const watched: StrategyModel = {
                        async chat(request, options) {
                            last = await backend.chat(speculative !== undefined ? { ...request, speculative } : request, options);
                            models.recordRun(last.timing);
                            return last;
                        },
                        chatMany(request, options) {
                            progress.report({ message: `sampling ${request.n} paths` });
                            return backend.chatMany(request, options);
                        },
                        // Tree-of-thought's value evaluator scores labels (on a server: from its top log-probabilities).
                        async scoreContinuations(request, options) {
                            const scored = await backend.scoreContinuations(request, options);
                            // A label below the server's listed alternatives has only an upper bound: said, not hidden.
                            if (scored.bounded.length > 0) {
                                log.warn(`${name}: label scores of ${scored.bounded.map(b => JSON.stringify(b.text)).join(', ')} are upper bounds: `
                                    + `a token was below the ${scored.bounded[0]!.listed} alternatives the server listed`);
                            }
                            return scored;
                        },
                    };
                    try {
                        const outcome = await runStrategy(watched, run, {
                            strategy, flags: {}, variants, adapters: 'prompt', signal: abort.signal, embedder: this.options.models.client,
                            onToken: (chunk, generation) => {
                                transcript.append(chunk.text, generation);
                                generated += chunk.tokens.length;
                                progress.report({ message: `${generated} tokens` });
                                show();
                            },
                        }, { command: 'vscode-run', history, input, model: place.recorded, modelLora: place.model?.lora ?? [] });
                        if (strategy === 'direct' && last !== undefined) {
                            header.timing = last.timing;
                            if (last.speculative !== undefined) header.speculative = describeSpeculativeStats(last.speculative, last.timing);
                        } else {
                            const seconds = outcome.ms / 1000;
                            header.timing = {
                                promptTokens: outcome.tokens.prompt, generatedTokens: outcome.tokens.generated, ms: outcome.ms,
                                tokensPerSecond: seconds > 0 ? outcome.tokens.generated / seconds : 0,
                            };
                        }
                        return outcome;
                    } catch (error) {
                        throw this.describeRunError(error, name, header);
                    }
                }, { onFailure: message => { header.error = message; } });
            });
            if (outcome === undefined) {
                header.phase = abort.signal.aborted ? 'cancelled' : 'failed';
                header.error ??= abort.signal.aborted ? undefined : models.model === undefined && !onServer ? 'no model is loaded' : undefined;
                this.tracePanels.get(traceKey)?.show(traceState(abort.signal.aborted ? 'cancelled' : 'failed', header.error === undefined ? {} : { message: header.error }));
            } else {
                transcript.finish(outcome);
                header.phase = abort.signal.aborted || outcome.stopReason === 'aborted' ? 'cancelled' : 'done';
                header.stopReason = outcome.stopReason;
                header.seed = outcome.seed;
                if (strategy !== 'direct' || run.settings.answer !== undefined) header.answer = answerText(outcome);
                if (outcome.votes !== undefined) header.votes = votesText(outcome);
                if (history !== undefined) header.history = history.failure === undefined ? history.path : `not written: ${history.failure.problem}`;
                const where = header.server !== undefined ? ` on ${header.server.model} at ${header.server.urls?.join(', ')}` : '';
                const traced = traceState(header.phase === 'cancelled' ? 'cancelled' : 'done', { trace: reasoningTrace(outcome) });
                // A run replaced by a newer one leaves the trace to the newer run.
                if (this.running.get(key) === abort) {
                    this.traces.set(traceKey, traced);
                    if (this.tracePanels.has(traceKey) || autoTraced.includes(strategy)) this.openTrace(document.uri, traced, outputEditor.viewColumn ?? vscode.ViewColumn.Beside);
                }
                log.info(`Ran ${name} (${strategy})${where}: ${outcome.tokens.prompt} prompt + ${outcome.tokens.generated} generated tokens, `
                    + `${Math.round(outcome.ms)} ms, answer ${outcome.answer ?? '(none)'}; history ${history?.path ?? 'off'}`);
            }
            show(true);
            warnHistoryFailure(history, log);
            return outcome === undefined ? undefined : uri;
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
        if (prepared === undefined) return undefined;
        if (!await this.adaptersAllowed(document, [{ file: prepared.file, lora: prepared.lora }])) return undefined;
        return { document, prepared };
    }

    /**
     * Why `feature` (attention, beam search…: the embedded runtime's) cannot run for a prepared prompt whose backend is
     * a server, or undefined when it can; the caller states it in its panel and a notification, and runs nothing.
     */
    embeddedOnly(feature: BackendFeature, prepared: PreparedPrompt, document: vscode.TextDocument): string | undefined {
        const setting = prepared.settings.backend;
        const refused = this.options.backends.unsupported(feature, { ...(setting !== undefined ? { setting } : {}), promptName: promptName(document.uri) });
        if (refused !== undefined) {
            this.options.log.warn(`${promptName(document.uri)}: ${refused}`);
            void vscode.window.showWarningMessage(`Promptscope: ${refused}`);
        }
        return refused;
    }

    /**
     * Whether the adapters the prompts' front matter names (`promptscope.lora`) may be loaded. In an untrusted workspace
     * Workspace Trust asks once per path, showing it and the file that names it (TrustGate); when declined, nothing
     * runs and the error says which adapter was not loaded and why.
     */
    private async adaptersAllowed(document: vscode.TextDocument, runs: readonly { file: string | undefined; lora: readonly { path: string }[] }[]): Promise<boolean> {
        const requests: PathRequest[] = runs.flatMap(run => run.lora.map(adapter => ({
            kind: 'adapter' as const, ref: adapter.path, origin: 'workspaceFile' as const, source: run.file ?? document.uri,
        })));
        if (requests.length === 0 || await this.options.trust.allow(requests)) return true;
        const paths = [...new Set(requests.map(r => r.ref))];
        this.showProblem({
            file: promptName(document.uri),
            message: `not loading the adapter${paths.length > 1 ? 's' : ''} ${paths.join(', ')} named in promptscope.lora: this workspace is not trusted `
                + 'and loading was declined, so the prompt did not run. Trust the workspace (Workspaces: Manage Workspace Trust) to use it.',
        });
        return false;
    }

    dispose(): void {
        for (const abort of this.running.values()) abort.abort();
        this.running.clear();
        for (const panel of [...this.tracePanels.values()]) panel.dispose();
        this.tracePanels.clear();
    }

    /** Shows `state` in the prompt's trace panel, opened in `column` (without taking the focus) when there is none. */
    private openTrace(prompt: vscode.Uri, state: TracePanelState, column: vscode.ViewColumn): ReasoningTracePanel {
        const key = prompt.toString();
        const open = this.tracePanels.get(key);
        if (open !== undefined) {
            open.show(state);
            open.panel.reveal(undefined, true);
            return open;
        }
        const webviewPanel = vscode.window.createWebviewPanel(reasoningTraceViewType, `Trace: ${state.prompt}`,
            { viewColumn: column, preserveFocus: true }, { ...webviewOptions(this.options.extensionUri), retainContextWhenHidden: false });
        const folder = prompt.scheme === 'file' ? vscode.Uri.file(dirname(prompt.fsPath)) : undefined;
        const panel = new ReasoningTracePanel(webviewPanel, { log: this.options.log, extensionUri: this.options.extensionUri, folder }, state);
        this.tracePanels.set(key, panel);
        panel.onDidDispose(() => {
            if (this.tracePanels.get(key) === panel) this.tracePanels.delete(key);
        });
        return panel;
    }

    /**
     * The prompt as the strategies run it, with its strategy and, for an ensemble, its variants rendered with the
     * same input; `undefined` (with the problem shown) when the settings cannot work, before any model is loaded.
     */
    private async plan(document: vscode.TextDocument, prepared: PreparedPrompt & { input: Record<string, unknown> }): Promise<RunPlan | undefined> {
        const name = promptName(document.uri);
        const file = document.uri.scheme === 'file' ? document.uri.fsPath : undefined;
        const defaults = this.options.config.samplingDefaults;
        const run = promptRunOf(prepared, defaults);
        const strategy = prepared.settings.strategy ?? 'direct';
        try {
            handlingFor(run);
            if (strategy !== 'ensemble') return { run, strategy, variants: undefined, input: prepared.input };
            const files = file === undefined ? [] : (await ensembleFiles(file, prepared.settings)).slice(1);
            if (files.length === 0) {
                this.showProblem({ file: name, message: `an ensemble needs prompt variants: list them in promptscope.variants, or add ${name.replace(/\.prompt$/, '')}.VARIANT.prompt files beside it` });
                return undefined;
            }
            const variants = [run];
            for (const variantFile of files) {
                const variant = await preparePrompt((await readVariantSources([variantFile]))[0]!, { input: prepared.input });
                const variantRun = promptRunOf(variant, defaults);
                handlingFor(variantRun);
                variants.push(variantRun);
            }
            return { run, strategy, variants, input: prepared.input };
        } catch (error) {
            if (error instanceof PromptError) {
                const where = error.path ?? file;
                this.showProblem({
                    file: where === undefined ? name : basename(where), message: error.detail, range: error.range,
                    uri: where === undefined ? document.uri : vscode.Uri.file(where),
                });
            } else {
                this.showProblem({ file: name, message: error instanceof Error ? error.message : String(error) });
            }
            return undefined;
        }
    }

    /** The prompt to run: the one given (CodeLens, editor title), else the active one (see activePromptDocument). */
    private async promptFor(target: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
        const document = target !== undefined ? await vscode.workspace.openTextDocument(target) : activePromptDocument();
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
    private async prepare(document: vscode.TextDocument): Promise<(PreparedPrompt & { input: Record<string, unknown> }) | undefined> {
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
            // The runtime client embeds a `promptscope.retrieval` query (with the index's model, no model load needed).
            const prepared = await preparePrompt(doc, { input, partials, embedder: this.options.models.client });
            // In the CLI's words (FILE:LINE:COLUMN: warning: MESSAGE): one preparation, one way to say what it found.
            for (const warning of prepared.warnings) this.options.log.warn(formatDiagnostic(warning, prepared.file ?? name));
            if (prepared.retrieval !== undefined) this.options.log.info(`${name}: ${formatRetrieval(prepared.retrieval).trimEnd()}`);
            return { ...prepared, input };
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

    /** Names the prompt in the runtime's error (a too-long prompt says so, not just "N tokens"), keeping its class for the buttons. */
    private describeRunError(error: unknown, name: string, header: RunHeader): unknown {
        if (!(error instanceof Error)) return error;
        header.error = error.message;
        if (!(error instanceof ContextOverflowError)) return error;
        const named = new ContextOverflowError(error.promptTokens, error.contextSize);
        named.message = `${name}: ${error.message}`;
        return named;
    }
}

function problemOf(diagnostic: PromptDiagnostic, document: vscode.TextDocument, more: number): Problem {
    const suffix = more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''}: see the Problems view)` : '';
    return { file: promptName(document.uri), message: diagnostic.message + suffix, range: diagnostic.range, uri: document.uri };
}

/** The run history's folder: the prompt's workspace folder, else the prompt's own folder (as Evaluate Prompt on Dataset does). */
function historyFolder(document: vscode.TextDocument): string | undefined {
    return vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? (document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined);
}

/** The header's Strategy line. */
function describeStrategy(strategy: ReasoningStrategy, run: PromptRun, variants: readonly PromptRun[] | undefined): string {
    switch (strategy) {
        case 'cot':
            return run.settings.cot === 'few-shot'
                ? 'cot, few-shot (the prompt\'s exemplars show the reasoning)'
                : 'cot, zero-shot ("Let\'s think step by step.", then "Therefore, the answer is")';
        case 'self-consistency':
            return `self-consistency, ${run.settings.samples ?? selfConsistencyDefaults.samples} paths at temperature ${selfConsistencyDefaults.temperature}, majority vote`;
        case 'ensemble':
            return `ensemble of ${variants?.length ?? 1} prompts (${(variants ?? [run]).map(v => v.file === undefined ? '(text)' : basename(v.file)).join(', ')}), majority vote`;
        case 'direct':
            return 'direct';
        case 'self-ask':
            return `self-ask: follow-up questions (at most ${run.settings.selfAsk?.maxFollowUps ?? 3}) answered before the final answer`
                + `${(run.settings.samples ?? 1) > 1 ? `; ${run.settings.samples} chains at temperature ${selfConsistencyDefaults.temperature} vote` : ''}`;
        case 'tree-of-thought': {
            const tot = { ...treeOfThoughtDefaults, ...run.settings.tot };
            const search = tot.search === 'depth'
                ? `depth-first (at most ${tot.beamWidth * tot.maxDepth} states expanded, pruned below ${tot.pruneBelow ?? (tot.evaluator === 'vote' ? 'half an even vote share' : valuePruneBelow)})`
                : `breadth-first, beam ${tot.beamWidth}`;
            return `tree-of-thought: ${tot.thoughts} thoughts per state, ${search}, depth ${tot.maxDepth}, ${tot.evaluator} evaluator`
                + `${(run.settings.samples ?? 1) > 1 ? `; ${run.settings.samples} searches vote` : ''}`;
        }
        case 'program-aided': {
            const samples = run.settings.samples ?? 1;
            return `program-aided: the model writes a JavaScript program, a QuickJS sandbox runs it${samples > 1 ? `; ${samples} programs vote` : ''}`;
        }
    }
}
