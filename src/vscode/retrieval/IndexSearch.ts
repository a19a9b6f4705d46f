import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { defaultIndexFolder, formatScore, readRetrievalIndex, retrievePassages, type IndexManifest, type RetrievalOutcome } from '../../core/retrieval';
import type { ModelService } from '../ModelService';

/** An index found in the workspace, with the state its manifest records. */
export interface FoundIndex {
    folder: string;
    /** Relative to its workspace folder, `/`-separated. */
    label: string;
    manifest: IndexManifest;
}

/** Passages listed per search. */
const searchK = 10;
/** Typing pauses this long before a search: each search embeds the query in the runtime. */
const debounceMs = 250;

/**
 * Promptscope: Search Retrieval Index…: the workspace's indexes (`.promptscope/index/*`) with their state (files,
 * chunks, model, when built), then a search box whose results are the nearest passages with their cosine scores,
 * each opening its file at its lines. Given a query (tests, other features), it searches without asking and returns
 * what the box would list.
 */
export class IndexSearch {
    constructor(private readonly options: { models: ModelService; log: vscode.LogOutputChannel }) {}

    /** Every readable index of the open workspace folders; one that cannot be read is logged and left out. */
    async indexes(): Promise<FoundIndex[]> {
        const found: FoundIndex[] = [];
        for (const workspace of vscode.workspace.workspaceFolders ?? []) {
            if (workspace.uri.scheme !== 'file') continue;
            const base = join(workspace.uri.fsPath, defaultIndexFolder);
            const names = await readdir(base, { withFileTypes: true }).catch(() => []);
            for (const entry of names) {
                if (!entry.isDirectory()) continue;
                const folder = join(base, entry.name);
                try {
                    const index = await readRetrievalIndex(folder);
                    found.push({ folder, label: relative(workspace.uri.fsPath, folder).split('\\').join('/'), manifest: index.manifest });
                } catch (error) {
                    this.options.log.warn(`Retrieval index ${folder} left out: ${(error as Error).message}`);
                }
            }
        }
        return found;
    }

    async search(indexArg?: string, query?: string): Promise<RetrievalOutcome | undefined> {
        const all = await this.indexes();
        const chosen = indexArg !== undefined ? all.find(i => i.folder === indexArg || i.label === indexArg) : all.length === 1 ? all[0] : await this.pickIndex(all);
        if (chosen === undefined) {
            if (all.length === 0) {
                const build = 'Index Folder for Retrieval…';
                void vscode.window.showInformationMessage('Promptscope: no retrieval index in this workspace yet.', build).then(choice => {
                    if (choice === build) void vscode.commands.executeCommand(CommandId.indexFolder);
                });
            } else if (indexArg !== undefined) {
                void vscode.window.showErrorMessage(`Promptscope: no retrieval index ${indexArg} in this workspace.`);
            }
            return undefined;
        }
        if (query !== undefined) return this.run(chosen, query);
        return this.searchBox(chosen);
    }

    private run(index: FoundIndex, query: string, signal?: AbortSignal): Promise<RetrievalOutcome> {
        return retrievePassages({ index: index.folder, query, k: searchK, embedder: this.options.models.client, ...(signal ? { signal } : {}) });
    }

    private async pickIndex(all: FoundIndex[]): Promise<FoundIndex | undefined> {
        if (all.length === 0) return undefined;
        const picked = await vscode.window.showQuickPick(all.map(index => ({ label: index.label, description: stateLine(index.manifest), detail: modelLine(index.manifest), index })), {
            title: 'Promptscope: retrieval indexes of this workspace', placeHolder: 'Choose an index to search',
        });
        return picked?.index;
    }

    private searchBox(index: FoundIndex): Promise<RetrievalOutcome | undefined> {
        type Item = vscode.QuickPickItem & { passage?: RetrievalOutcome['passages'][number] };
        const box = vscode.window.createQuickPick<Item>();
        box.title = `${index.label}: ${stateLine(index.manifest)}; ${modelLine(index.manifest)}`;
        box.placeholder = 'Type a query: the nearest passages, by cosine similarity of their embeddings';
        box.matchOnDescription = false;
        box.matchOnDetail = false;
        let last: RetrievalOutcome | undefined;
        let timer: NodeJS.Timeout | undefined;
        let current: AbortController | undefined;
        box.onDidChangeValue(value => {
            clearTimeout(timer);
            current?.abort();
            if (value.trim() === '') {
                box.items = [];
                return;
            }
            timer = setTimeout(() => {
                const controller = new AbortController();
                current = controller;
                box.busy = true;
                this.run(index, value, controller.signal).then(outcome => {
                    if (controller.signal.aborted) return;
                    last = outcome;
                    // Shown as found, never filtered again by the box's own matching of the typed text.
                    box.items = outcome.passages.map(p => ({
                        label: `${formatScore(p.score)}  ${p.file}:${p.startLine}-${p.endLine}`,
                        detail: p.text.replace(/\s+/g, ' ').slice(0, 200),
                        alwaysShow: true,
                        passage: p,
                    }));
                }, (error: unknown) => {
                    if (controller.signal.aborted) return;
                    box.items = [{ label: '$(error) The search failed', detail: (error as Error).message, alwaysShow: true }];
                    this.options.log.warn(`Search of ${index.label} failed: ${(error as Error).message}`);
                }).finally(() => {
                    if (current === controller) box.busy = false;
                });
            }, debounceMs);
        });
        return new Promise(resolve => {
            box.onDidAccept(async () => {
                const passage = box.selectedItems[0]?.passage;
                if (passage === undefined) return;
                box.hide();
                const uri = vscode.Uri.file(join(index.manifest.folder, passage.file));
                const range = new vscode.Range(passage.startLine - 1, 0, passage.endLine - 1, Number.MAX_SAFE_INTEGER);
                await vscode.window.showTextDocument(uri, { selection: range, preview: true });
            });
            box.onDidHide(() => {
                clearTimeout(timer);
                current?.abort();
                box.dispose();
                resolve(last);
            });
            box.show();
        });
    }
}

function stateLine(manifest: IndexManifest): string {
    return `${manifest.files.length} files, ${manifest.chunks} chunks, built ${manifest.built.slice(0, 16).replace('T', ' ')} UTC`;
}

function modelLine(manifest: IndexManifest): string {
    return `model ${manifest.model.name} (${manifest.model.dimensions} dimensions), chunks of ${manifest.chunking.size} characters overlapping by ${manifest.chunking.overlap}`;
}
