import * as vscode from 'vscode';
import { describeModelRef, isHfUri } from '../core/model/modelRef';
import type { GenerationTiming, LoraAdapterSpec, ModelInfo, RuntimeLogSink } from '../shared/runtimeApi';
import { RuntimeClient, type RuntimeState } from '../runtime/client/RuntimeClient';
import { CommandId } from './commandIds';
import type { Config } from './Config';
import { describeLoadFailure, describeRunFailure, FailureAction, type FailureMessage } from './failureMessages';
import { LoadProgressTracker } from './loadProgress';
import type { ModelChoice } from './ModelChoice';
import type { ModelPicker } from './ModelPicker';
import { toLoadModelOptions } from './modelSettings';
import type { RecentModels } from './RecentModels';
import type { PathRequest, TrustGate } from './TrustGate';
import { chooseSetting } from './workspaceTrust';

export interface ModelServiceOptions {
    config: Config;
    log: vscode.LogOutputChannel;
    recent: RecentModels;
    trust: TrustGate;
    picker: ModelPicker;
    /** Absolute path of dist/runtime-host.js. */
    hostScript: string;
    /** Receives the runtime's logs (ours and llama.cpp's). */
    runtimeLog: RuntimeLogSink;
}

/**
 * Owns the one runtime client of the extension (shared by every feature that runs the model) and
 * the model it has loaded. Loading is lazy: nothing starts until a command needs the model.
 * Public methods never throw: failures are shown to the user, and callers get `undefined`.
 */
export class ModelService implements vscode.Disposable {
    /** The runtime. Prefer {@link withModel}, which loads the model first and reports failures. */
    readonly client: RuntimeClient;

    private readonly modelChanges = new vscode.EventEmitter<ModelInfo | undefined>();
    /** Fires after a model was loaded or unloaded. */
    readonly onDidChangeModel = this.modelChanges.event;
    private readonly stateChanges = new vscode.EventEmitter<RuntimeState>();
    /** Fires on every runtime state change (starting, loading, busy…). */
    readonly onDidChangeState = this.stateChanges.event;
    private readonly loadingChanges = new vscode.EventEmitter<string | undefined>();
    /** Fires with the display name of a model when its load starts, and `undefined` when it ends. */
    readonly onDidChangeLoading = this.loadingChanges.event;
    private readonly runs = new vscode.EventEmitter<GenerationTiming>();
    /** Fires when a feature reports a finished generation (see {@link recordRun}). */
    readonly onDidRun = this.runs.event;
    private readonly stops = new vscode.EventEmitter<string>();
    /** Fires with the reason when the runtime host died unexpectedly. */
    readonly onDidStop = this.stops.event;

    /** The choice behind the loaded model, so settings changes know what to reload. */
    private current: ModelChoice | undefined;
    /** The load in progress; loads run one after another. */
    private loading: Promise<ModelInfo | undefined> | undefined;
    private loadingName: string | undefined;
    private ensuring: Promise<ModelInfo | undefined> | undefined;
    private readonly unsubscribe: (() => void)[] = [];
    private disposed = false;

    constructor(private readonly options: ModelServiceOptions) {
        this.client = new RuntimeClient({
            hostScript: options.hostScript,
            log: options.runtimeLog,
            // A function: read at every liveness check, so a changed setting applies without a restart.
            responseTimeoutSeconds: () => options.config.responseTimeoutSeconds,
        });
        this.unsubscribe.push(
            this.client.onDidChangeState(state => this.stateChanges.fire(state)),
            this.client.onDidStop(reason => this.handleStop(reason)),
        );
    }

    /** The loaded model, if any. */
    get model(): ModelInfo | undefined {
        return this.client.loadedModel;
    }

    /** Display name of the model being loaded right now, if any. */
    get loadingModel(): string | undefined {
        return this.loadingName;
    }

    /**
     * The loaded model, loading the configured one (`promptscope.model`) first when none is. With
     * no model configured, offers the model picker. `undefined` when the user cancelled or the load
     * failed (the failure was shown).
     */
    ensureModel(): Promise<ModelInfo | undefined> {
        // Features asking at the same moment share one load (and one picker), not one each.
        this.ensuring ??= this.ensureNow().finally(() => {
            this.ensuring = undefined;
        });
        return this.ensuring;
    }

