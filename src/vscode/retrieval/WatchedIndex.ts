import { lstat } from 'node:fs/promises';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../shared/errors/CancelledError';
import {
    buildRetrievalIndex, changeConcernsIndex, compileDocumentSelection, legacyDocumentSelection, type ChangeKind, type IndexManifest,
    type IndexProgress, readIndexManifest, type WatchedDocuments,
} from '../../core/retrieval';
import type { ModelService } from '../ModelService';
import type { KeyedLock } from './KeyedLock';
import { SerialDebouncer } from './SerialDebouncer';

/** Where a watched index reports its updates: the status bar while one runs. */
export interface IndexUpdateProgress {
    report(index: string, progress: IndexProgress): void;
    done(index: string): void;
}

export interface WatchedIndexOptions {
    models: ModelService;
    log: vscode.LogOutputChannel;
    /** Held while the index is written, shared with Index Folder for Retrieval…. */
    locks: KeyedLock;
    progress: IndexUpdateProgress;
    /** Called when the index was deleted: it is not built again behind the user's back. */
    onGone: () => void;
    /** Quiet time after the last change before the update. Defaults to 1000 ms. */
    delayMs?: number;
}

/**
 * One index kept up to date: a file-system watcher over its folder, and on a change to a document it selects (by
 * the globs its manifest records) an incremental update after a quiet second, in the background, one at a time.
 * The update is the build `promptscope index` runs again: the files whose text changed are embedded (in the
 * runtime host), the others keep their vectors, and the index is written only when it is complete.
 */
export class WatchedIndex implements vscode.Disposable {
    private documents: WatchedDocuments;
    private readonly watcher: vscode.FileSystemWatcher;
    private readonly debouncer: SerialDebouncer;
    /** Documents changed since the last update began, for the log. */
    private readonly changed = new Set<string>();

    constructor(
        /** The index folder. */
        readonly folder: string,
        /** The workspace folder it is written in (nothing is written outside it). */
        readonly root: string,
        /** `folder` relative to `root`, for messages. */
        readonly label: string,
        private manifest: IndexManifest,
        private readonly options: WatchedIndexOptions,
    ) {
        this.documents = documentsOf(manifest);
        // Every path under the indexed folder, sorted out by the index's own globs: the watcher's glob dialect and
        // picomatch's could disagree, and a folder deleted or created arrives as one event for the folder alone.
        this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(manifest.folder), '**/*'));
        this.watcher.onDidCreate(uri => void this.onEvent(uri, 'created'));
        this.watcher.onDidChange(uri => void this.onEvent(uri, 'file'));
        this.watcher.onDidDelete(uri => void this.onEvent(uri, 'deleted'));
        this.debouncer = new SerialDebouncer(signal => this.update(signal), {
            delayMs: options.delayMs ?? 1000,
            onError: error => options.log.warn(`Retrieval index ${label}: ${(error as Error).message ?? String(error)}`),
        });
    }

    /** The indexed folder, as the manifest says. */
    get documentsFolder(): string {
        return this.manifest.folder;
    }

    /** Whether an update is waiting or running. */
    get busy(): boolean {
        return this.debouncer.busy;
    }

    /** The update in progress, if any. */
    get current(): Promise<void> | undefined {
        return this.debouncer.current;
    }

    /** The index was written (by an update, the command, the CLI): what it holds and selects now. */
    refresh(manifest: IndexManifest): void {
        this.manifest = manifest;
        this.documents = documentsOf(manifest);
    }

    dispose(): void {
        this.watcher.dispose();
        // An update in progress is aborted: the build stops between requests and leaves the index as it was.
        this.debouncer.dispose();
    }

    private async onEvent(uri: vscode.Uri, event: ChangeKind | 'created'): Promise<void> {
        // lstat, not stat: a link created is not followed, here as in the build.
        const kind: ChangeKind = event !== 'created' ? event : await lstat(uri.fsPath).then(s => (s.isDirectory() ? 'folder' : 'file'), () => 'deleted');
        if (!changeConcernsIndex(this.documents, uri.fsPath, kind)) return;
        this.changed.add(relative(this.manifest.folder, uri.fsPath).split('\\').join('/'));
        this.debouncer.trigger();
    }

    private update(signal: AbortSignal): Promise<void> {
        return this.options.locks.run(this.folder, async () => {
            if (signal.aborted) return;
            const changed = [...this.changed];
            this.changed.clear();
            // Read again: the CLI may have rebuilt it with other chunking since; and a deleted index stays deleted.
            const manifest = await readIndexManifest(this.folder, { optional: true }).catch(() => undefined);
            if (manifest === undefined) {
                this.options.log.info(`Retrieval index ${this.label} is gone (or unreadable); no longer watched.`);
                this.options.onGone();
                return;
            }
            this.options.log.info(`Retrieval index ${this.label}: updating for ${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''}`);
            try {
                const result = await buildRetrievalIndex({
                    folder: manifest.folder, out: this.folder, root: this.root, model: manifest.model.path, embedder: this.options.models.client,
                    chunkSize: manifest.chunking.size, chunkOverlap: manifest.chunking.overlap,
                    selection: manifest.selection ?? legacyDocumentSelection, signal,
                    onProgress: progress => this.options.progress.report(this.label, progress),
                });
                this.refresh(result.manifest);
                this.options.log.info(`Retrieval index ${this.label} updated in ${(result.ms / 1000).toFixed(1)} s: ${result.manifest.files.length} files, `
                    + `${result.embeddedChunks} chunks of ${result.embeddedFiles} file${result.embeddedFiles === 1 ? '' : 's'} embedded, ${result.reusedFiles} unchanged.`);
            } catch (error) {
                if (error instanceof CancelledError && signal.aborted) {
                    this.options.log.info(`Retrieval index ${this.label}: update stopped; the index is as it was.`);
                    return;
                }
                throw error;
            } finally {
                this.options.progress.done(this.label);
            }
        });
    }
}

function documentsOf(manifest: IndexManifest): WatchedDocuments {
    return {
        folder: manifest.folder,
        matcher: compileDocumentSelection(manifest.selection ?? legacyDocumentSelection),
        files: new Set(manifest.files.map(f => f.path)),
    };
}
