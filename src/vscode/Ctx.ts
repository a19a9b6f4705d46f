import { BackgroundRuntimeBuild } from './BackgroundRuntimeBuild';
import * as vscode from 'vscode';
import { AttentionPanels } from './attention/AttentionPanels';
import type { CommandFactory } from './commands';
import { registerInlineCompletion } from './completion/registerInlineCompletion';
import { Config } from './Config';
import { createLog, runtimeLogSink } from './Log';
import { ModelPicker } from './ModelPicker';
import { ModelService } from './ModelService';
import { ModelStatusBar } from './ModelStatusBar';
import type { SettingsChange } from './modelSettings';
import { InputMemory } from './prompt/InputMemory';
import { OutputDocuments } from './prompt/OutputDocuments';
import { workspaceFolder } from './playground/PlaygroundContext';
import { PlaygroundFormStore } from './playground/PlaygroundFormStore';
import { PlaygroundHistory } from './playground/PlaygroundHistory';
import { PlaygroundView } from './playground/PlaygroundView';
import { PromptInputs } from './prompt/PromptInputs';
import { TokenProbabilitiesPanels } from './probabilities/TokenProbabilitiesPanels';
import { DecodingLabPanels } from './decodingLab/DecodingLabPanels';
import { PromptRunner } from './prompt/PromptRunner';
import { registerPromptEditor } from './prompt/registerPromptEditor';
import { RecentModels } from './RecentModels';
import { TrustGate } from './TrustGate';
import { Backends } from './backend/Backends';
import { BackendStatusBar } from './backend/BackendStatusBar';
import { ServerApiKey } from './backend/ServerApiKey';
import { IndexWatchers } from './retrieval/IndexWatchers';

/**
 * The extension's state: one of each service, and every disposable, disposed together on
 * deactivation. Features take the parts they need (`ctx.models`, `ctx.config`, `ctx.log`), not
 * the whole context.
 */
export class Ctx {
    readonly log: vscode.LogOutputChannel;
    readonly config: Config;
    readonly recentModels: RecentModels;
    readonly trust: TrustGate;
    readonly picker: ModelPicker;
    /** The runtime and its model. Nothing starts until a command needs the model. */
    readonly models: ModelService;
    /** Builds the CPU backend for this CPU after a model loads without it (an installed `.vsix` has no npm install). */
    readonly backgroundBuild: BackgroundRuntimeBuild;
    readonly statusBar: ModelStatusBar;
    /** The server API key, in SecretStorage only. */
    readonly serverApiKey: ServerApiKey;
    /** Where runs go: the embedded runtime or an OpenAI-compatible server (`promptscope.backend`). */
    readonly backends: Backends;
    /** Read-only `promptscope-output:` documents: rendered prompts and run output. */
    readonly outputs: OutputDocuments;
    /** Run Prompt and Render Prompt on `.prompt` files. */
    readonly prompts: PromptRunner;
    /** Token probabilities panels (and their serializer, registered at activation so reloads restore them). */
    readonly probabilities: TokenProbabilitiesPanels;
    /** Attention panels (and their serializer, registered at activation so reloads restore them). */
    readonly attention: AttentionPanels;
    /** Decoding Labs (and their serializer, registered at activation so reloads restore them). */
    readonly decodingLab: DecodingLabPanels;
    /** The playground side view (registered at activation so VS Code can resolve it whenever it is shown). */
    readonly playground: PlaygroundView;
    /** Keeps the workspace's retrieval indexes up to date as their documents change (`promptscope.retrieval.watch`). */
    readonly indexWatchers: IndexWatchers;

    private readonly disposables: vscode.Disposable[] = [];
    private disposed: Promise<void> | undefined;

