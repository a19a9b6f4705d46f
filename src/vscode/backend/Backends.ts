import * as vscode from 'vscode';
import type { BackendSetting } from '../../core/backends/backendSetting';
import type { RecordedModel } from '../../core/reasoning/history/runRecord';
import type { BackendDescription, BackendFeature } from '../../shared/backends';
import { BackendCapabilityError } from '../../shared/errors/BackendCapabilityError';
import { CancelledError } from '../../shared/errors/CancelledError';
import { ServerStreamError } from '../../shared/errors/ServerStreamError';
import { ServerTimeoutError } from '../../shared/errors/ServerTimeoutError';
import { ServerUnreachableError } from '../../shared/errors/ServerUnreachableError';
import type { ModelInfo } from '../../shared/runtimeApi';
import { EmbeddedBackend } from '../../runtime/backends/EmbeddedBackend';
import type { InferenceBackend } from '../../runtime/backends/InferenceBackend';
import { OpenAiCompatibleBackend, type OpenAiBackendOptions } from '../../runtime/backends/openai/OpenAiCompatibleBackend';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import { chooseBackend, type BackendChoice } from './backendChoice';
import { describeServerFailure } from './serverFailure';
import type { ServerApiKey } from './ServerApiKey';

export interface BackendsOptions {
    config: Config;
    models: ModelService;
    apiKey: ServerApiKey;
    log: vscode.LogOutputChannel;
    /** Whether the workspace is trusted, asked at every run. Defaults to `vscode.workspace.isTrusted`. */
    isTrusted?: () => boolean;
}

/** Where a run went, for headers, logs and the run history. */
export interface RunPlace {
    kind: 'embedded' | 'openai-compatible';
    /** The loaded model (embedded only). */
    model: ModelInfo | undefined;
    description: BackendDescription;
    recorded: RecordedModel;
    /** Requests worth having in flight at once: the server's slots (or promptscope.server.concurrency); 1 embedded. */
    concurrency: number;
}

/** What the prompt says about its backend, as core's preparation read it. */
export interface BackendRequest {
    /** The prompt's `promptscope.backend`, when it has one. */
    setting?: BackendSetting;
    /** The prompt's file name, for messages. */
    promptName?: string;
}

export interface WithBackendOptions {
    /**
     * Receives why a server run did not happen or failed (a refusal, unreachable, wrong model name, HTTP 429, a
     * timeout…), in the words of the notification, so a panel or output document can say it too. Defaults to none.
     */
    onFailure?: (message: string) => void;
}

/**
 * Where the editor's runs go: the embedded runtime ({@link ModelService}'s shared model) or OpenAI-compatible servers,
 * both as one {@link InferenceBackend}. The `.prompt` file's `promptscope.backend` wins over the settings, as in the
 * CLI. Server connections are made on first use (every URL answers and serves the model), kept while the settings
 * and the API key stay the same, and closed when either changes. Failures are shown and logged by class (unreachable,
 * wrong model name, HTTP 429, timeout…); callers get `undefined`.
 */
export class Backends implements vscode.Disposable {
    private readonly connections = new Map<string, Promise<OpenAiCompatibleBackend>>();
    /** Runs using each connection now; a connection dropped from {@link connections} closes when its last run ends. */
    private readonly users = new Map<OpenAiCompatibleBackend, number>();
    private disposed = false;
    /** The connections {@link connections} holds, once connected. */
    private readonly cached = new Set<OpenAiCompatibleBackend>();
    private readonly activeChanges = new vscode.EventEmitter<BackendDescription | undefined>();
    /** Fires with the server last connected to, or undefined when the connections were closed (settings, key). */
    readonly onDidChangeActive = this.activeChanges.event;
    private readonly subscriptions: vscode.Disposable[];
    private activeServer: BackendDescription | undefined;

    constructor(private readonly options: BackendsOptions) {
        this.subscriptions = [
            options.config.onDidChange(change => {
                if (change.live.some(key => key === 'backend' || key.startsWith('server.'))) this.closeAll('the backend settings changed');
            }),
            options.apiKey.onDidChange(() => this.closeAll('the server API key changed')),
        ];
    }

    /** The server last connected to (the status bar shows it), if any. */
    get active(): BackendDescription | undefined {
        return this.activeServer;
    }

    /** The backend a run of a prompt with `request` would use, before anything connects. */
    choose(request: BackendRequest = {}): BackendChoice {
        const server = this.options.config.server;
        return chooseBackend({
            ...(request.setting !== undefined ? { prompt: request.setting } : {}),
            ...(request.promptName !== undefined ? { promptName: request.promptName } : {}),
            settings: server.settings, ...(server.problem !== undefined ? { problem: server.problem } : {}),
            workspaceSetsServer: server.setByWorkspace, workspaceTrusted: (this.options.isTrusted ?? (() => vscode.workspace.isTrusted))(),
        });
    }

    /**
     * The sentence saying why `feature` cannot run for `request` (its backend is a server that lacks it), or undefined
     * when it can: attention, beam search and the other embedded-only features ask before they start.
     */
    unsupported(feature: BackendFeature, request: BackendRequest = {}): string | undefined {
        const choice = this.choose(request);
        if (choice.kind !== 'server') return undefined;
        return `${new BackendCapabilityError(feature, choice.options.urls.join(', ')).message} This prompt runs on that server (${choice.chosenBy}); set promptscope.backend to embedded to use it.`;
    }

