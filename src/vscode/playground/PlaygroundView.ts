import * as vscode from 'vscode';
import type { CompletionResult } from '../../runtime/api';
import { buildRequest } from '../../webview/playground/buildRequest';
import {
    chunkNotification, formChangedCommand, loadModelCommand, playgroundViewType, runCommand, savedFormNotification,
    stateNotification, stopCommand, tokenizeRequest,
    type HostState, type PlaygroundForm, type RunState, type TokenizeResponse,
} from '../../webview/playground/protocol';
import { CommandId } from '../commandIds';
import type { ModelService } from '../ModelService';
import { loadWebviewPage } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';
import type { PlaygroundFormStore } from './PlaygroundFormStore';

export interface PlaygroundViewOptions {
    models: ModelService;
    store: PlaygroundFormStore;
    log: vscode.LogOutputChannel;
    extensionUri: vscode.Uri;
}

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
    private readonly chunks = new vscode.EventEmitter<{ runId: number; text: string }>();
    /** Fires with every streamed piece of a run's output, as the view receives it. */
    readonly onDidStreamChunk = this.chunks.event;

    constructor(private readonly options: PlaygroundViewOptions) {
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
            ...(model !== undefined ? { model: { name: model.name, backend: model.backend, quantization: model.quantization } } : {}),
            ...(loading !== undefined ? { loading } : {}),
            run: this.run,
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
        const built = buildRequest(form);
        if (!built.ok) return this.update({ id, phase: 'failed', output: '', fieldErrors: built.errors });
        const abort = new AbortController();
        this.abort = abort;
        this.update({ id, phase: 'running', output: '' });

        const { models } = this.options;
        const model = await models.ensureModel();
        if (this.run.id !== id) return this.run;
        if (model === undefined) return this.finish(id, abort, { phase: 'failed', error: 'No model is loaded: use Load Model…' });
        if (abort.signal.aborted) return this.finish(id, abort, { phase: 'stopped' });

        const onToken = ({ text }: { text: string }) => {
            if (this.run.id !== id || text === '') return;
            this.run = { ...this.run, output: this.run.output + text };
            void this.connection?.notify(chunkNotification, { runId: id, text });
            this.chunks.fire({ runId: id, text });
        };
        const run = built.run;
        let result: CompletionResult;
        try {
            result = run.mode === 'raw'
                ? await models.client.complete({ prompt: run.prompt, sampling: run.sampling }, { signal: abort.signal, onToken })
                : await models.client.chat({ messages: run.messages, sampling: run.sampling }, { signal: abort.signal, onToken });
        } catch (error) {
            // Runtime errors (a GBNF grammar that does not parse, an unloaded model) belong in the view, not a popup.
            const message = error instanceof Error ? error.message : String(error);
            this.options.log.warn(`Playground run failed: ${message}`);
            return this.finish(id, abort, { phase: 'failed', error: message });
        }
        models.recordRun(result.timing);
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

    stop(): void {
        this.abort?.abort();
    }

    /** Reveals the view (creating its page). */
    async reveal(): Promise<void> {
        await vscode.commands.executeCommand(`${playgroundViewType}.focus`);
    }

    dispose(): void {
        this.abort?.abort();
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
