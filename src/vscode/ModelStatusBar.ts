import * as vscode from 'vscode';
import type { GenerationTiming } from '../shared/runtimeApi';
import { CommandId, statusBarItemId } from './commandIds';
import type { ModelService } from './ModelService';
import { presentStatus } from './statusText';

/** The status bar item showing the model, its backend and the last generation speed; a click opens the model picker. */
export class ModelStatusBar implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly subscriptions: vscode.Disposable[];
    private lastTokensPerSecond: number | undefined;
    private stoppedReason: string | undefined;

    constructor(private readonly models: ModelService) {
        this.item = vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Right, 100);
        this.item.name = 'Promptscope Model';
        this.item.command = CommandId.loadModel;
        this.subscriptions = [
            models.onDidChangeState(state => {
                if (state !== 'stopped') this.stoppedReason = undefined;
                this.render();
            }),
            models.onDidChangeModel(() => {
                this.lastTokensPerSecond = undefined;
                this.render();
            }),
            models.onDidChangeLoading(() => this.render()),
            models.onDidRun(timing => this.showRunSpeed(timing)),
            models.onDidStop(reason => {
                this.stoppedReason = reason;
                this.render();
            }),
        ];
        this.render();
        this.item.show();
    }

    /** Shows the speed of a finished generation (ModelService.recordRun calls this for every feature). */
    showRunSpeed(timing: GenerationTiming): void {
        if (timing.generatedTokens > 0) this.lastTokensPerSecond = timing.tokensPerSecond;
        this.render();
    }

    dispose(): void {
        for (const subscription of this.subscriptions) subscription.dispose();
        this.item.dispose();
    }

    private render(): void {
        const status = presentStatus({
            state: this.models.client.state,
            model: this.models.model,
            loading: this.models.loadingModel,
            lastTokensPerSecond: this.lastTokensPerSecond,
            stoppedReason: this.stoppedReason,
        });
        this.item.text = status.text;
        const tooltip = new vscode.MarkdownString(status.tooltip);
        tooltip.supportThemeIcons = true;
        this.item.tooltip = tooltip;
        this.item.backgroundColor = status.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.accessibilityInformation = { label: `Promptscope: ${status.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    }
}
