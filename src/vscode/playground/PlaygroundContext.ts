import * as vscode from 'vscode';
import type { Backends } from '../backend/Backends';
import type { IpcNotification } from '../../shared/protocols/ipc';
import { stateNotification, type HostState } from '../../shared/protocols/playground';
import type { AttentionPanels } from '../attention/AttentionPanels';
import type { ModelService } from '../ModelService';
import type { TokenProbabilitiesPanels } from '../probabilities/TokenProbabilitiesPanels';
import type { DecodingLabPanels } from '../decodingLab/DecodingLabPanels';
import type { RecentModels } from '../RecentModels';
import type { TrustGate } from '../TrustGate';
import type { WebviewConnection } from '../webview/WebviewConnection';
import type { PlaygroundFormStore } from './PlaygroundFormStore';
import type { PlaygroundHistory } from './PlaygroundHistory';

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
    /** Decoding Lab for the last run opens its prompt there. Defaults to none (the command says so). */
    decodingLab?: Pick<DecodingLabPanels, 'showRequest'>;
    /** Asks before taking adapters that a workspace file (an opened .prompt, the run history) names, in an untrusted workspace. */
    trust: Pick<TrustGate, 'adaptersFrom'>;
    /** The settings' server, for an A/B compare side that runs there. Defaults to none (such a side is refused). */
    backends?: Pick<Backends, 'choose' | 'withBackend'>;
}

/** The first (file) workspace folder: where runs are recorded and .prompt files are saved by default. */
export function workspaceFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.find(f => f.uri.scheme === 'file')?.uri.fsPath;
}

/** The notice's sentence for adapters a workspace file named that Workspace Trust declined ('' when none). */
export function declinedNotice(declined: readonly string[]): string {
    return declined.length === 0 ? '' : ` Not loading the adapter${declined.length > 1 ? 's' : ''} ${declined.join(', ')}: declined for this untrusted workspace.`;
}

export function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * What the playground's parts share: the options, the page's connection while it exists, the notice line, the
 * host state sent to the page, and the disposables of the whole view (each part registers its own here).
 */
export class PlaygroundContext implements vscode.Disposable {
    /** The page's connection while the view has a page (a hidden view has none; a run goes on without it). */
    connection: WebviewConnection | undefined;
    notice: string | undefined;
    private readonly disposables: vscode.Disposable[] = [];

    /** `state` assembles the host state from the parts. */
    constructor(readonly options: PlaygroundViewOptions, private readonly state: () => HostState) {}

    /** Disposed with the view (in the reverse order of registration). */
    own<T extends vscode.Disposable>(disposable: T): T {
        this.disposables.push(disposable);
        return disposable;
    }

    /** Posts `params` to the page, if there is one (dropped until it is ready: its ready handler sends everything). */
    notify<P>(notification: IpcNotification<P>, params: P): void {
        void this.connection?.notify(notification, params);
    }

    sendState(): void {
        this.notify(stateNotification, this.state());
    }

    /** Shows `notice` on the page; undefined, so a failing action can `return setNotice(why)`. */
    setNotice(notice: string): undefined {
        this.notice = notice;
        this.sendState();
        return undefined;
    }

    dispose(): void {
        this.connection?.dispose();
        for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
    }
}