    private async ensureNow(): Promise<ModelInfo | undefined> {
        if (this.loading !== undefined) await this.loading;
        if (this.client.loadedModel !== undefined) return this.client.loadedModel;
        // promptscope.model is machine-overridable: a remote window (Remote-SSH, containers, code-server) takes it from the
        // Remote settings, and VS Code drops a value in the local User settings once it knows the scope (often only after a
        // window reload), so say where it was looked for.
        const where = vscode.env.remoteName !== undefined ? 'promptscope.model, read from the Remote settings in this remote window' : 'promptscope.model';
        const choice = this.configuredChoice()
            ?? await this.options.picker.pick({ placeholder: `No model is configured (${where}): choose one to load` });
        return choice === undefined ? undefined : this.load(choice);
    }

    /**
     * Runs `task` against the loaded model (loading it first), showing any failure to the user.
     * This is how features run prompts: `models.withModel((client, model) => client.chat(…))`.
     */
    async withModel<T>(task: (client: RuntimeClient, model: ModelInfo) => Promise<T>): Promise<T | undefined> {
        const model = await this.ensureModel();
        if (model === undefined) return undefined;
        try {
            return await task(this.client, model);
        } catch (error) {
            this.showFailure(describeRunFailure(error), error);
            return undefined;
        }
    }

    /** Loads `choice` with a cancellable progress notification; `undefined` when declined, cancelled or failed. */
    load(choice: ModelChoice): Promise<ModelInfo | undefined> {
        const previous = this.loading ?? Promise.resolve(undefined);
        const next = previous.catch(() => undefined).then(() => this.loadNow(choice));
        this.loading = next;
        void next.finally(() => {
            if (this.loading === next) this.loading = undefined;
        });
        return next;
    }

    /**
     * Starts a fresh runtime host with the current model, once nothing runs on the present one: what a host computes
     * with is fixed when it starts (the CPU backend built for this CPU is registered then), so only a new one picks up
     * a backend built since. Work already running finishes first; nothing is loaded when no model was.
     */
    async restartRuntime(): Promise<ModelInfo | undefined> {
        await this.untilIdle();
        const choice = this.current;
        await this.client.stop();
        return choice === undefined ? undefined : this.load(choice);
    }

    private untilIdle(): Promise<void> {
        const busy = () => this.loading !== undefined || ['starting', 'loading', 'busy'].includes(this.client.state);
        if (!busy()) return Promise.resolve();
        return new Promise(resolve => {
            const check = () => {
                if (busy()) return;
                unsubscribe();
                clearInterval(timer);
                resolve();
            };
            const unsubscribe = this.client.onDidChangeState(check);
            // A load ends without a state change of its own when it fails early: look again now and then.
            const timer = setInterval(check, 1000);
        });
    }

    /** Loads the current model again (or the configured one, when `promptscope.model` changed), applying changed settings. */
    async reload(modelSettingChanged = false): Promise<ModelInfo | undefined> {
        const choice = modelSettingChanged || this.current?.fromSettings === true || this.current === undefined
            ? this.configuredChoice() ?? this.current
            : this.current;
        return choice === undefined ? undefined : this.load(choice);
    }

    async unload(): Promise<void> {
        if (this.loading !== undefined) await this.loading;
        if (this.client.loadedModel === undefined) {
            void vscode.window.showInformationMessage('Promptscope: no model is loaded.');
            return;
        }
        const name = this.client.loadedModel.name;
        try {
            await this.client.unloadModel();
            this.current = undefined;
            this.options.log.info(`Unloaded ${name}`);
            this.modelChanges.fire(undefined);
        } catch (error) {
            this.showFailure(describeRunFailure(error), error);
        }
    }

    /** Features call this after a generation so the status bar shows its speed. */
    recordRun(timing: GenerationTiming): void {
        this.runs.fire(timing);
    }

    /** The `promptscope.model` setting as a choice, or `undefined` when it is empty. */
    configuredChoice(): ModelChoice | undefined {
        const setting = chooseSetting(this.options.config.modelLayers, value => value.trim() !== '');
        if (setting.value === undefined) return undefined;
        return {
            ref: setting.value, origin: setting.origin, fromSettings: true,
            ...(setting.fallback !== undefined ? { fallback: setting.fallback } : {}),
        };
    }

    async dispose(): Promise<void> {
        if (this.disposed) return;
        this.disposed = true;
        for (const unsubscribe of this.unsubscribe) unsubscribe();
        for (const emitter of [this.modelChanges, this.stateChanges, this.loadingChanges, this.runs, this.stops]) emitter.dispose();
        await this.client.dispose();
    }

