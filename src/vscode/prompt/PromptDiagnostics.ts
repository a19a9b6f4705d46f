import * as vscode from 'vscode';
import { analyzePrompt } from '../../core/prompt';
import { Debouncer } from './Debouncer';
import { diagnosticFields } from './diagnosticFields';
import { isPartialDocument, isPromptDocument, partialsFor, promptDocumentOf, toRange } from './promptSource';

/** How long typing must pause before a document is analyzed again. */
const typingPauseMs = 250;

/**
 * Problems of open `.prompt` files in one DiagnosticCollection, from core `analyzePrompt`: at once when a file
 * opens, 250 ms after the last keystroke while typing. A change to a partial re-checks the prompts beside it.
 */
export class PromptDiagnostics implements vscode.Disposable {
    private readonly collection = vscode.languages.createDiagnosticCollection('promptscope');
    private readonly debouncer = new Debouncer<string>(typingPauseMs);
    /** Bumped per analysis, so a slow analysis never overwrites a newer one's result. */
    private readonly generations = new Map<string, number>();
    private readonly subscriptions: vscode.Disposable[];

    constructor(private readonly log: vscode.LogOutputChannel) {
        this.subscriptions = [
            vscode.workspace.onDidOpenTextDocument(document => this.analyzeNow(document)),
            vscode.workspace.onDidChangeTextDocument(event => this.onChange(event.document)),
            vscode.workspace.onDidSaveTextDocument(document => {
                if (isPartialDocument(document)) this.recheckOthers(document);
            }),
            vscode.workspace.onDidCloseTextDocument(document => this.forget(document)),
        ];
        for (const document of vscode.workspace.textDocuments) this.analyzeNow(document);
    }

    dispose(): void {
        for (const subscription of this.subscriptions) subscription.dispose();
        this.debouncer.dispose();
        this.collection.dispose();
    }

    private onChange(document: vscode.TextDocument): void {
        if (!isPromptDocument(document)) return;
        this.debouncer.schedule(document.uri.toString(), () => {
            void this.analyze(document);
            if (isPartialDocument(document)) this.recheckOthers(document);
        });
    }

    private analyzeNow(document: vscode.TextDocument): void {
        if (!isPromptDocument(document)) return;
        this.debouncer.cancel(document.uri.toString());
        void this.analyze(document);
    }

    private recheckOthers(partial: vscode.TextDocument): void {
        for (const document of vscode.workspace.textDocuments) {
            if (document !== partial && isPromptDocument(document)) this.analyzeNow(document);
        }
    }

    private forget(document: vscode.TextDocument): void {
        const key = document.uri.toString();
        this.debouncer.cancel(key);
        this.generations.delete(key);
        this.collection.delete(document.uri);
    }

    private async analyze(document: vscode.TextDocument): Promise<void> {
        const key = document.uri.toString();
        const generation = (this.generations.get(key) ?? 0) + 1;
        this.generations.set(key, generation);
        try {
            const doc = promptDocumentOf(document);
            const found = await analyzePrompt(doc, { partials: partialsFor(document) });
            if (this.generations.get(key) !== generation || document.isClosed) return;
            this.collection.set(document.uri, found.map(d => toDiagnostic(diagnosticFields(d, doc.path))));
        } catch (error) {
            // analyzePrompt promises not to throw; if it does, stale squiggles are better than none at all.
            this.log.error(`Analyzing ${document.uri.fsPath} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
    }
}

function toDiagnostic(fields: ReturnType<typeof diagnosticFields>): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(fields.range), fields.message, fields.severity as vscode.DiagnosticSeverity);
    diagnostic.source = fields.source;
    diagnostic.code = fields.code;
    if (fields.related !== undefined) {
        diagnostic.relatedInformation = [new vscode.DiagnosticRelatedInformation(
            new vscode.Location(vscode.Uri.file(fields.related.path), toRange(fields.related.range)), fields.related.message)];
    }
    return diagnostic;
}
