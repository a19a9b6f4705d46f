import * as vscode from 'vscode';

/** Id of the inline completion status bar item (stable, for the e2e tests). */
export const completionSpinnerId = 'promptscope.inlineCompletionStatus';

/**
 * A status bar spinner shown while inline completions are being computed. Counted, because a stale request may
 * still be winding down in the runtime when the next one starts.
 */
export class CompletionSpinner implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private running = 0;

    constructor() {
        // Just left of the model item (priority 100), which it describes.
        this.item = vscode.window.createStatusBarItem(completionSpinnerId, vscode.StatusBarAlignment.Right, 101);
        this.item.name = 'Promptscope Inline Completion';
        this.item.text = '$(loading~spin)';
        this.item.tooltip = 'Promptscope: computing an inline completion';
        this.item.accessibilityInformation = { label: 'Promptscope: computing an inline completion' };
    }

    /** Shows the spinner until the returned function is called (calling it again does nothing). */
    begin(): () => void {
        if (this.running++ === 0) this.item.show();
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            if (--this.running === 0) this.item.hide();
        };
    }

    dispose(): void {
        this.item.dispose();
    }
}
