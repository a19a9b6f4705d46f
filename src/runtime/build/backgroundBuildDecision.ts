import type { Backend } from '../../shared/runtimeApi';
import type { OptimizedRuntimeStatus } from './optimizedRuntimeStatus';

/** `promptscope.runtime.buildOptimized`: build the CPU backend for this CPU in the background when it is missing. */
export type BackgroundBuildSetting = 'auto' | 'off';

export interface BackgroundBuildFacts {
    setting: BackgroundBuildSetting;
    /** The model just loaded: what it computes on, and with which CPU binary. */
    model: { backend: Backend; runtimeBinary?: 'prebuilt' | 'optimized' };
    status: OptimizedRuntimeStatus;
    /** A background build already ran (or runs) in this window: one try per session, whatever its outcome. */
    attempted: boolean;
}

export type BackgroundBuildDecision = { build: true; why: string } | { build: false; why: string };

/**
 * Whether loading a model should start the CPU backend build in the background. Only a model computing on the CPU
 * with node-llama-cpp's prebuilt binary gains from it, only where the build can run, and only once per window: a build
 * that failed is in the log, and the Build Optimized Runtime command tries again on request.
 */
export function backgroundBuildDecision(facts: BackgroundBuildFacts): BackgroundBuildDecision {
    if (facts.setting === 'off') return { build: false, why: 'promptscope.runtime.buildOptimized is "off"' };
    if (facts.model.backend !== 'cpu') return { build: false, why: `the model runs on ${facts.model.backend}, not on the CPU backend` };
    if (facts.model.runtimeBinary !== 'prebuilt') return { build: false, why: 'the runtime already computes on the CPU backend built for this CPU' };
    if (facts.status.kind === 'built') return { build: false, why: `the CPU backend is built (${facts.status.library}); the runtime uses it from its next start` };
    if (facts.status.kind === 'unavailable') return { build: false, why: facts.status.why };
    if (facts.attempted) return { build: false, why: 'a background build already ran in this window' };
    return { build: true, why: facts.status.why };
}