    constructor(readonly extension: vscode.ExtensionContext) {
        this.log = this.own(createLog());
        this.config = this.own(new Config(this.log));
        this.recentModels = new RecentModels(extension.globalState);
        this.trust = this.own(new TrustGate(this.log));
        this.picker = new ModelPicker(this.recentModels, this.config);
        this.models = new ModelService({
            config: this.config,
            log: this.log,
            recent: this.recentModels,
            trust: this.trust,
            picker: this.picker,
            hostScript: extension.asAbsolutePath('dist/runtime-host.js'),
            runtimeLog: runtimeLogSink(this.log),
        });
        this.statusBar = this.own(new ModelStatusBar(this.models));
        this.serverApiKey = this.own(new ServerApiKey(extension.secrets, this.log));
        this.backends = this.own(new Backends({ config: this.config, models: this.models, apiKey: this.serverApiKey, log: this.log }));
        this.own(new BackendStatusBar(this.backends, this.config));
        this.backgroundBuild = this.own(new BackgroundRuntimeBuild({ models: this.models, config: this.config, log: this.log }));
        this.own(registerInlineCompletion(this.models, this.config, this.log));
        const inputs = new PromptInputs(new InputMemory(extension.workspaceState));
        this.outputs = this.own(new OutputDocuments());
        this.prompts = this.own(new PromptRunner({ models: this.models, config: this.config, log: this.log, inputs, outputs: this.outputs, trust: this.trust, backends: this.backends, extensionUri: extension.extensionUri }));
        this.probabilities = this.own(new TokenProbabilitiesPanels({
            models: this.models, prompts: this.prompts, config: this.config, log: this.log, extensionUri: extension.extensionUri, backends: this.backends,
        }));
        this.attention = this.own(new AttentionPanels({
            models: this.models, prompts: this.prompts, log: this.log, extensionUri: extension.extensionUri,
        }));
        this.decodingLab = this.own(new DecodingLabPanels({
            models: this.models, prompts: this.prompts, log: this.log, extensionUri: extension.extensionUri,
        }));
        this.playground = this.own(new PlaygroundView({
            models: this.models, store: new PlaygroundFormStore(extension.workspaceState), log: this.log, extensionUri: extension.extensionUri,
            recent: this.recentModels, probabilities: this.probabilities, attention: this.attention, decodingLab: this.decodingLab, trust: this.trust,
            backends: this.backends,
            history: new PlaygroundHistory(workspaceFolder, { enabled: () => this.config.historyEnabled, warn: message => this.log.warn(message) }),
        }));
        for (const disposable of registerPromptEditor({ models: this.models, inputs, log: this.log })) this.own(disposable);
        this.indexWatchers = this.own(new IndexWatchers({ config: this.config, models: this.models, log: this.log }));
        this.own(this.config.onDidChange(change => void this.onSettingsChange(change)));
    }

    /**
     * Registers the commands of `table`. A handler's failure is logged and shown (with Show Logs), then rethrown: the
     * caller of `executeCommand` (another feature, a test) sees the rejection instead of an `undefined` it cannot tell
     * from "nothing to do". VS Code catches what a command throws, so the extension host never goes down with it.
     */
    registerCommands(table: Readonly<Record<string, CommandFactory>>): void {
        for (const [id, factory] of Object.entries(table)) {
            const handler = factory(this);
            this.own(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
                try {
                    return await handler(...args);
                } catch (error) {
                    const message = error instanceof Error ? error.message : String(error);
                    this.log.error(`Command ${id} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
                    void vscode.window.showErrorMessage(`Promptscope: ${message}`, 'Show Logs').then(action => {
                        if (action !== undefined) this.log.show();
                    });
                    throw error;
                }
            }));
        }
    }

    /** Adds `disposable` to what the context disposes, and returns it. */
    own<T extends vscode.Disposable>(disposable: T): T {
        this.disposables.push(disposable);
        return disposable;
    }

    /** Stops the runtime host (awaited, so the process does not outlive the extension) and disposes everything else. */
    dispose(): Promise<void> {
        this.disposed ??= (async () => {
            try {
                // First, so that an index update in progress is stopped rather than failing on the stopped runtime.
                this.indexWatchers.dispose();
                await this.models.dispose();
            } finally {
                for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
            }
        })();
        return this.disposed;
    }

    /** Settings that need a reload are not applied behind the user's back: a half-typed number would reload the model on every keystroke. */
    private async onSettingsChange(change: SettingsChange): Promise<void> {
        if (change.live.length > 0) this.log.info(`Settings changed: ${change.live.map(k => `promptscope.${k}`).join(', ')} (apply to the next run)`);
        if (change.reload.length === 0) return;
        const keys = change.reload.map(k => `promptscope.${k}`).join(', ');
        this.log.info(`Settings changed: ${keys} (apply when the model is loaded)`);
        if (this.models.model === undefined) return;
        const reload = 'Reload Model';
        const answer = await vscode.window.showInformationMessage(
            `Promptscope: ${keys} changed. Reload the model to apply ${change.reload.length > 1 ? 'them' : 'it'}?`, reload);
        if (answer === reload) await this.models.reload(change.reload.includes('model'));
    }
}