    /**
     * Runs `task` on the backend for `request`: the shared model (loaded first) or a connected server. Refusals and
     * failures are shown; the result is undefined then.
     */
    async withBackend<T>(request: BackendRequest, task: (backend: InferenceBackend, place: RunPlace) => Promise<T>, options: WithBackendOptions = {}): Promise<T | undefined> {
        const choice = this.choose(request);
        if (choice.kind === 'refused') {
            this.refuse(choice.message);
            options.onFailure?.(choice.message);
            return undefined;
        }
        if (choice.kind === 'embedded') {
            return this.options.models.withModel((client, model) => task(new EmbeddedBackend(client, model), {
                kind: 'embedded', model, description: { kind: 'embedded', model: model.name },
                recorded: { name: model.name, path: model.path, fileSizeBytes: model.fileSizeBytes }, concurrency: 1,
            }));
        }
        let backend: OpenAiCompatibleBackend;
        try {
            backend = await this.connect(choice.options);
        } catch (error) {
            this.fail(error, options);
            return undefined;
        }
        const description = backend.describe();
        this.users.set(backend, (this.users.get(backend) ?? 0) + 1);
        try {
            return await task(backend, {
                kind: 'openai-compatible', model: undefined, description, recorded: { name: description.model, backend: description }, concurrency: backend.concurrency,
            });
        } catch (error) {
            // A server that went away (or stalled) is connected afresh next time: it may have been restarted, elsewhere.
            if (error instanceof ServerUnreachableError || error instanceof ServerStreamError || error instanceof ServerTimeoutError) this.forget(choice.options);
            this.fail(error, options);
            return undefined;
        } finally {
            const left = (this.users.get(backend) ?? 1) - 1;
            if (left > 0) this.users.set(backend, left);
            else {
                this.users.delete(backend);
                // Dropped while this run used it (the settings or the key changed): closed now that nothing uses it.
                if (!this.isCached(backend)) void backend.close();
            }
        }
    }

    /** Shows a refusal (a setting or the workspace's trust) and logs it. */
    refuse(message: string): void {
        this.options.log.warn(`Backend: ${message}`);
        void vscode.window.showErrorMessage(`Promptscope: ${message}`, 'Open Settings').then(action => {
            if (action !== undefined) void vscode.commands.executeCommand('workbench.action.openSettings', 'promptscope.server');
        });
    }

    dispose(): void {
        this.disposed = true;
        for (const subscription of this.subscriptions) subscription.dispose();
        this.closeAll(undefined);
        this.activeChanges.dispose();
    }

    private fail(error: unknown, options: WithBackendOptions): void {
        // The user's own Cancel is no failure to show.
        if (error instanceof CancelledError) {
            this.options.log.info(`Server request cancelled: ${error.message}`);
            options.onFailure?.('cancelled');
            return;
        }
        const failure = describeServerFailure(error);
        this.options.models.showFailure(failure, error);
        options.onFailure?.(failure.message.replace(/^Promptscope: /, ''));
    }

    private async connect(options: Omit<OpenAiBackendOptions, 'apiKey'>): Promise<OpenAiCompatibleBackend> {
        const key = JSON.stringify(options);
        let pending = this.connections.get(key);
        if (pending === undefined) {
            pending = (async () => {
                const apiKey = await this.options.apiKey.get();
                const backend = await vscode.window.withProgress({
                    location: vscode.ProgressLocation.Notification, title: `Promptscope: connecting to ${options.urls.join(', ')}`, cancellable: true,
                }, (_progress, token) => {
                    const abort = new AbortController();
                    token.onCancellationRequested(() => abort.abort());
                    return OpenAiCompatibleBackend.connect({ ...options, ...(apiKey !== undefined ? { apiKey } : {}) }, abort.signal);
                });
                const description = backend.describe();
                this.options.log.info(`Connected to ${description.urls!.join(', ')}: model ${description.model}, ${backend.capabilities.slots} slot(s), `
                    + `${backend.concurrency} request(s) at once${description.server ? `, ${description.server}` : ''}${apiKey !== undefined ? ', with the API key from the secret storage' : ''}`);
                this.activeServer = description;
                this.activeChanges.fire(description);
                this.cached.add(backend);
                return backend;
            })();
            this.connections.set(key, pending);
            pending.catch(() => {
                if (this.connections.get(key) === pending) this.connections.delete(key);
            });
        }
        return pending;
    }

    private forget(options: Omit<OpenAiBackendOptions, 'apiKey'>): void {
        const key = JSON.stringify(options);
        const pending = this.connections.get(key);
        this.connections.delete(key);
        void pending?.then(backend => this.retire(backend), () => undefined);
    }

    /** Whether `backend` is still the cached connection for its options. */
    private isCached(backend: OpenAiCompatibleBackend): boolean {
        return this.cached.has(backend);
    }

    /** Closes a connection no longer cached, at once when no run uses it, else when its last run ends (see withBackend). */
    private retire(backend: OpenAiCompatibleBackend): void {
        this.cached.delete(backend);
        // A settings change does not cut a run (an evaluation) short; quitting does.
        if (this.disposed || !this.users.has(backend)) void backend.close();
    }

    private closeAll(reason: string | undefined): void {
        if (this.connections.size > 0 && reason !== undefined) this.options.log.info(`Closed the server connection: ${reason}`);
        for (const pending of this.connections.values()) void pending.then(backend => this.retire(backend), () => undefined);
        this.connections.clear();
        if (this.activeServer !== undefined) {
            this.activeServer = undefined;
            if (reason !== undefined) this.activeChanges.fire(undefined);
        }
    }
}