    private async loadNow(requested: ModelChoice): Promise<ModelInfo | undefined> {
        const { log } = this.options;
        const choice = await this.trustedChoice(requested);
        if (choice === undefined) return undefined;
        const adapters = await this.trustedAdapters();
        const label = describeModelRef(choice.ref).label;

        let loadOptions;
        try {
            loadOptions = toLoadModelOptions(choice.ref, this.options.config.modelSettings, adapters, this.options.config.pathBase);
        } catch (error) {
            this.showFailure(describeLoadFailure(error, label), error);
            return undefined;
        }

        const abort = new AbortController();
        const started = Date.now();
        this.setLoading(label);
        log.info(`Loading ${loadOptions.model} (${JSON.stringify({ ...loadOptions, model: undefined })})`);
        try {
            const info = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: ${isHfUri(choice.ref) ? 'getting' : 'loading'} ${label}`,
                cancellable: true,
            }, async (progress, token) => {
                token.onCancellationRequested(() => abort.abort());
                const tracker = new LoadProgressTracker();
                return this.client.loadModel(loadOptions, {
                    signal: abort.signal,
                    onProgress: event => progress.report(tracker.update(event)),
                });
            });
            this.current = choice;
            log.info(`Loaded ${info.name} in ${Date.now() - started} ms: ${info.architecture}, ${info.quantization}, `
                + `context ${info.contextSize}, backend ${info.backend} (${info.gpuLayers} GPU layers), ${info.threads} threads`);
            // A path the user only allowed once for an untrusted workspace does not become one of their own choices.
            if (choice.origin === 'user' || vscode.workspace.isTrusted) await this.options.recent.remember(loadOptions.model, info.name);
            this.modelChanges.fire(info);
            return info;
        } catch (error) {
            if (abort.signal.aborted) {
                log.info(`Loading ${label} was cancelled`);
            } else {
                this.showFailure(describeLoadFailure(error, label), error);
            }
            // A failed load may have unloaded the previous model.
            if (this.client.loadedModel === undefined) this.current = undefined;
            this.modelChanges.fire(this.client.loadedModel);
            return undefined;
        } finally {
            this.setLoading(undefined);
        }
    }

    /** `choice`, its user fallback when the workspace's choice is declined, or `undefined`. */
    private async trustedChoice(choice: ModelChoice): Promise<ModelChoice | undefined> {
        const request: PathRequest = { kind: 'model', ref: choice.ref, origin: choice.origin, ...(choice.source !== undefined ? { source: choice.source } : {}) };
        if (await this.options.trust.allow([request])) return choice;
        if (choice.fallback !== undefined) {
            this.options.log.info(`Using promptscope.model from user settings (${choice.fallback}) instead of the workspace's`);
            return { ref: choice.fallback, origin: 'user', fromSettings: choice.fromSettings };
        }
        this.options.log.info(`Not loading ${choice.ref}: declined for this untrusted workspace`);
        return undefined;
    }

    /** Adapters from `promptscope.lora`; a workspace's list needs confirmation in an untrusted workspace, else the user's applies. */
    private async trustedAdapters(): Promise<LoraAdapterSpec[]> {
        const setting = chooseSetting(this.options.config.loraLayers, adapters => adapters.length > 0);
        const adapters = setting.value ?? [];
        const requests: PathRequest[] = adapters.map(a => ({ kind: 'adapter', ref: a.path, origin: setting.origin }));
        if (await this.options.trust.allow(requests)) return adapters;
        return setting.fallback ?? [];
    }

    private setLoading(name: string | undefined): void {
        this.loadingName = name;
        this.loadingChanges.fire(name);
    }

    private handleStop(reason: string): void {
        // The client has logged the reason already.
        this.stops.fire(reason);
        // A crash during a load is reported by the load itself, with the file it was loading.
        if (this.loadingName !== undefined || this.disposed) return;
        const model = this.current !== undefined ? ` and reloads ${describeModelRef(this.current.ref).label}` : '';
        this.showFailure({
            message: `Promptscope: the model runtime stopped (${reason}). The next command restarts it${model}.`,
            actions: [FailureAction.showLogs],
        });
    }

    /** Shows a failure with its buttons and does what the clicked one says (and logs it, with the stack of an unexpected error). */
    showFailure(failure: FailureMessage, error?: unknown): void {
        this.options.log.error(failure.message);
        // Our typed errors say all there is to say; the stack helps only with the unexpected ones.
        if (error instanceof Error && error.stack !== undefined) this.options.log.debug(error.stack);
        void vscode.window.showErrorMessage(failure.message, ...failure.actions).then(action => {
            switch (action) {
                case FailureAction.chooseModel: return vscode.commands.executeCommand(CommandId.loadModel);
                case FailureAction.openSettings: return vscode.commands.executeCommand('workbench.action.openSettings', 'promptscope.');
                case FailureAction.showLogs: return this.options.log.show();
            }
        });
    }
}
