import { readFile, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeModelRef, hfUriProblem, isHfUri } from '../../core/model/modelRef';
import { PromptDocument } from '../../core/prompt/PromptDocument';
import { preparePrompt } from '../../core/prompt/preparePrompt';
import { writePromptFile } from '../../core/prompt/promptFile';
import type { SamplingFields } from '../../core/sampling/validateSampling';
import type { CompletionResult } from '../../shared/runtimeApi';
import { buildRequest } from '../../core/panels/playground/buildRequest';
import { adapterSetKey, addAdapterRow, describeAdapters, migrateForm, withAdapters } from '../../core/panels/playground/form';
import { formFromRun } from '../../core/panels/playground/formFromRun';
import {
    addAdapterRequest, chunkNotification, compareCommand, formChangedCommand, historyRequest, loadFormNotification, loadModelCommand,
    openPromptCommand, playgroundViewType, reopenCommand, runCommand, savedFormNotification, savePromptCommand,
    showAttentionCommand, showProbabilitiesCommand, stateNotification, stopCommand, switchModelRequest, tokenizeRequest,
    type CompareRequest, type CompareState, type HistoryEntry, type HostState, type PlaygroundForm, type RunState, type TokenizeResponse,
} from '../../shared/protocols/playground';
import type { AttentionPanel } from '../attention/AttentionPanel';
import type { AttentionPanels } from '../attention/AttentionPanels';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { limitOutput } from '../inspection/limitOutput';
import { maxPanelGeneration } from '../probabilities/probabilityRequest';
import { maxAttentionTokens } from '../../shared/protocols/attention';
import type { TokenProbabilitiesPanel } from '../probabilities/TokenProbabilitiesPanel';
import type { TokenProbabilitiesPanels } from '../probabilities/TokenProbabilitiesPanels';
import { runCompare } from './runCompare';
import { PlaygroundHistory } from './PlaygroundHistory';
import { CommandId } from '../commandIds';
import type { ModelService } from '../ModelService';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import type { PlaygroundFormStore } from './PlaygroundFormStore';
import type { RecentModels } from '../RecentModels';

export interface PlaygroundViewOptions {
    models: ModelService;
    store: PlaygroundFormStore;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
    /** The recent models the model section switches among (none: the section lists none). */
    recent?: RecentModels;
    /** Where runs are recorded. Defaults to the run history of the first (file) workspace folder. */
    history?: PlaygroundHistory;
    /** Show probabilities for the last run opens its panel here. Defaults to none (the command says so). */
    probabilities?: Pick<TokenProbabilitiesPanels, 'showRequest'>;
    /** Show attention for the last run opens its panel here. Defaults to none (the command says so). */
    attention?: Pick<AttentionPanels, 'showRequest'>;
}

/** The last finished run, as the inspection panels need it. */
interface LastRun {
    id: number;
    /** Model file it ran on: its token ids mean nothing to another model. */
    modelPath: string;
    /** Tokens of its rendered prompt: the attention map has room for 512 tokens in all. */
    promptTokens: number;
    request: InspectionRequest;
}

/** One probabilities and one attention panel serve the playground, each showing its latest inspected run. */
const inspectionKey = 'playground';

function workspaceFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.find(f => f.uri.scheme === 'file')?.uri.fsPath;
}

const message = (error: unknown) => error instanceof Error ? error.message : String(error);

/**
 * The playground side view: runs the form's prompt on the shared model with streamed output, tokenizes words for the
 * logit bias editor, and keeps the form in workspaceState. The run lives here, not in the webview, so hiding the
 * view (which destroys its page) neither stops a run nor loses its output.
 */
