import type { BackgroundBuildSetting } from '../runtime/build/backgroundBuildDecision';
import * as vscode from 'vscode';
import type { ModelPathBase } from '../core/model/modelRef';
import type { LoraAdapterSpec, SamplingOptions, SpeculativeOptions } from '../shared/runtimeApi';
import { defaultResponseTimeoutSeconds } from '../runtime/client/RuntimeClient';
import {
    classifyChange, readLoraSetting, readModelSettings, readSamplingDefaults, type ModelSettings, type SettingsChange,
} from './modelSettings';
import type { SettingLayers } from './workspaceTrust';
import { readInlineCompletionSettings, type InlineCompletionSettings } from './completion/inlineCompletionSettings';
import { readSpeculativeSettings } from './speculative/speculativeSettings';
import { readServerSettings, serverDestinationKeys, setByWorkspace, type ServerSettings } from './backend/serverSettings';
import { readRetrievalSelection, type RetrievalSelectionSetting } from './retrieval/retrievalSettings';

/**
 * Typed view of the `promptscope.*` settings. Values are read when used, never cached, so live
 * settings (sampling defaults) apply to the next run; `onDidChange` says whether a change needs a
 * model reload (model, gpu, gpuLayers, threads, contextSize, modelsDirectory, lora). The backend settings
 * (`promptscope.backend`, `promptscope.server.*`) need none: a change closes the server connection and the next run
 * connects again.
 */
export class Config implements vscode.Disposable {
    private readonly changes = new vscode.EventEmitter<SettingsChange>();
    /** Fires when any of our settings changes, grouped into reload and live settings. */
    readonly onDidChange = this.changes.event;
    private readonly subscription: vscode.Disposable;
    /** Problems already logged since the settings last changed. */
    private readonly reported = new Set<string>();

    constructor(private readonly log: vscode.LogOutputChannel) {
        this.subscription = vscode.workspace.onDidChangeConfiguration(event => {
            if (!event.affectsConfiguration('promptscope')) return;
            this.reported.clear();
            const change = classifyChange(section => event.affectsConfiguration(section));
            if (change.reload.length > 0 || change.live.length > 0) this.changes.fire(change);
        });
    }

    private get section(): vscode.WorkspaceConfiguration {
        return vscode.workspace.getConfiguration('promptscope');
    }

    /** How to load models (everything but which model and adapters). Invalid values are logged and replaced by defaults. */
    get modelSettings(): ModelSettings {
        const section = this.section;
        const { settings, problems } = readModelSettings(key => section.get(key));
        this.reportProblems(problems);
        return settings;
    }

    /** Sampling values from settings, for runs that do not set their own. */
    get samplingDefaults(): SamplingOptions {
        const section = this.section;
        return readSamplingDefaults(key => section.get(key));
    }

    /** Inline completion settings, read per request: a change applies to the next keystroke, no reload needed. */
    get inlineCompletion(): InlineCompletionSettings {
        const section = this.section;
        const { settings, problems } = readInlineCompletionSettings(key => section.get(key));
        this.reportProblems(problems);
        return settings;
    }

    /**
     * `promptscope.speculative.*`: the speculative decoding Run Prompt asks for (a direct run only), or undefined when
     * it is off; read per run. Invalid values are logged and left out.
     */
    get speculative(): SpeculativeOptions | undefined {
        const section = this.section;
        const { options, problems } = readSpeculativeSettings(key => section.get(key), this.pathBase.baseDir);
        this.reportProblems(problems);
        return options;
    }

    /**
     * `promptscope.retrieval.include` / `.exclude` as they apply to `folder` (a folder's own settings win): the
     * documents Index Folder for Retrieval… indexes there, or the problem, naming the setting and the fix. Read per
     * build; not replaced by a default, since indexing files the user did not mean to is worse than asking.
     */
    retrievalSelection(folder?: vscode.Uri): RetrievalSelectionSetting {
        const section = vscode.workspace.getConfiguration('promptscope', folder);
        return readRetrievalSelection(key => section.get(key));
    }

