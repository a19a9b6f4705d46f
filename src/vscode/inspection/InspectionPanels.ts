import * as vscode from 'vscode';
import { activePromptDocument, promptName } from '../prompt/promptSource';
import { webviewOptions } from '../webview/webviewResources';
import type { InspectionPanel, InspectionPanelKind, InspectionPanelOptions, InspectionPanelState } from './InspectionPanel';
import type { InspectionRequest } from './InspectionRequest';

/** One kind of inspection panel (token probabilities, attention): how to make and restore its panels. */
export interface InspectionPanelsOptions<P extends AnyInspectionPanel> {
    kind: InspectionPanelKind<P['current']>;
    extensionUri: vscode.Uri;
    /** A new panel in `webviewPanel`, computing for `title` (and `promptUri`, for a prompt file). */
    create(webviewPanel: vscode.WebviewPanel, title: string, promptUri: string | undefined): P;
    /** A panel VS Code reopened after a reload, from the webview's saved state, and the prompt URI it shows. */
    restore(webviewPanel: vscode.WebviewPanel, saved: unknown): { panel: P; promptUri: string | undefined };
}

type AnyInspectionPanel = InspectionPanel<InspectionPanelState, InspectionPanelOptions>;

/**
 * Every panel of one kind, one per prompt file or inspection key: showing a prompt again reuses (and recomputes) its
 * panel. Also restores the panels VS Code had open before a reload, from the webview's setState.
 */
export class InspectionPanels<P extends AnyInspectionPanel> implements vscode.Disposable {
    private readonly panels = new Map<string, P>();
    private readonly serializer: vscode.Disposable;

    constructor(private readonly options: InspectionPanelsOptions<P>) {
        this.serializer = vscode.window.registerWebviewPanelSerializer(options.kind.viewType, {
            deserializeWebviewPanel: async (webviewPanel, saved) => {
                const { panel, promptUri } = options.restore(webviewPanel, saved);
                if (promptUri !== undefined && !this.panels.has(promptUri)) this.track(promptUri, panel);
            },
        });
    }

    /** The panel of `uri`'s prompt, if one is open. */
    panelFor(uri: vscode.Uri): P | undefined {
        return this.panels.get(uri.toString());
    }

    /**
     * Opens (or reveals) the panel of the given prompt, else of the active editor's, and computes it; resolves with
     * the panel once computed (or failed), `undefined` when there is no prompt to show.
     */
    async show(target?: vscode.Uri): Promise<P | undefined> {
        const uri = target ?? activePromptUri();
        if (uri === undefined) {
            void vscode.window.showErrorMessage(`Promptscope: open a .prompt file to see its ${this.options.kind.shows}.`);
            return undefined;
        }
        const panel = this.open(uri.toString(), promptName(uri), uri.toString());
        await panel.computeFor(uri);
        return panel;
    }

    /**
     * Opens (or reveals) the panel of `request.key` and computes it for that run (the playground's last run: its
     * prompt, sampling, adapters and generated tokens); resolves with the panel once computed (or failed).
     */
    async showRequest(request: InspectionRequest): Promise<P> {
        const panel = this.open(inspectionKey(request.key), request.title, undefined);
        await panel.computeRequest(request);
        return panel;
    }

    /** The panel of inspection key `key`, if one is open. */
    panelForRequest(key: string): P | undefined {
        return this.panels.get(inspectionKey(key));
    }

    dispose(): void {
        this.serializer.dispose();
        for (const panel of [...this.panels.values()]) panel.dispose();
        this.panels.clear();
    }

    private open(key: string, title: string, promptUri: string | undefined): P {
        const open = this.panels.get(key);
        if (open !== undefined) {
            open.panel.reveal(undefined, true);
            return open;
        }
        const { kind } = this.options;
        const webviewPanel = vscode.window.createWebviewPanel(kind.viewType, `${kind.titlePrefix}: ${title}`,
            { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
        return this.track(key, this.options.create(webviewPanel, title, promptUri));
    }

    private track(key: string, panel: P): P {
        this.panels.set(key, panel);
        panel.onDidDispose(() => {
            if (this.panels.get(key) === panel) this.panels.delete(key);
        });
        return panel;
    }
}

/** Inspection keys live beside prompt URIs in one map; no URI starts like this. */
function inspectionKey(key: string): string {
    return `inspection ${key}`;
}

function activePromptUri(): vscode.Uri | undefined {
    return activePromptDocument()?.uri;
}