export class PlaygroundView implements vscode.WebviewViewProvider, vscode.Disposable {
    private view: vscode.WebviewView | undefined;
    private connection: WebviewConnection | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private run: RunState = { id: 0, phase: 'idle', output: '' };
    private abort: AbortController | undefined;
    private loads = 0;
    private compareState: CompareState | undefined;
    private compareAbort: AbortController | undefined;
    private notice: string | undefined;
    /** Adapter set of the previous run (adapterSetKey), to say when a run needs another context. */
    private lastAdapterSet: string | undefined;
    /** The seed the last finished run used: Save as .prompt writes it when the form leaves the seed unlocked. */
    private lastRunSeed: number | undefined;
    private lastRun: LastRun | undefined;
    readonly history: PlaygroundHistory;
    private readonly chunks = new vscode.EventEmitter<{ runId: number; text: string }>();
    /** Fires with every streamed piece of a run's output, as the view receives it. */
    readonly onDidStreamChunk = this.chunks.event;

    constructor(private readonly options: PlaygroundViewOptions) {
        this.history = options.history ?? new PlaygroundHistory(workspaceFolder);
        // The last result of an earlier window: the page shows it until the next compare replaces it.
        this.compareState = options.store.loadCompare();
        this.disposables.push(
            vscode.window.registerWebviewViewProvider(playgroundViewType, this),
            options.models.onDidChangeModel(() => this.sendState()),
            options.models.onDidChangeLoading(() => this.sendState()),
        );
    }

    /** What the view shows of the host's side (for tests). */
    get state(): HostState {
        const model = this.options.models.model;
        const loading = this.options.models.loadingModel;
        return {
            ...(model !== undefined ? { model: { name: model.name, backend: model.backend, quantization: model.quantization, details: {
                path: model.path, architecture: model.architecture, fileSizeBytes: model.fileSizeBytes, parameters: model.parameters,
                trainContextLength: model.trainContextLength, contextSize: model.contextSize, chatTemplate: model.chatTemplate !== undefined && model.chatTemplate !== '',
            } } } : {}),
            ...(this.options.recent !== undefined ? { recentModels: this.options.recent.list.map(m => ({ ref: m.ref, ...describeModelRef(m.ref) })) } : {}),
            ...(loading !== undefined ? { loading } : {}),
            run: this.run,
            ...(model !== undefined ? { modelPath: model.path } : {}),
            ...(this.compareState !== undefined ? { compare: this.compareState } : {}),
            ...(this.notice !== undefined ? { notice: this.notice } : {}),
            ...(this.lastRun !== undefined ? { lastRun: { id: this.lastRun.id, generatedTokens: this.lastRun.request.generated?.length ?? 0 } } : {}),
        };
    }

    /** How many times a page of the view said `ready`, i.e. ran its script through without throwing (for tests). */
    get pageLoads(): number {
        return this.loads;
    }

    /** The view's webview while it exists (created when the view is first shown). */
    get webview(): vscode.Webview | undefined {
        return this.view?.webview;
    }

    resolveWebviewView(view: vscode.WebviewView): void {
        this.connection?.dispose();
        this.view = view;
        const connection = new WebviewConnection(view.webview, this.options.log);
        this.connection = connection;
        connection.onReady(() => {
            this.loads++;
            void connection.notify(savedFormNotification, this.options.store.load());
            this.sendState();
        });
        connection.onCommand(runCommand, form => this.runForm(form));
        connection.onCommand(stopCommand, () => this.stop());
        connection.onCommand(loadModelCommand, () => vscode.commands.executeCommand(CommandId.loadModel));
        connection.onCommand(formChangedCommand, form => this.options.store.save(form));
        connection.onRequest(tokenizeRequest, params => this.tokenize(params.word));
        connection.onRequest(switchModelRequest, ({ ref }) => this.switchModel(ref));
        connection.onRequest(addAdapterRequest, () => this.pickAdapter());
        connection.onCommand(compareCommand, request => this.compare(request));
        connection.onCommand(savePromptCommand, form => this.savePrompt(form));
        connection.onCommand(openPromptCommand, () => this.openPrompt());
        connection.onRequest(historyRequest, () => this.history.list());
        connection.onCommand(reopenCommand, ({ key, run }) => this.reopen(key, run));
        connection.onCommand(showProbabilitiesCommand, () => this.showProbabilities());
        connection.onCommand(showAttentionCommand, () => this.showAttention());
        view.onDidDispose(() => {
            if (this.connection === connection) {
                connection.dispose();
                this.connection = undefined;
                this.view = undefined;
            }
        });
        loadWebviewPage(view.webview, this.options.extensionUri, 'playground', 'Promptscope Playground');
    }

