import * as vscode from 'vscode';
import { buildOptimizedRuntime } from '../runtime/build/buildRuntime';
import type { Ctx } from './Ctx';

/**
 * `Promptscope: Build Optimized Runtime`: builds node-llama-cpp's native binding for this CPU from its bundled
 * llama.cpp source, offline (src/runtime/build/buildRuntime.ts), with progress in a cancellable notification and every
 * build line in the Promptscope log. The runtime prefers the build from its next start; on failure or cancel the
 * prebuilt binaries stay in use.
 */
export async function buildRuntimeCommand(ctx: Ctx): Promise<boolean> {
    const result = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: 'Promptscope: building the optimized runtime (several minutes)',
        cancellable: true,
    }, async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
            return await buildOptimizedRuntime({
                signal: controller.signal,
                onLine: line => {
                    ctx.log.info(`[build-runtime] ${line}`);
                    progress.report({ message: line.length > 100 ? `${line.slice(0, 99)}…` : line });
                },
            });
        } finally {
            subscription.dispose();
        }
    });
    ctx.log.info(`[build-runtime] ${result.message}`);
    if (result.cancelled) {
        void vscode.window.showInformationMessage(`Promptscope: ${result.message}`);
    } else if (!result.ok) {
        const choice = await vscode.window.showErrorMessage(`Promptscope: ${result.message}`, 'Show Logs');
        if (choice === 'Show Logs') ctx.log.show();
    } else {
        const choice = await vscode.window.showInformationMessage(
            `Promptscope: ${result.message} Reload the window to restart the runtime with it.`, 'Reload Window');
        if (choice === 'Reload Window') await vscode.commands.executeCommand('workbench.action.reloadWindow');
    }
    return result.ok;
}
