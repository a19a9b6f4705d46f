import { basename } from 'node:path';
import type { GenerationTiming, ModelInfo, SamplingOptions, StopReason } from '../../shared/runtimeApi';
import { watermarkDefaults } from '../../shared/watermark';
import type { BackendDescription } from '../../shared/backends';

/** Where a run is; the header says it until the run ends. */
export type RunPhase = 'waiting for the model' | 'generating' | 'done' | 'cancelled' | 'failed';

export interface RunHeader {
    /** The prompt file as shown to the user (its name). */
    prompt: string;
    phase: RunPhase;
    model?: Pick<ModelInfo, 'name' | 'architecture' | 'quantization' | 'backend'>;
    /** The OpenAI-compatible server the run went to, instead of the embedded runtime's `model`. Defaults to none. */
    server?: BackendDescription;
    /** The sampling options the run was sent with. */
    sampling: SamplingOptions;
    /** How the prompt runs (`promptscope.strategy`), e.g. `self-consistency: 5 paths at temperature 0.7`. Defaults to none (direct). */
    strategy?: string;
    /** A direct run's own timing; for a strategy, all its generations together (speed over the whole run). */
    timing?: Pick<GenerationTiming, 'promptTokens' | 'generatedTokens' | 'ms' | 'tokensPerSecond'> & Partial<GenerationTiming>;
    stopReason?: StopReason;
    seed?: number;
    /** Why the run failed, for phase `failed`. */
    error?: string;
    /** LoRA adapters the prompt applies (`promptscope.lora`). Defaults to none. */
    adapters?: readonly { path: string; scale?: number }[];
    /** The extracted (and mapped) answer, once the run is done. Defaults to none shown. */
    answer?: string;
    /** Self-consistency and ensemble: the vote, once the run is done. Defaults to none shown. */
    votes?: string;
    /** Speculative decoding (promptscope.speculative.*): what was asked, then what it did. Defaults to none shown. */
    speculative?: string;
    /** Where the run was recorded (the run history file). Defaults to none shown. */
    history?: string;
}

/** Below the header; the output starts on the next line. */
export const headerRule = '─'.repeat(60);

/** The first lines of a run's output document: what ran, with which parameters, and how fast once done. */
export function formatRunHeader(header: RunHeader): string {
    const lines = [`Run of ${header.prompt}`];
    const model = header.model;
    const server = header.server;
    lines.push(`Model:      ${server !== undefined ? `${server.model} (server ${server.urls?.join(', ') ?? ''}${server.server ? `, ${server.server}` : ''})`
        : model === undefined ? '(loading…)' : `${model.name} (${model.architecture}, ${model.quantization}, ${model.backend})`}`);
    lines.push(`Parameters: ${formatSampling(header.sampling)}`);
    if (header.adapters !== undefined && header.adapters.length > 0) {
        lines.push(`Adapters:   ${header.adapters.map(a => `${basename(a.path)} × ${a.scale ?? 1}`).join(', ')}`);
    }
    if (header.strategy !== undefined) lines.push(`Strategy:   ${header.strategy}`);
    if (header.timing !== undefined) {
        const t = header.timing;
        const parts = [
            `${t.promptTokens} prompt + ${t.generatedTokens} generated`,
            `${t.tokensPerSecond.toFixed(1)} tokens/s`,
            `${Math.round(t.ms)} ms`,
        ];
        if (header.stopReason !== undefined) parts.push(`stop: ${header.stopReason}`);
        if (header.seed !== undefined) parts.push(`seed ${header.seed}`);
        lines.push(`Tokens:     ${parts.join(', ')}`);
    }
    if (header.speculative !== undefined) lines.push(`Speculative: ${header.speculative}`);
    if (header.answer !== undefined) lines.push(`Answer:     ${header.answer}`);
    if (header.votes !== undefined) lines.push(`Votes:      ${header.votes}`);
    if (header.history !== undefined) lines.push(`History:    ${header.history}`);
    if (header.phase !== 'done') lines.push(`Status:     ${header.phase}${header.error !== undefined ? `: ${header.error}` : ''}`);
    lines.push(headerRule);
    return lines.join('\n') + '\n';
}

const order: (keyof SamplingOptions)[] = [
    'temperature', 'topK', 'topP', 'minP', 'repeatPenalty', 'repeatLastTokens', 'maxTokens', 'seed', 'stopSequences', 'logitBias', 'grammar', 'jsonSchema',
];

/** The set sampling options in a stable order; long values (grammar, schema, biases) are named, not printed. */
export function formatSampling(sampling: SamplingOptions): string {
    const parts: string[] = [];
    for (const key of order) {
        const value = sampling[key];
        if (value === undefined) continue;
        if (key === 'grammar') parts.push('grammar (config.grammar)');
        else if (key === 'jsonSchema') parts.push('JSON schema (output.schema)');
        else if (key === 'logitBias') parts.push(`logitBias (${Object.keys(value as object).length} tokens)`);
        else if (key === 'stopSequences') parts.push(`stopSequences ${JSON.stringify(value)}`);
        else parts.push(`${key} ${String(value)}`);
    }
    // The key is a secret (whoever has it can detect, or forge, the watermark): only its settings are shown.
    const w = sampling.watermark;
    if (w !== undefined) parts.push(`watermark (${w.hard === true ? 'hard' : `δ ${w.delta ?? watermarkDefaults.delta}`}, γ ${w.gamma ?? watermarkDefaults.gamma})`);
    return parts.length === 0 ? 'defaults' : parts.join(', ');
}
