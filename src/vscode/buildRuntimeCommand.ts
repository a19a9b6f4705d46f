import * as vscode from 'vscode';
import type { Ctx } from './Ctx';
import { runRuntimeBuild } from './runRuntimeBuild';

/**
 * `Promptscope: Build Optimized Runtime`: builds ggml's CPU backend for this CPU from node-llama-cpp's bundled
 * llama.cpp source, offline (npm install, or the background build on a first model load, already does it where a
 * compiler is). The runtime registers it from its next start, so a success offers to restart it now; on failure or
 * cancel the prebuilt binaries stay in use.
 */
export async function buildRuntimeCommand(ctx: Ctx): Promise<boolean> {
    const result = await runRuntimeBuild(ctx.log, 'Promptscope: building the optimized runtime (about 2 minutes)');
    if (result.cancelled) {
        void vscode.window.showInformationMessage(`Promptscope: ${result.message}`);
    } else if (!result.ok) {
        const choice = await vscode.window.showErrorMessage(`Promptscope: ${result.message}`, 'Show Logs');
        if (choice === 'Show Logs') ctx.log.show();
    } else {
        const choice = await vscode.window.showInformationMessage(`Promptscope: ${result.message} Restart the runtime to compute with it.`, 'Restart Runtime');
        if (choice === 'Restart Runtime') await ctx.models.restartRuntime();
    }
    return result.ok;
}
