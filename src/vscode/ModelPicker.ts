import * as vscode from 'vscode';
import { describeModelRef, hfUriProblem, isHfUri } from '../core/model/modelRef';
import { sameModelRef } from '../core/model/recentModels';
import type { Config } from './Config';
import type { ModelChoice } from './ModelChoice';
import type { RecentModels } from './RecentModels';
import { chooseSetting } from './workspaceTrust';

type PickItem = vscode.QuickPickItem & { choose?: () => Promise<ModelChoice | undefined>; recentRef?: string };

/** The "Load Model…" quick pick: the configured model, recent models, a file browser and an `hf:` URI box. */
export class ModelPicker {
    constructor(private readonly recent: RecentModels, private readonly config: Config) {}

    /** What the user chose, or `undefined` when they dismissed the picker. */
    async pick(options: { placeholder?: string; loadedPath?: string } = {}): Promise<ModelChoice | undefined> {
        const quickPick = vscode.window.createQuickPick<PickItem>();
        quickPick.title = 'Promptscope: Load Model';
        quickPick.placeholder = options.placeholder ?? 'Choose a GGUF model to load';
        quickPick.matchOnDescription = true;
        quickPick.matchOnDetail = true;
        quickPick.items = this.items(options.loadedPath);
        try {
            const item = await new Promise<PickItem | undefined>(resolve => {
                quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
                quickPick.onDidHide(() => resolve(undefined));
                quickPick.onDidTriggerItemButton(async event => {
                    if (event.item.recentRef === undefined) return;
                    await this.recent.forget(event.item.recentRef);
                    quickPick.items = this.items(options.loadedPath);
                });
                quickPick.show();
            });
            quickPick.hide();
            return await item?.choose?.();
        } finally {
            quickPick.dispose();
        }
    }

    private items(loadedPath: string | undefined): PickItem[] {
        const items: PickItem[] = [];
        const configured = chooseSetting(this.config.modelLayers, value => value.trim() !== '');
        if (configured.value !== undefined) {
            const { label, detail } = describeModelRef(configured.value);
            const choice: ModelChoice = { ref: configured.value, origin: configured.origin, fromSettings: true,
                ...(configured.fallback !== undefined ? { fallback: configured.fallback } : {}) };
            items.push(
                { label: 'Settings', kind: vscode.QuickPickItemKind.Separator },
                {
                    label: `$(gear) ${label}`,
                    description: configured.origin === 'user' ? 'promptscope.model' : 'promptscope.model (workspace)',
                    detail: isHfUri(configured.value) ? configured.value : detail,
                    choose: async () => choice,
                },
            );
        }
        const recent = this.recent.list;
        if (recent.length > 0) {
            items.push({ label: 'Recent', kind: vscode.QuickPickItemKind.Separator });
            for (const model of recent) {
                const { label, detail } = describeModelRef(model.ref);
                const loaded = loadedPath !== undefined && sameModelRef(model.ref, loadedPath);
                items.push({
                    label: `$(history) ${label}`,
                    description: [model.name !== undefined && model.name !== label ? model.name : undefined, loaded ? 'loaded' : undefined]
                        .filter(Boolean).join(' · '),
                    detail: isHfUri(model.ref) ? model.ref : detail,
                    buttons: [{ iconPath: new vscode.ThemeIcon('close'), tooltip: 'Remove from recent models' }],
                    recentRef: model.ref,
                    choose: async () => ({ ref: model.ref, origin: 'user' }),
                });
            }
        }
        items.push(
            { label: 'Other', kind: vscode.QuickPickItemKind.Separator },
            { label: '$(folder-opened) Browse for GGUF…', description: 'a .gguf file on disk', choose: () => this.browse() },
            { label: '$(cloud-download) Enter hf: URI…', description: 'download from Hugging Face', choose: () => this.enterHfUri() },
        );
        return items;
    }

    private async browse(): Promise<ModelChoice | undefined> {
        const lastLocal = this.recent.list.find(m => !isHfUri(m.ref));
        const uris = await vscode.window.showOpenDialog({
            title: 'Promptscope: Choose a GGUF model',
            openLabel: 'Load Model',
            canSelectFiles: true,
            canSelectFolders: false,
            canSelectMany: false,
            filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
            ...(lastLocal !== undefined ? { defaultUri: vscode.Uri.file(describeModelRef(lastLocal.ref).detail) } : {}),
        });
        const uri = uris?.[0];
        if (uri === undefined) return undefined;
        if (uri.scheme !== 'file') {
            // The runtime host reads the file from the local disk; a virtual file system cannot be handed to llama.cpp.
            void vscode.window.showErrorMessage(`Promptscope: ${uri.toString()} is not on the local disk; choose a local .gguf file.`);
            return undefined;
        }
        return { ref: uri.fsPath, origin: 'user' };
    }

    private async enterHfUri(): Promise<ModelChoice | undefined> {
        const uri = await vscode.window.showInputBox({
            title: 'Promptscope: Load a model from Hugging Face',
            prompt: 'Downloaded once into promptscope.modelsDirectory, then loaded from there',
            placeHolder: 'hf:owner/repo:Q4_K_M',
            ignoreFocusOut: true,
            validateInput: text => hfUriProblem(text),
        });
        return uri === undefined ? undefined : { ref: uri.trim(), origin: 'user' };
    }
}