    /** Runs `form` (saving it first) and resolves when the run has ended; also what tests call. */
    async runForm(form: PlaygroundForm): Promise<RunState> {
        await this.options.store.save(form);
        this.abort?.abort();
        const id = this.run.id + 1;
        const precheck = buildRequest(form, this.options.models.model?.path);
        if (!precheck.ok) return this.update({ id, phase: 'failed', output: '', fieldErrors: precheck.errors });
        const abort = new AbortController();
        this.abort = abort;
        this.update({ id, phase: 'running', output: '' });

        const { models } = this.options;
        const model = await models.ensureModel();
        if (this.run.id !== id) return this.run;
        if (model === undefined) return this.finish(id, abort, { phase: 'failed', error: 'No model is loaded: use Load Model…' });
        if (abort.signal.aborted) return this.finish(id, abort, { phase: 'stopped' });
        // Again with the model now loaded: its adapter list applies.
        const built = buildRequest(form, model.path);
        if (!built.ok) return this.finish(id, abort, { phase: 'failed', fieldErrors: built.errors });
        const adapterSet = adapterSetKey(built.run.lora);
        const adapterNote = this.lastAdapterSet === undefined || this.lastAdapterSet === adapterSet
            ? `Adapters: ${describeAdapters(built.run.lora)}.`
            : `Adapters changed to ${describeAdapters(built.run.lora)}: the runtime switches to a context with this set (llama.cpp fixes adapters when a context is created, so a set's first run builds one; recent sets' contexts are kept).`;
        this.run = { ...this.run, adapterNote };

        const onToken = ({ text }: { text: string }) => {
            if (this.run.id !== id || text === '') return;
            this.run = { ...this.run, output: this.run.output + text };
            void this.connection?.notify(chunkNotification, { runId: id, text });
            this.chunks.fire({ runId: id, text });
        };
        const run = built.run;
        const lora = run.lora !== undefined ? { lora: run.lora } : {};
        let result: CompletionResult;
        try {
            result = run.mode === 'raw'
                ? await models.client.complete({ prompt: run.prompt, sampling: run.sampling, ...lora }, { signal: abort.signal, onToken })
                : await models.client.chat({ messages: run.messages, sampling: run.sampling, ...lora }, { signal: abort.signal, onToken });
            this.lastAdapterSet = adapterSet;
        } catch (error) {
            // Runtime errors (a GBNF grammar that does not parse, an unloaded model) belong in the view, not a popup.
            const message = error instanceof Error ? error.message : String(error);
            this.options.log.warn(`Playground run failed: ${message}`);
            return this.finish(id, abort, { phase: 'failed', error: message });
        }
        models.recordRun(result.timing);
        this.lastRunSeed = result.seed;
        this.lastRun = {
            id, modelPath: model.path, promptTokens: result.timing.promptTokens,
            request: {
                key: inspectionKey, title: `playground run ${id}`,
                prompt: run.mode === 'raw' ? run.prompt : run.messages,
                // The seed the run drew, so a branch or a resample in the panel draws as the run did.
                sampling: { ...run.sampling, seed: result.seed },
                ...lora, generated: result.tokens,
            },
        };
        if (result.stopReason !== 'aborted') {
            try {
                await this.history.append(form, run, model, result);
            } catch (error) {
                this.options.log.warn(`Playground: could not write the run history: ${message(error)}`);
            }
        }
        return this.finish(id, abort, {
            phase: result.stopReason === 'aborted' ? 'stopped' : 'done',
            // The streamed chunks may miss a trailing partial character the final text completes.
            output: result.text,
            stats: {
                promptTokens: result.timing.promptTokens,
                generatedTokens: result.timing.generatedTokens,
                timeToFirstTokenMs: result.timing.timeToFirstTokenMs,
                tokensPerSecond: result.timing.tokensPerSecond,
                stopReason: result.stopReason,
                seed: result.seed,
            },
        });
    }

