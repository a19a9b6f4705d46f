import * as vscode from 'vscode';
import { buildOptimizedRuntime } from '../runtime/build/buildRuntime';
import type { Ctx } from './Ctx';

/**
 * `Promptscope: Build Optimized Runtime`: builds ggml's CPU backend for this CPU from node-llama-cpp's bundled
 * llama.cpp source, offline (src/runtime/build/buildRuntime.ts; npm install already does it where a compiler is), with
 * progress in a cancellable notification and every build line in the Promptscope log. The runtime registers it from
 * its next start; on failure or cancel the prebuilt binaries stay in use.
 */
export async function buildRuntimeCommand(ctx: Ctx): Promise<boolean> {
    const result = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: 'Promptscope: building the optimized runtime (about 2 minutes)',
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
