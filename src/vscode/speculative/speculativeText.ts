/**
 * How speculative decoding is chosen for a Run Prompt and described in its output header. Pure text, shared by the
 * Run Prompt header and the playground's figures so both say the same thing.
 */
import { basename } from 'node:path';
import type { GenerationTiming, SamplingOptions, SpeculativeOptions, SpeculativeStats } from '../../shared/runtimeApi';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';

/**
 * The settings' speculation for a run, or undefined where it cannot apply: only the direct strategy runs one plain
 * generation (the others batch paths or score labels, which the native loop does not speculate on), and a grammar
 * or JSON schema constrains sampling in a way drafts cannot be verified against (the runtime refuses it).
 */
export function speculationFor(strategy: ReasoningStrategy, sampling: SamplingOptions, options: SpeculativeOptions | undefined): SpeculativeOptions | undefined {
    if (options === undefined || strategy !== 'direct') return undefined;
    if (sampling.grammar !== undefined || sampling.jsonSchema !== undefined) return undefined;
    return options;
}

/** The header's Speculative line before the run ends: what was asked. */
export function describeSpeculativeOptions(options: SpeculativeOptions): string {
    const method = options.draftModel !== undefined ? `draft model ${basename(options.draftModel)}` : 'prompt lookup';
    const limits = [
        ...(options.maxDraft !== undefined ? [`up to ${options.maxDraft} per round`] : []),
        ...(options.minProbability !== undefined ? [`min probability ${options.minProbability}`] : []),
    ];
    return limits.length > 0 ? `${method} (${limits.join(', ')})` : method;
}

/**
 * Tokens per model evaluation: a plain run evaluates the model once per generated token, a speculative round once for
 * several, so this is the speed-up in evaluations (the draft's own cost is in draftMs).
 */
export function tokensPerRound(stats: SpeculativeStats, generatedTokens: number): number | undefined {
    return stats.rounds > 0 ? generatedTokens / stats.rounds : undefined;
}

/** The header's Speculative line once the run is done: acceptance, rounds and where the time went. */
export function describeSpeculativeStats(stats: SpeculativeStats, timing: Pick<GenerationTiming, 'generatedTokens'>): string {
    const method = stats.method === 'draft-model' ? `draft model ${basename(stats.draftModel ?? '')}` : 'prompt lookup';
    const rate = stats.acceptanceRate !== undefined ? `${(stats.acceptanceRate * 100).toFixed(1)}%` : 'n/a';
    const perRound = tokensPerRound(stats, timing.generatedTokens);
    return [
        method,
        `${stats.accepted}/${stats.drafted} drafts accepted (${rate})`,
        `${stats.rounds} rounds`,
        ...(perRound !== undefined ? [`${perRound.toFixed(2)} tokens per model evaluation`] : []),
        `draft ${Math.round(stats.draftMs)} ms, verify ${Math.round(stats.verifyMs)} ms`,
    ].join(', ');
}
