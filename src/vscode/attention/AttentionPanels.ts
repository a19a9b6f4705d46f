import * as vscode from 'vscode';
import { attentionViewType } from '../../webview/attention/protocol';
import { restoredState } from '../../webview/attention/restoredState';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { isPromptDocument, promptName } from '../prompt/promptSource';
import { webviewOptions } from '../webview/webviewResources';
import { AttentionPanel, type AttentionPanelOptions } from './AttentionPanel';

/**
 * Every attention panel, one per prompt file or inspection key: showing a prompt's attention again reuses (and recomputes) its panel.
 * Also restores the panels VS Code had open before a reload, from the webview's setState.
 */
export class AttentionPanels implements vscode.Disposable {
    private readonly panels = new Map<string, AttentionPanel>();
    private readonly serializer: vscode.Disposable;

    constructor(private readonly options: AttentionPanelOptions) {
        this.serializer = vscode.window.registerWebviewPanelSerializer(attentionViewType, {
            deserializeWebviewPanel: async (panel, state) => this.restore(panel, state),
        });
    }

    panelFor(uri: vscode.Uri): AttentionPanel | undefined {
        return this.panels.get(uri.toString());
    }

    /**
     * Opens (or reveals) the panel of the given prompt, else of the active editor's, and captures its attention;
     * resolves with the panel once computed (or failed), `undefined` when there is no prompt to show.
     */
    async show(target?: vscode.Uri): Promise<AttentionPanel | undefined> {
        const uri = target ?? activePromptUri();
        if (uri === undefined) {
            void vscode.window.showErrorMessage('Promptscope: open a .prompt file to see its attention.');
            return undefined;
        }
        let panel = this.panels.get(uri.toString());
        if (panel === undefined) {
            const webviewPanel = vscode.window.createWebviewPanel(attentionViewType, `Attention: ${promptName(uri)}`,
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
            panel = this.track(uri.toString(), new AttentionPanel(webviewPanel, this.options, { title: promptName(uri), promptUri: uri.toString(), phase: 'computing' }));
        } else {
            panel.panel.reveal(undefined, true);
        }
        await panel.computeFor(uri);
        return panel;
    }

    /**
     * Opens (or reveals) the panel of `request.key` and captures the attention of that run (the playground's last run:
     * its rendered prompt and generated tokens, under its adapters); resolves with the panel once computed (or failed).
     */
    async showRequest(request: InspectionRequest): Promise<AttentionPanel> {
        const key = inspectionKey(request.key);
        let panel = this.panels.get(key);
        if (panel === undefined) {
            const webviewPanel = vscode.window.createWebviewPanel(attentionViewType, `Attention: ${request.title}`,
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
            panel = this.track(key, new AttentionPanel(webviewPanel, this.options, { title: request.title, phase: 'computing' }));
        } else {
            panel.panel.reveal(undefined, true);
        }
        await panel.computeRequest(request);
        return panel;
    }

    /** The panel of inspection key `key`, if one is open. */
    panelForRequest(key: string): AttentionPanel | undefined {
        return this.panels.get(inspectionKey(key));
    }

    dispose(): void {
        this.serializer.dispose();
        for (const panel of [...this.panels.values()]) panel.dispose();
        this.panels.clear();
    }

    private restore(webviewPanel: vscode.WebviewPanel, saved: unknown): void {
        const panel = new AttentionPanel(webviewPanel, this.options, restoredState(saved));
        const key = panel.current.promptUri;
        if (key !== undefined && !this.panels.has(key)) this.track(key, panel);
    }

    private track(key: string, panel: AttentionPanel): AttentionPanel {
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
    const document = vscode.window.activeTextEditor?.document;
    return document !== undefined && isPromptDocument(document) ? document.uri : undefined;
}
