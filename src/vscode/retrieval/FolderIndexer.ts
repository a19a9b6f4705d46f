import { basename, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../shared/errors/CancelledError';
import { EmbeddingModelMismatchError } from '../../shared/errors/EmbeddingModelMismatchError';
import { buildRetrievalIndex, defaultIndexFolder, type BuildIndexResult, type DocumentSelection, type IndexProgress } from '../../core/retrieval';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import type { IndexWatchers } from './IndexWatchers';
import { retrievalSettingKeys } from './retrievalSettings';

/** What tests and other features may give instead of answering dialogs. */
export interface IndexFolderOptions {
    /** The embedding model (a .gguf path). Defaults to the loaded model, else a file dialog. */
    model?: string;
    /** Replace an index built with another model without asking. Defaults to asking. */
    rebuild?: boolean;
    /** Stops the indexing as the notification's Cancel does. Defaults to none. */
    signal?: AbortSignal;
    /** Called with each progress report, as the notification shows it. Defaults to none. */
    onProgress?: (progress: IndexProgress) => void;
}

/** One build: where from, where to, with what. */
interface BuildTarget {
    folder: string;
    out: string;
    root: string;
    model: string;
    relativeIndex: string;
    selection: DocumentSelection;
}

export type IndexFolderOutcome =
    | { status: 'done'; result: BuildIndexResult; relativeIndex: string }
    | { status: 'cancelled' }
    | { status: 'failed'; message: string; error: unknown };

/**
 * Promptscope: Index Folder for Retrieval…: the documents of a workspace folder that `promptscope.retrieval.include`
 * / `.exclude` select, indexed into `.promptscope/index/<name>` of its workspace folder, under a cancellable
 * notification counting files, then chunks embedded. The embedding runs in the runtime host (the client's `embed`),
 * so the extension host only waits; an index built with another model is replaced only after the user agrees. Once
 * built, the index is watched (see IndexWatchers), and a build waits for the watcher's update of it to end.
 */
export class FolderIndexer {
    constructor(private readonly options: { models: ModelService; config: Config; watchers: IndexWatchers; log: vscode.LogOutputChannel }) {}

    async index(folderArg: vscode.Uri | undefined, options: IndexFolderOptions = {}): Promise<IndexFolderOutcome | undefined> {
        const folder = folderArg ?? await this.pickFolder();
        if (folder === undefined) return undefined;
        if (folder.scheme !== 'file') return this.fail(`${folder.toString()} is not on the local disk; index a folder of local files.`);
        const workspace = vscode.workspace.getWorkspaceFolder(folder);
        if (workspace === undefined) return this.fail(`${folder.fsPath} is outside the open workspace: the index is written inside it, so open that folder (or one above it) first.`);
        // Before the model is asked for: a glob that does not parse is the first thing to fix.
        const { selection, problem } = this.options.config.retrievalSelection(folder);
        if (selection === undefined) return this.fail(problem);
        const model = options.model ?? this.options.models.model?.path ?? await this.pickModel();
        if (model === undefined) return undefined;
        const root = workspace.uri.fsPath;
        const out = join(root, defaultIndexFolder, basename(folder.fsPath) || 'index');
        const relativeIndex = relative(root, out).split('\\').join('/');
        return this.run({ folder: folder.fsPath, out, root, model, relativeIndex, selection }, options, options.rebuild === true);
    }

    private async run(target: BuildTarget, options: IndexFolderOptions, rebuild: boolean): Promise<IndexFolderOutcome> {
        const { folder, out, root, model, relativeIndex, selection } = target;
        const controller = new AbortController();
        options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
        try {
            const result = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: indexing ${basename(folder)}`,
                cancellable: true,
            }, async (progress, token) => {
                token.onCancellationRequested(() => controller.abort());
                let shown = 0;
                // Never beside the watcher's update of the same index: both would write its three files.
                return this.options.watchers.exclusive(out, () => buildRetrievalIndex({
                    folder, out, root, model, embedder: this.options.models.client, rebuild, signal: controller.signal, selection, selectionKeys: retrievalSettingKeys,
                    onProgress: p => {
                        options.onProgress?.(p);
                        // The notification's bar moves by increments: the share of the embedding done since the last report.
                        const fraction = p.phase === 'embed' && p.toEmbed > 0 ? p.embedded / p.toEmbed : p.phase === 'write' ? 1 : 0;
                        const message = p.phase === 'read' ? `reading ${p.filesDone}/${p.files} files`
                            : p.phase === 'embed' ? `embedding ${p.embedded}/${p.toEmbed} chunks` : 'writing the index';
                        progress.report({ message, increment: Math.max(0, (fraction - shown) * 100) });
                        shown = Math.max(shown, fraction);
                    },
                }));
            });
            void this.options.watchers.track(out);
            const { manifest } = result;
            const summary = `Indexed ${manifest.files.length} files (${manifest.chunks} chunks, ${result.embeddedChunks} embedded now, ${result.reusedFiles} files unchanged) `
                + `with ${manifest.model.name} into ${relativeIndex}. Use it in a prompt with promptscope.retrieval: {index: …, query: "{{question}}"}.`;
            this.options.log.info(summary);
            void vscode.window.showInformationMessage(`Promptscope: ${summary}`);
            return { status: 'done', result, relativeIndex };
        } catch (error) {
            if (error instanceof CancelledError && controller.signal.aborted) {
                this.options.log.info(`Indexing ${folder} cancelled; the index at ${relativeIndex} is as it was.`);
                return { status: 'cancelled' };
            }
            if (error instanceof EmbeddingModelMismatchError && !rebuild && options.rebuild === undefined) {
                const replace = 'Rebuild with This Model';
                const choice = await vscode.window.showWarningMessage(`Promptscope: ${error.message}`, replace);
                if (choice === replace) return this.run(target, options, true);
            }
            return this.fail((error as Error).message ?? String(error), error);
        }
    }

    private fail(message: string, error?: unknown): IndexFolderOutcome {
        this.options.log.warn(message);
        void vscode.window.showErrorMessage(`Promptscope: ${message}`);
        return { status: 'failed', message, error };
    }

    private async pickFolder(): Promise<vscode.Uri | undefined> {
        const picked = await vscode.window.showOpenDialog({
            canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Index for Retrieval',
            title: 'Promptscope: folder of documents to index (promptscope.retrieval.include / .exclude select its files)',
            ...(vscode.workspace.workspaceFolders?.[0] !== undefined ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
        });
        return picked?.[0];
    }

    private async pickModel(): Promise<string | undefined> {
        const picked = await vscode.window.showOpenDialog({
            canSelectFiles: true, canSelectMany: false, openLabel: 'Embed with This Model', filters: { 'GGUF model': ['gguf'] },
            title: 'Promptscope: the embedding model (no model is loaded)',
        });
        return picked?.[0]?.fsPath;
    }
}
