import * as vscode from 'vscode';
import type { ModelInfo } from '../shared/runtimeApi';
import { backgroundBuildDecision } from '../runtime/build/backgroundBuildDecision';
import { optimizedRuntimeStatus, type OptimizedRuntimeStatus } from '../runtime/build/optimizedRuntimeStatus';
import type { BuildRuntimeResult } from '../runtime/build/buildRuntime';
import type { Config } from './Config';
import type { ModelService } from './ModelService';
import { runRuntimeBuild } from './runRuntimeBuild';

export interface BackgroundRuntimeBuildOptions {
    models: ModelService;
    config: Config;
    log: vscode.LogOutputChannel;
    /** Where this machine stands with the CPU backend. Defaults to {@link optimizedRuntimeStatus}. */
    status?: () => OptimizedRuntimeStatus;
    /** The build itself. Defaults to {@link runRuntimeBuild} with a notification. */
    build?: () => Promise<BuildRuntimeResult>;
}

/**
 * A user who installed the `.vsix` has no `npm install` step that builds the CPU backend for their CPU, so the first
 * model that loads on node-llama-cpp's prebuilt CPU binary starts that build in the background (once per window; see
 * backgroundBuildDecision), with cancellable progress, while the prebuilt binary serves. When it is done, the runtime
 * is restarted with it as soon as nothing runs on it, and the model is loaded again.
 */
export class BackgroundRuntimeBuild implements vscode.Disposable {
    private attempted = false;
    private running: Promise<void> | undefined;
    private readonly subscription: vscode.Disposable;

    constructor(private readonly options: BackgroundRuntimeBuildOptions) {
        this.subscription = options.models.onDidChangeModel(info => {
            if (info !== undefined) this.consider(info);
        });
    }

    /** The build started by the last model load, if one did (tests wait on it). */
    get pending(): Promise<void> | undefined {
        return this.running;
    }

    private consider(info: ModelInfo): void {
        const { config, log } = this.options;
        const status = (this.options.status ?? optimizedRuntimeStatus)();
        const decision = backgroundBuildDecision({ setting: config.buildOptimizedRuntime, model: info, status, attempted: this.attempted });
        if (!decision.build) {
            if (info.runtimeBinary === 'prebuilt' && info.backend === 'cpu') log.info(`[build-runtime] No background build: ${decision.why}.`);
            return;
        }
        this.attempted = true;
        log.info(`[build-runtime] Building the optimized CPU backend in the background: ${decision.why}.`);
        this.running = this.buildAndRestart();
    }

    private async buildAndRestart(): Promise<void> {
        const { models, log } = this.options;
        const result = await (this.options.build ?? (() => runRuntimeBuild(log, 'Promptscope: building the optimized runtime for this CPU in the background (the prebuilt one serves meanwhile)')))();
        if (!result.ok) {
            // Cancelled or failed: the prebuilt binary keeps serving; the log has the build's lines and the reason.
            if (!result.cancelled) log.warn(`[build-runtime] The background build did not finish: ${result.message}`);
            return;
        }
        log.info('[build-runtime] Restarting the runtime with the optimized CPU backend once it is idle.');
        const info = await models.restartRuntime();
        if (info !== undefined) {
            log.info(`[build-runtime] The runtime now computes with the ${info.runtimeBinary ?? 'unknown'} CPU binary (${info.runtimeBinaryReason ?? 'no reason given'}).`);
            void vscode.window.showInformationMessage(`Promptscope: the runtime now computes with llama.cpp's CPU backend built for this CPU (${Math.round(result.seconds)} s to build).`);
        }
    }

    dispose(): void {
        this.subscription.dispose();
    }
}
