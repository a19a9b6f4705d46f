import type * as vscode from 'vscode';
import { migrateForm } from '../../webview/playground/form';
import type { PlaygroundForm } from '../../webview/playground/protocol';

const key = 'promptscope.playground.form';

/** The playground form in workspaceState: a prompt belongs to the workspace it was written for. */
export class PlaygroundFormStore {
    constructor(private readonly memento: vscode.Memento) {}

    load(): PlaygroundForm {
        return migrateForm(this.memento.get<unknown>(key));
    }

    save(form: PlaygroundForm): Thenable<void> {
        return this.memento.update(key, migrateForm(form));
    }
}
