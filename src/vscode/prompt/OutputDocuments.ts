import * as vscode from 'vscode';

/** How often a streaming document tells the editor it changed: each token would redraw it hundreds of times a second. */
const refreshMs = 50;
/** Contents of this many documents are kept; older ones read back empty if their tab is reopened. */
const maxDocuments = 50;

/**
 * Read-only virtual documents (`promptscope-output:` URIs) holding what Promptscope shows: rendered prompts
 * and streamed run output. Documents of a content provider cannot be edited, which is what we want.
 */
export class OutputDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
    static readonly scheme = 'promptscope-output';

    private readonly changes = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changes.event;
    private readonly contents = new Map<string, string>();
    private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
    private readonly registration = vscode.workspace.registerTextDocumentContentProvider(OutputDocuments.scheme, this);

    /** The output document of a run of `prompt`: one per prompt file, so a new run replaces the last. */
    static runUri(prompt: vscode.Uri): vscode.Uri {
        return vscode.Uri.from({ scheme: OutputDocuments.scheme, path: `${prompt.path}.output` });
    }

    /** The rendered prompt of `prompt`, as JSON (the `.json` name gives it JSON highlighting). */
    static renderUri(prompt: vscode.Uri): vscode.Uri {
        return vscode.Uri.from({ scheme: OutputDocuments.scheme, path: `${prompt.path}.rendered.json` });
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    /** Replaces the text of `uri`; the editor hears of it within {@link refreshMs}, or at once with `flush`. */
    set(uri: vscode.Uri, text: string, flush = false): void {
        const key = uri.toString();
        this.contents.delete(key);
        this.contents.set(key, text);
        for (const old of [...this.contents.keys()].slice(0, Math.max(0, this.contents.size - maxDocuments))) this.contents.delete(old);
        if (flush) {
            clearTimeout(this.pending.get(key));
            this.pending.delete(key);
            this.changes.fire(uri);
        } else if (!this.pending.has(key)) {
            this.pending.set(key, setTimeout(() => {
                this.pending.delete(key);
                this.changes.fire(uri);
            }, refreshMs));
        }
    }

    /** Opens `uri` (after setting its text) without taking the focus from the prompt. */
    async show(uri: vscode.Uri, column = vscode.ViewColumn.Beside): Promise<vscode.TextEditor> {
        const document = await vscode.workspace.openTextDocument(uri);
        return vscode.window.showTextDocument(document, { viewColumn: column, preview: false, preserveFocus: true });
    }

    dispose(): void {
        for (const timer of this.pending.values()) clearTimeout(timer);
        this.pending.clear();
        this.registration.dispose();
        this.changes.dispose();
    }
}
