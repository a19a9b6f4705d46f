import * as vscode from 'vscode';
import { tokenProbabilitiesViewType } from '../../webview/tokenProbabilities/protocol';
import { restoredState } from '../../webview/tokenProbabilities/restoredState';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { isPromptDocument, promptName } from '../prompt/promptSource';
import { webviewOptions } from '../webview/webviewResources';
import { TokenProbabilitiesPanel, type TokenProbabilitiesPanelOptions } from './TokenProbabilitiesPanel';

/**
 * Every token probabilities panel, one per prompt file or inspection key: showing a prompt's probabilities again
 * reuses (and recomputes) its panel. Also restores the panels VS Code had open before a reload, from the webview's setState.
 */
export class TokenProbabilitiesPanels implements vscode.Disposable {
    private readonly panels = new Map<string, TokenProbabilitiesPanel>();
    private readonly serializer: vscode.Disposable;

    constructor(private readonly options: TokenProbabilitiesPanelOptions) {
        this.serializer = vscode.window.registerWebviewPanelSerializer(tokenProbabilitiesViewType, {
            deserializeWebviewPanel: async (panel, state) => this.restore(panel, state),
        });
    }

    /** The panel of `uri`'s prompt, if one is open. */
    panelFor(uri: vscode.Uri): TokenProbabilitiesPanel | undefined {
        return this.panels.get(uri.toString());
    }

    /**
     * Opens (or reveals) the panel of the given prompt, else of the active editor's, and computes its probabilities;
     * resolves with the panel once computed (or failed), `undefined` when there is no prompt to show.
     */
    async show(target?: vscode.Uri): Promise<TokenProbabilitiesPanel | undefined> {
        const uri = target ?? activePromptUri();
        if (uri === undefined) {
            void vscode.window.showErrorMessage('Promptscope: open a .prompt file to see its token probabilities.');
            return undefined;
        }
        let panel = this.panels.get(uri.toString());
        if (panel === undefined) {
            const webviewPanel = vscode.window.createWebviewPanel(tokenProbabilitiesViewType, `Probabilities: ${promptName(uri)}`,
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
            panel = this.track(uri.toString(), new TokenProbabilitiesPanel(webviewPanel, this.options, { title: promptName(uri), promptUri: uri.toString(), phase: 'computing', branches: [] }));
        } else {
            panel.panel.reveal(undefined, true);
        }
        await panel.computeFor(uri);
        return panel;
    }

    /**
     * Opens (or reveals) the panel of `request.key` and computes the probabilities of that run (the playground's last
     * run: its messages or raw text, sampling, adapters and generated tokens); resolves with the panel once computed (or failed).
     */
    async showRequest(request: InspectionRequest): Promise<TokenProbabilitiesPanel> {
        const key = inspectionKey(request.key);
        let panel = this.panels.get(key);
        if (panel === undefined) {
            const webviewPanel = vscode.window.createWebviewPanel(tokenProbabilitiesViewType, `Probabilities: ${request.title}`,
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.options.extensionUri));
            panel = this.track(key, new TokenProbabilitiesPanel(webviewPanel, this.options, { title: request.title, phase: 'computing', branches: [] }));
        } else {
            panel.panel.reveal(undefined, true);
        }
        await panel.computeRequest(request);
        return panel;
    }

    /** The panel of inspection key `key`, if one is open. */
    panelForRequest(key: string): TokenProbabilitiesPanel | undefined {
        return this.panels.get(inspectionKey(key));
    }

    dispose(): void {
        this.serializer.dispose();
        for (const panel of [...this.panels.values()]) panel.dispose();
        this.panels.clear();
    }

    /** A panel from before a reload: its last state, with work that the reload interrupted marked as such. */
    private restore(webviewPanel: vscode.WebviewPanel, saved: unknown): void {
        const state = restoredState(saved);
        const panel = new TokenProbabilitiesPanel(webviewPanel, this.options, state);
        if (state.promptUri !== undefined && !this.panels.has(state.promptUri)) this.track(state.promptUri, panel);
    }

    private track(key: string, panel: TokenProbabilitiesPanel): TokenProbabilitiesPanel {
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
