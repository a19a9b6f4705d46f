import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { defaultIndexFolder, indexFiles, readIndexManifest, type IndexProgress } from '../../core/retrieval';
import { CommandId } from '../commandIds';
import type { Config } from '../Config';
import type { ModelService } from '../ModelService';
import { KeyedLock } from './KeyedLock';
import { WatchedIndex, type IndexUpdateProgress } from './WatchedIndex';

export interface IndexWatchersOptions {
    config: Config;
    models: ModelService;
    log: vscode.LogOutputChannel;
    /** Quiet time after the last change before an index is updated. Defaults to 1000 ms. */
    delayMs?: number;
}

/**
 * Keeps the workspace's retrieval indexes (`.promptscope/index/*` of each workspace folder) up to date while
 * `promptscope.retrieval.watch` is on and the workspace is trusted (an index names the model that embeds it, and a
 * folder it reads: an untrusted repository's own manifest must not make the editor load or read anything). An index
 * is watched once it is found at start, built by Index Folder for Retrieval…, or written by the CLI (its manifest
 * appearing). Updates show in the status bar and the Promptscope output.
 */
export class IndexWatchers implements vscode.Disposable, IndexUpdateProgress {
    private readonly watched = new Map<string, WatchedIndex>();
    /** Builds of one index folder, the command's and the watcher's, one at a time. */
    private readonly locks = new KeyedLock();
    private readonly subscriptions: vscode.Disposable[] = [];
    private manifestWatchers: vscode.Disposable[] = [];
    private readonly statusBar: vscode.StatusBarItem;
    private readonly updating = new Map<string, IndexProgress>();
    private active = false;
    private untrustedLogged = false;

