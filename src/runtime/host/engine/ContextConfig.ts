import type { LoraAdapterSpec } from '../../../shared/runtimeApi';

/**
 * What makes two contexts different. llama.cpp fixes all of these when a context is created, so each distinct
 * configuration is its own context in the {@link ContextRegistry}.
 */
export interface ContextConfig {
    /** LoRA adapters with their scales (absolute paths, scale filled in). Defaults to none. */
    lora: readonly Required<LoraAdapterSpec>[];
    /** Flash attention; attention capture needs it off (no softmax node exists with it on). Defaults to `"auto"`. */
    flashAttention: boolean | 'auto';
    /**
     * KV cache precision. `F32` alone is not exact: llama.cpp's CPU flash attention rounds through F16 even then
     * (measured: up to 5.8e-3 off a reference pass), so the "exact" probabilities mode is `F32` with flash attention
     * off (~1e-6); F16 is ~1e-3 off. Defaults to `"F16"`.
     */
    kvCacheType: 'F16' | 'F32';
    /** Parallel sequences, decoded together in one batch when they evaluate concurrently. Defaults to `1`. */
    sequences: number;
    /**
     * Keeps a context apart from others of the same settings, e.g. `inline-completion`, whose long-lived sequence
     * must keep its evaluated prefix while other requests run. Defaults to `""` (shared).
     */
    label: string;
    /**
     * Kept while the model is loaded, like the default context, instead of being disposed when idle: for contexts whose
     * warm KV cache is the point (inline completion's prefix, kept between keystrokes). Not part of the key.
     * Defaults to `false`.
     */
    pinned: boolean;
}

export function normalizeContextConfig(config: Partial<ContextConfig> = {}): ContextConfig {
    return {
        lora: (config.lora ?? []).map(adapter => ({ path: adapter.path, scale: adapter.scale ?? 1 })),
        flashAttention: config.flashAttention ?? 'auto',
        kvCacheType: config.kvCacheType ?? 'F16',
        sequences: Math.max(1, Math.floor(config.sequences ?? 1)),
        label: config.label ?? '',
        pinned: config.pinned ?? false,
    };
}

/** A stable key: the same adapters in the same order with the same scales give the same key. */
export function contextConfigKey(config: ContextConfig): string {
    return JSON.stringify([config.lora.map(a => [a.path, a.scale]), config.flashAttention, config.kvCacheType, config.sequences, config.label]);
}