    /** `promptscope.retrieval.watch`: whether the workspace's indexes are updated when their documents change. */
    get retrievalWatch(): boolean {
        return this.section.get<unknown>('retrieval.watch') !== false;
    }

    /** `promptscope.history.enabled`: whether the playground, Run and evaluations append to the run history; read per run. */
    get historyEnabled(): boolean {
        return this.section.get<unknown>('history.enabled') !== false;
    }

    /**
     * `promptscope.runtime.responseTimeoutSeconds`: how long the runtime may not answer (or a download send nothing)
     * before it is reported and restarted; 0: never. The runtime client reads it at every check, so a change applies
     * at once. An invalid value is logged and replaced by the default.
     */
    get responseTimeoutSeconds(): number {
        const value = this.section.get<unknown>('runtime.responseTimeoutSeconds');
        if (value === undefined) return defaultResponseTimeoutSeconds;
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
        this.reportProblems([
            `promptscope.runtime.responseTimeoutSeconds: ${JSON.stringify(value)} is not a number of seconds ≥ 0 (0 turns the check off); using ${defaultResponseTimeoutSeconds}`,
        ]);
        return defaultResponseTimeoutSeconds;
    }

    /**
     * `promptscope.runtime.buildOptimized`: whether loading a model on node-llama-cpp's prebuilt CPU binary starts the
     * build of the CPU backend for this CPU in the background. An invalid value is logged and replaced by `auto`.
     */
    get buildOptimizedRuntime(): BackgroundBuildSetting {
        const value = this.section.get<unknown>('runtime.buildOptimized');
        if (value === undefined || value === 'auto' || value === 'off') return value ?? 'auto';
        this.reportProblems([`promptscope.runtime.buildOptimized: ${JSON.stringify(value)} is not "auto" or "off"; using "auto"`]);
        return 'auto';
    }

    /**
     * `promptscope.backend` and `promptscope.server.*`, read per run; `settings` is undefined when they cannot work
     * (`problem` says which setting and why, and is logged once).
     */
    get server(): { settings: ServerSettings | undefined; problem: string | undefined; setByWorkspace: boolean } {
        const section = this.section;
        const { settings, problems } = readServerSettings(key => section.get(key));
        this.reportProblems(problems);
        return {
            settings, problem: settings === undefined ? problems.at(-1) : undefined,
            setByWorkspace: serverDestinationKeys.some(key => setByWorkspace(section.inspect(key))),
        };
    }

    /** Every layer of `promptscope.model`, so callers can tell a workspace's choice from the user's. */
    get modelLayers(): SettingLayers<string> {
        return this.section.inspect<string>('model') ?? {};
    }

    /** Every layer of `promptscope.lora`, parsed; invalid entries are logged and dropped. */
    get loraLayers(): SettingLayers<LoraAdapterSpec[]> {
        const inspected = this.section.inspect<unknown>('lora');
        const layers: SettingLayers<LoraAdapterSpec[]> = {};
        for (const layer of ['defaultValue', 'globalValue', 'workspaceValue', 'workspaceFolderValue'] as const) {
            const value = inspected?.[layer];
            if (value === undefined) continue;
            const { adapters, problems } = readLoraSetting(value);
            this.reportProblems(problems);
            layers[layer] = adapters;
        }
        return layers;
    }

    /** What relative paths and `${workspaceFolder}` in settings resolve against: the first workspace folder. */
    get pathBase(): ModelPathBase {
        const folder = vscode.workspace.workspaceFolders?.find(f => f.uri.scheme === 'file')?.uri.fsPath;
        return folder !== undefined ? { baseDir: folder, workspaceFolder: folder } : {};
    }

    dispose(): void {
        this.subscription.dispose();
        this.changes.dispose();
    }

    /** Settings are read often; say what is wrong once, not on every read. */
    private reportProblems(problems: string[]): void {
        for (const problem of problems) {
            if (this.reported.has(problem)) continue;
            this.reported.add(problem);
            this.log.warn(`Settings: ${problem}`);
        }
    }
}
