import * as vscode from 'vscode';
import { backendStatusItemId } from '../commandIds';
import type { Config } from '../Config';
import type { Backends } from './Backends';

/**
 * Says where runs go when that is not the embedded runtime: the server's model and base URL(s) once connected, the
 * configured URLs before. Hidden while the settings choose the embedded runtime (the model item says it all then);
 * a `.prompt` file's own `promptscope.backend` is shown in its run's header instead.
 */
export class BackendStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly subscriptions: vscode.Disposable[];

    constructor(private readonly backends: Backends, private readonly config: Config) {
        this.item = vscode.window.createStatusBarItem(backendStatusItemId, vscode.StatusBarAlignment.Right, 99);
        this.item.name = 'Promptscope Backend';
        this.item.command = { title: 'Open Settings', command: 'workbench.action.openSettings', arguments: ['promptscope.server'] };
        this.subscriptions = [backends.onDidChangeActive(() => this.render()), config.onDidChange(() => this.render())];
        this.render();
    }

    dispose(): void {
        for (const subscription of this.subscriptions) subscription.dispose();
        this.item.dispose();
    }

    private render(): void {
        const backend = this.config.server.settings?.backend;
        const active = this.backends.active;
        if (backend?.kind !== 'openai-compatible' && active === undefined) {
            this.item.hide();
            return;
        }
        const urls = active?.urls ?? (backend?.kind === 'openai-compatible' ? backend.urls : []);
        const hosts = urls.map(u => { try { return new URL(u).host; } catch { return u; } }).join(', ');
        const model = active?.model ?? (backend?.kind === 'openai-compatible' ? backend.model : undefined);
        this.item.text = `$(server) ${model !== undefined ? `${model} @ ` : ''}${hosts}`;
        const tooltip = new vscode.MarkdownString(active !== undefined
            ? `Runs go to the OpenAI-compatible server **${escape(active.model)}** at ${urls.map(escape).join(', ')}${active.server ? ` (${escape(active.server)})` : ''}.`
            : `Runs go to the OpenAI-compatible server at ${urls.map(escape).join(', ')} (not connected yet: the next run connects).`);
        tooltip.appendMarkdown('\n\nA `.prompt` file\'s own `promptscope.backend` wins. Click to open the settings.');
        this.item.tooltip = tooltip;
        this.item.accessibilityInformation = { label: `Promptscope backend: ${model ?? 'server'} at ${hosts}` };
        this.item.show();
    }
}

function escape(text: string): string {
    return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