    /**
     * Loads a recent model or an `hf:` URI (validated first) through ModelService.load: the same progress notification,
     * cancel and download as Load Model…. Answers why it did not load.
     */
    async switchModel(ref: string): Promise<{ ok: true } | { error: string }> {
        const trimmed = ref.trim();
        if (trimmed.startsWith('hf') || trimmed.startsWith('huggingface')) {
            const problem = hfUriProblem(trimmed);
            if (problem !== undefined) return { error: problem };
        } else if (trimmed === '') {
            return { error: 'Choose a model.' };
        }
        const info = await this.options.models.load({ ref: trimmed, origin: 'user' });
        this.sendState();
        return info !== undefined ? { ok: true }
            : { error: `${isHfUri(trimmed) ? 'Getting' : 'Loading'} ${describeModelRef(trimmed).label} did not finish (cancelled or failed: see the notification).` };
    }

    /**
     * Show probabilities: the token probabilities panel for the last run (its prompt, sampling, seed and adapters,
     * its output tokens scored as generated). Undefined when there is nothing to show (the reason is in the notice).
     */
    async showProbabilities(): Promise<TokenProbabilitiesPanel | undefined> {
        const request = await this.inspectable(this.options.probabilities);
        return request === undefined ? undefined : this.options.probabilities!.showRequest(limitOutput(request, maxPanelGeneration));
    }

    /** Show attention: the attention panel for the last run (its rendered prompt and output tokens, under its adapters). */
    async showAttention(): Promise<AttentionPanel | undefined> {
        const request = await this.inspectable(this.options.attention);
        // The prompt alone may pass the limit: then the panel says so (the runtime refuses it with its length).
        return request === undefined ? undefined
            : this.options.attention!.showRequest(limitOutput(request, maxAttentionTokens - this.lastRun!.promptTokens));
    }

    /** The last run's request, once the model it ran on is the loaded one; else undefined with the reason in the notice. */
    private async inspectable(panels: object | undefined): Promise<InspectionRequest | undefined> {
        const last = this.lastRun;
        if (last === undefined) return this.setNotice('Run the prompt first: the panels show the last run.');
        if (panels === undefined) return this.setNotice('The inspection panels are not available here.');
        const model = await this.options.models.ensureModel();
        if (model?.path !== last.modelPath) {
            return this.setNotice(`The last run was on ${last.modelPath}; load that model again (or run on this one) to inspect it.`);
        }
        return last.request;
    }

    stop(): void {
        this.abort?.abort();
        this.compareAbort?.abort();
    }

    /** Checks an adapter file against the loaded model (loading it first): its path, or why it does not fit. */
    async validateAdapter(path: string): Promise<{ path: string } | { error: string }> {
        const model = await this.options.models.ensureModel();
        if (model === undefined) return { error: 'Load a model first: adapters are checked against it.' };
        try {
            return { path: await this.options.models.client.validateLora(path) };
        } catch (error) {
            return { error: message(error) };
        }
    }

    /** Add Adapter…: an open dialog for GGUF files, the choice validated before it joins the list. */
    private async pickAdapter(): Promise<{ path: string } | { error: string } | { cancelled: true }> {
        const uris = await vscode.window.showOpenDialog({
            canSelectMany: false, openLabel: 'Add LoRA adapter', filters: { 'GGUF LoRA adapter': ['gguf'] }, title: 'Promptscope: add a LoRA adapter',
        });
        if (uris === undefined || uris.length === 0) return { cancelled: true };
        return this.validateAdapter(uris[0]!.fsPath);
    }

