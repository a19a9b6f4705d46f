import * as vscode from 'vscode';
import { buildOptimizedRuntime, type BuildRuntimeResult } from '../runtime/build/buildRuntime';

/**
 * Builds ggml's CPU backend for this CPU (src/runtime/build/buildRuntime.ts) with its progress in a cancellable
 * notification titled `title` and every build line in the Promptscope log. Never throws: the result says what happened.
 */
export async function runRuntimeBuild(log: vscode.LogOutputChannel, title: string): Promise<BuildRuntimeResult> {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
            return await buildOptimizedRuntime({
                signal: controller.signal,
                onLine: line => {
                    log.info(`[build-runtime] ${line}`);
                    progress.report({ message: line.length > 100 ? `${line.slice(0, 99)}…` : line });
                },
            });
        } catch (error) {
            return { ok: false, seconds: 0, message: `The optimized runtime build failed: ${error instanceof Error ? error.message : String(error)}. The prebuilt runtime stays in use.` };
        } finally {
            subscription.dispose();
        }
    });
    log.info(`[build-runtime] ${result.message}`);
    return result;
}
