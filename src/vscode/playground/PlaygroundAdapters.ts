import * as vscode from 'vscode';
import { addAdapterRow, withAdapters } from '../../core/panels/playground/form';
import type { PlaygroundForm } from '../../shared/protocols/playground';
import { errorText, type PlaygroundContext } from './PlaygroundContext';

/** The adapters section's host side: LoRA files checked against the loaded model before they join the form's list. */
export class PlaygroundAdapters {
    constructor(private readonly context: PlaygroundContext) {}

    /** Checks an adapter file against the loaded model (loading it first): its path, or why it does not fit. */
    async validate(path: string): Promise<{ path: string } | { error: string }> {
        const { models } = this.context.options;
        const model = await models.ensureModel();
        if (model === undefined) return { error: 'Load a model first: adapters are checked against it.' };
        try {
            return { path: await models.client.validateLora(path) };
        } catch (error) {
            return { error: errorText(error) };
        }
    }

    /** Add Adapter…: an open dialog for GGUF files, the choice validated before it joins the list. */
    async pick(): Promise<{ path: string } | { error: string } | { cancelled: true }> {
        const uris = await vscode.window.showOpenDialog({
            canSelectMany: false, openLabel: 'Add LoRA adapter', filters: { 'GGUF LoRA adapter': ['gguf'] }, title: 'Promptscope: add a LoRA adapter',
        });
        if (uris === undefined || uris.length === 0) return { cancelled: true };
        return this.validate(uris[0]!.fsPath);
    }

    /** Adds a validated adapter to the saved form's list for the loaded model (what the page does after Add Adapter…). */
    async add(form: PlaygroundForm, path: string): Promise<{ form: PlaygroundForm } | { error: string }> {
        const checked = await this.validate(path);
        if ('error' in checked) return checked;
        const modelPath = this.context.options.models.model!.path;
        const next = withAdapters(form, modelPath, rows => addAdapterRow(rows, checked.path));
        await this.context.options.store.save(next);
        return { form: next };
    }
}