    /** Adds a validated adapter to the saved form's list for the loaded model (what the page does after Add Adapter…; tests call it). */
    async addAdapter(form: PlaygroundForm, path: string): Promise<{ form: PlaygroundForm } | { error: string }> {
        const checked = await this.validateAdapter(path);
        if ('error' in checked) return checked;
        const modelPath = this.options.models.model!.path;
        const next = withAdapters(form, modelPath, rows => addAdapterRow(rows, checked.path));
        await this.options.store.save(next);
        return { form: next };
    }

    /**
     * A/B comparison of `request.form` under two configurations with the same seed: both outputs, their word diff
     * and the per-token KL of the two sides' raw distributions (see runCompare). Resolves with the final state.
     */
    async compare(request: CompareRequest): Promise<CompareState> {
        this.compareAbort?.abort();
        const abort = new AbortController();
        this.compareAbort = abort;
        const id = (this.compareState?.id ?? 0) + 1;
        this.setCompare({ id, phase: 'running' });
        const model = await this.options.models.ensureModel();
        if (model === undefined) return this.setCompare({ id, phase: 'failed', error: 'No model is loaded: use Load Model…' });
        try {
            const result = await runCompare(this.options.models.client, model.path, request, abort.signal);
            return this.compareState?.id === id ? this.setCompare({ id, ...result }) : this.compareState!;
        } catch (error) {
            this.options.log.warn(`Playground compare failed: ${message(error)}`);
            return this.compareState?.id === id ? this.setCompare({ id, phase: 'failed', error: message(error) }) : this.compareState!;
        } finally {
            if (this.compareAbort === abort) this.compareAbort = undefined;
        }
    }

    /**
     * Save as .prompt: a Dotprompt file reproducing the form's run (an unlocked seed becomes the last run's seed).
     * Without `target`, a save dialog asks. Returns the file written, or undefined (cancelled, or why it failed in the notice).
     */
    async savePrompt(form: PlaygroundForm, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const model = this.options.models.model;
        const built = buildRequest(form, model?.path);
        if (!built.ok) return this.setNotice(`Cannot save: ${built.errors.map(e => e.message).join(' ')}`);
        const run = built.run;
        if (run.mode === 'raw') return this.setNotice('Cannot save a raw completion as .prompt: a Dotprompt file is chat turns. Turn Raw completion off first.');
        const sampling: SamplingFields = { ...run.sampling };
        if (sampling.seed === undefined && this.lastRunSeed !== undefined) sampling.seed = this.lastRunSeed;
        let text: string;
        try {
            text = writePromptFile({
                messages: run.messages, sampling, lora: run.lora ?? model?.lora,
                comment: `Saved from the Promptscope playground${model !== undefined ? `\nmodel: ${model.name} (${model.path})` : ''}`,
            });
        } catch (error) {
            return this.setNotice(`Cannot save: ${message(error)}`);
        }
        const uri = target ?? await vscode.window.showSaveDialog({
            filters: { Dotprompt: ['prompt'] }, saveLabel: 'Save as .prompt',
            ...(workspaceFolder() !== undefined ? { defaultUri: vscode.Uri.file(`${workspaceFolder()}/playground.prompt`) } : {}),
        });
        if (uri === undefined) return undefined;
        await writeFile(uri.fsPath, text, 'utf8');
        this.setNotice(`Saved ${uri.fsPath}`);
        return uri;
    }

