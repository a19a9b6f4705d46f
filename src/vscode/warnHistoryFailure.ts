import * as vscode from 'vscode';
import type { RunHistory } from '../core/reasoning/history/RunHistory';

/**
 * After a run's result is shown: a run history that could not be written (a symbolic link the workspace committed, a
 * read-only folder, a full disk) is logged and shown as a warning naming the file and the reason, never as a failed run.
 * As the CLI does after printing its result.
 */
export function warnHistoryFailure(history: RunHistory | undefined, log: vscode.LogOutputChannel): void {
    const problem = history?.describeFailure();
    if (problem === undefined) return;
    log.warn(problem);
    void vscode.window.showWarningMessage(`Promptscope: ${problem} (turn it off with the promptscope.history.enabled setting)`);
}