    constructor(private readonly options: IndexWatchersOptions) {
        this.statusBar = vscode.window.createStatusBarItem('promptscope.retrievalIndex', vscode.StatusBarAlignment.Left, 0);
        this.statusBar.name = 'Promptscope Retrieval Index';
        this.statusBar.command = CommandId.showLogs;
        this.subscriptions.push(
            vscode.workspace.onDidChangeConfiguration(event => {
                if (event.affectsConfiguration('promptscope.retrieval.watch')) void this.restart();
            }),
            vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
            vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restart()),
        );
        void this.restart();
    }

    /**
     * Watches the index at `indexFolder` (or takes its new manifest): called once a build wrote it. Does nothing
     * while watching is off or the folder is not an index of a workspace folder.
     */
    async track(indexFolder: string): Promise<void> {
        if (!this.active) return;
        const folder = resolve(indexFolder);
        const workspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder));
        if (workspace === undefined || workspace.uri.scheme !== 'file') return;
        const root = workspace.uri.fsPath;
        const label = relative(root, folder).split(sep).join('/');
        let manifest;
        try {
            manifest = await readIndexManifest(folder, { optional: true });
        } catch (error) {
            this.untrack(folder);
            this.options.log.warn(`Retrieval index ${label} is not watched: ${(error as Error).message}`);
            return;
        }
        if (!this.active) return;
        if (manifest === undefined) {
            this.untrack(folder);
            return;
        }
        if (!isInside(root, manifest.folder)) {
            this.untrack(folder);
            this.options.log.warn(`Retrieval index ${label} is not watched: it indexes ${manifest.folder}, outside the workspace folder ${root}.`);
            return;
        }
        const existing = this.watched.get(folder);
        if (existing !== undefined && existing.documentsFolder === manifest.folder) {
            existing.refresh(manifest);
            return;
        }
        existing?.dispose();
        try {
            this.watched.set(folder, new WatchedIndex(folder, root, label, manifest, {
                models: this.options.models, log: this.options.log, locks: this.locks, progress: this, onGone: () => this.untrack(folder),
                ...(this.options.delayMs !== undefined ? { delayMs: this.options.delayMs } : {}),
            }));
            this.options.log.info(`Retrieval index ${label}: watching ${relative(root, manifest.folder).split(sep).join('/') || '.'} for changes`);
        } catch (error) {
            this.watched.delete(folder);
            this.options.log.warn(`Retrieval index ${label} is not watched: ${(error as Error).message}`);
        }
    }

    /** Runs `task` (a build of the index at `indexFolder`) once no update of that index runs, and keeps others waiting. */
    exclusive<T>(indexFolder: string, task: () => Promise<T>): Promise<T> {
        return this.locks.run(resolve(indexFolder), task);
    }

    /** The indexes watched now (absolute folders). */
    get indexes(): string[] {
        return [...this.watched.keys()];
    }

    /** Resolves once no watched index has an update waiting or running (tests, and anyone who must read a settled index). */
    async settled(): Promise<void> {
        for (;;) {
            const busy = [...this.watched.values()].filter(w => w.busy);
            if (busy.length === 0) return;
            await Promise.all(busy.map(w => w.current ?? new Promise(r => setTimeout(r, 100))));
        }
    }

    report(index: string, progress: IndexProgress): void {
        this.updating.set(index, progress);
        this.render();
    }

    done(index: string): void {
        this.updating.delete(index);
        this.render();
    }

    dispose(): void {
        this.stop();
        for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
        this.statusBar.dispose();
    }

    private render(): void {
        const [index, progress] = [...this.updating].at(-1) ?? [];
        if (index === undefined || progress === undefined) {
            this.statusBar.hide();
            return;
        }
        const detail = progress.phase === 'read' ? `${progress.filesDone}/${progress.files} files`
            : progress.phase === 'embed' ? `${progress.embedded}/${progress.toEmbed} chunks` : 'writing';
        this.statusBar.text = `$(sync~spin) ${index.split('/').at(-1)}: ${detail}`;
        this.statusBar.tooltip = `Promptscope is updating the retrieval index ${index} after its documents changed (${detail}). Click for the log.`;
        this.statusBar.show();
    }

    private async restart(): Promise<void> {
        this.stop();
        if (!this.options.config.retrievalWatch) return;
        if (!vscode.workspace.isTrusted) {
            if (!this.untrustedLogged) this.options.log.info('Retrieval indexes are not watched in an untrusted workspace: run Index Folder for Retrieval… to update one.');
            this.untrustedLogged = true;
            return;
        }
        this.active = true;
        const workspaces = (vscode.workspace.workspaceFolders ?? []).filter(w => w.uri.scheme === 'file');
        // Created before anything is awaited, so that a restart meanwhile (its stop) disposes them.
        for (const workspace of workspaces) {
            // A manifest is written last: its appearing (the CLI's build, a pull) is an index to watch; its change, a new state.
            const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspace, `${defaultIndexFolder}/*/${indexFiles.manifest}`));
            const onManifest = (uri: vscode.Uri) => void this.track(join(uri.fsPath, '..'));
            watcher.onDidCreate(onManifest);
            watcher.onDidChange(onManifest);
            watcher.onDidDelete(uri => this.untrack(join(uri.fsPath, '..')));
            this.manifestWatchers.push(watcher);
        }
        for (const workspace of workspaces) {
            const base = join(workspace.uri.fsPath, defaultIndexFolder);
            const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
            await Promise.all(entries.filter(e => e.isDirectory()).map(e => this.track(join(base, e.name))));
        }
    }

    private untrack(folder: string): void {
        const key = resolve(folder);
        this.watched.get(key)?.dispose();
        this.watched.delete(key);
    }

    private stop(): void {
        this.active = false;
        for (const watcher of this.manifestWatchers.splice(0)) watcher.dispose();
        for (const watched of this.watched.values()) watched.dispose();
        this.watched.clear();
        this.updating.clear();
        this.render();
    }
}

function isInside(root: string, path: string): boolean {
    const fromRoot = relative(root, path);
    return fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot);
}