    /**
     * Open as .prompt: a Dotprompt file (prepared by core preparePrompt, without inputs) into the form. Without
     * `source`, an open dialog asks. Returns the opened form, or undefined (the reason is in the notice).
     */
    async openPrompt(source?: vscode.Uri): Promise<PlaygroundForm | undefined> {
        const uri = source ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Dotprompt: ['prompt'] }, openLabel: 'Open in playground' }))?.[0];
        if (uri === undefined) return undefined;
        try {
            const doc = PromptDocument.fromText(await readFile(uri.fsPath, 'utf8'), uri.fsPath);
            const prepared = await preparePrompt(doc);
            return this.loadForm({ messages: prepared.messages, sampling: prepared.sampling, lora: prepared.lora }, `Opened ${uri.fsPath}`);
        } catch (error) {
            return this.setNotice(`Cannot open ${uri.fsPath}: ${message(error)}`);
        }
    }

    /** Puts history record `key` into the form, and runs it when `run`. Returns the form, or undefined (see the notice). */
    async reopen(key: string, run = false): Promise<PlaygroundForm | undefined> {
        const record = await this.history.get(key);
        if (record === undefined) return this.setNotice(`History entry ${key} was not found.`);
        let form: PlaygroundForm | undefined;
        if (record.playground !== undefined) {
            form = migrateForm(record.playground);
            // Re-running reproduces the run: its seed, locked.
            if (typeof record.seed === 'number') form = { ...form, sampling: { ...form.sampling, seed: String(record.seed), seedLocked: true } };
            await this.options.store.save(form);
            void this.connection?.notify(loadFormNotification, form);
            this.setNotice(`Reopened the run of ${record.time ?? key}`);
        } else {
            form = await this.loadForm({
                messages: record.messages ?? [],
                sampling: { ...(record.sampling ?? {}), ...(typeof record.seed === 'number' ? { seed: record.seed } : {}) } as SamplingFields,
                ...(record.adapters !== undefined ? { lora: record.adapters } : {}),
            }, `Reopened the ${record.command ?? ''} run of ${record.time ?? key}`);
        }
        if (form !== undefined && run) await this.runForm(form);
        return form;
    }

    /** The history list (for tests and the page). */
    listHistory(): Promise<HistoryEntry[]> {
        return this.history.list();
    }

    private async loadForm(description: Parameters<typeof formFromRun>[0], notice: string): Promise<PlaygroundForm | undefined> {
        const converted = formFromRun(description, this.options.store.load(), this.options.models.model?.path);
        if (!converted.ok) return this.setNotice(converted.error);
        await this.options.store.save(converted.form);
        void this.connection?.notify(loadFormNotification, converted.form);
        this.setNotice([notice, ...converted.notes].join(' '));
        return converted.form;
    }

    private setNotice(notice: string): undefined {
        this.notice = notice;
        this.sendState();
        return undefined;
    }

    private setCompare(state: CompareState): CompareState {
        this.compareState = state;
        void this.options.store.saveCompare(state);
        this.sendState();
        return state;
    }

    /** Reveals the view (creating its page). */
    async reveal(): Promise<void> {
        await vscode.commands.executeCommand(`${playgroundViewType}.focus`);
    }

    dispose(): void {
        this.abort?.abort();
        this.compareAbort?.abort();
        this.connection?.dispose();
        this.chunks.dispose();
        for (const disposable of this.disposables.splice(0)) disposable.dispose();
    }

    private async tokenize(word: string): Promise<TokenizeResponse> {
        if (word === '') return { error: 'Type a word first.' };
        const model = await this.options.models.ensureModel();
        if (model === undefined) return { error: 'Load a model to tokenize.' };
        try {
            // No BOS: the bias is for the word's own tokens wherever they occur.
            const ids = await this.options.models.client.tokenize(word, { addBos: false });
            const pieces = await this.options.models.client.tokenPieces(ids);
            return { tokens: ids.map((id, i) => ({ id, piece: pieces[i] ?? '' })) };
        } catch (error) {
            return { error: error instanceof Error ? error.message : String(error) };
        }
    }

    /** Ends run `id`, unless a newer run has replaced it (its state is then the newer run's to set). */
    private finish(id: number, abort: AbortController, change: Partial<RunState>): RunState {
        if (this.abort === abort) this.abort = undefined;
        if (this.run.id !== id) return this.run;
        return this.update({ ...this.run, ...change });
    }

    private update(run: RunState): RunState {
        this.run = run;
        this.sendState();
        return run;
    }

    private sendState(): void {
        void this.connection?.notify(stateNotification, this.state);
    }
}
