import type { LoraAdapterSpec } from '../api';

/**
 * What makes two contexts different. llama.cpp fixes all of these when a context is created, so each distinct
 * configuration is its own context in the {@link ContextRegistry}.
 */
export interface ContextConfig {
    /** LoRA adapters with their scales (absolute paths, scale filled in). Defaults to none. */
    lora: readonly Required<LoraAdapterSpec>[];
    /** Flash attention; attention capture needs it off (no softmax node exists with it on). Defaults to `"auto"`. */
    flashAttention: boolean | 'auto';
    /** KV cache precision; `F32` is the "exact" probabilities mode (~8e-7 vs a reference pass, F16 ~1e-3). Defaults to `"F16"`. */
    kvCacheType: 'F16' | 'F32';
    /** Parallel sequences, decoded together in one batch when they evaluate concurrently. Defaults to `1`. */
    sequences: number;
    /**
     * Keeps a context apart from others of the same settings, e.g. `inline-completion`, whose long-lived sequence
     * must keep its evaluated prefix while other requests run. Defaults to `""` (shared).
     */
    label: string;
}

export function normalizeContextConfig(config: Partial<ContextConfig> = {}): ContextConfig {
    return {
        lora: (config.lora ?? []).map(adapter => ({ path: adapter.path, scale: adapter.scale ?? 1 })),
        flashAttention: config.flashAttention ?? 'auto',
        kvCacheType: config.kvCacheType ?? 'F16',
        sequences: Math.max(1, Math.floor(config.sequences ?? 1)),
        label: config.label ?? '',
    };
}

/** A stable key: the same adapters in the same order with the same scales give the same key. */
export function contextConfigKey(config: ContextConfig): string {
    return JSON.stringify([config.lora.map(a => [a.path, a.scale]), config.flashAttention, config.kvCacheType, config.sequences, config.label]);
}
