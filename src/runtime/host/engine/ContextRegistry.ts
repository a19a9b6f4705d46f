import type { LlamaContextOptions, LlamaModel } from 'node-llama-cpp';
import { LoraAdapterError } from '../../../shared/errors/LoraAdapterError';
import { contextConfigKey, normalizeContextConfig, type ContextConfig } from './ContextConfig';
import type { LlamaLogTail } from './LlamaLogTail';
import { ManagedContext } from './ManagedContext';
import { batchInSequenceOrder } from './batchInSequenceOrder';
import { nativeContextsCreatedSince, nativeContextSerial, trackNodeLlamaContexts, unifyMultiSequenceKv } from './llamaExtrasAddon';

export interface ContextBaseOptions {
    contextSize: number;
    threads: number;
}

/**
 * The contexts of the loaded model, one per {@link ContextConfig}, created on first use. Each context holds
 * its own KV cache (memory), so contexts nobody uses are disposed beyond `maxIdleContexts`, least recently
 * used first; the default context (index 0 of creation) and pinned ones are kept while the model is loaded.
 */
export class ContextRegistry {
    private readonly contexts = new Map<string, Promise<ManagedContext>>();
    private defaultKey: string | undefined;

    constructor(
        private readonly model: LlamaModel,
        private readonly base: ContextBaseOptions,
        private readonly logTail: LlamaLogTail,
        private readonly maxIdleContexts = 2,
        private readonly log: (level: 'info' | 'warn', message: string) => void = () => undefined,
    ) {}

    /** Why multi-sequence contexts keep one KV stream per sequence, once known (see {@link unifyMultiSequenceKv}). */
    private separateStreamsReason: string | undefined;

    /** Why generation stays on node-llama-cpp's token loop, once known (see {@link trackNodeLlamaContexts}). */
    private nodeLoopReason: string | undefined;

    /** Creations run one at a time, so the one llama.cpp context recorded during a creation is that context's. */
    private creating: Promise<unknown> = Promise.resolve();

    /** The context for `config` (missing fields take their defaults), creating it when needed. */
    async get(config: Partial<ContextConfig> = {}): Promise<ManagedContext> {
        const normalized = normalizeContextConfig(config);
        const key = contextConfigKey(normalized);
        let entry = this.contexts.get(key);
        if (!entry) {
            entry = this.create(key, normalized);
            this.contexts.set(key, entry);
            entry.catch(() => this.contexts.delete(key));
            this.defaultKey ??= key;
        }
        const context = await entry;
        context.lastUsed = Date.now();
        void this.evictIdle();
        return context;
    }

    async dispose(): Promise<void> {
        const all = [...this.contexts.values()];
        this.contexts.clear();
        await Promise.all(all.map(entry => entry.then(c => c.dispose(), () => undefined)));
    }

    private async create(key: string, config: ContextConfig): Promise<ManagedContext> {
        const options: LlamaContextOptions = {
            contextSize: this.base.contextSize,
            threads: this.base.threads,
            sequences: config.sequences,
            flashAttention: config.flashAttention,
            // Never fail over to a smaller context silently: sizes are part of what the user asked for.
            failedCreationRemedy: false,
        };
        if (config.kvCacheType !== 'F16') {
            options.experimentalKvCacheKeyType = config.kvCacheType;
            options.experimentalKvCacheValueType = config.kvCacheType;
        }
        if (config.lora.length > 0) {
            options.lora = { adapters: config.lora.map(a => ({ filePath: a.path, scale: a.scale })) };
        }
        // Promptscope's multi-sequence contexts hold paths continuing one prompt: one shared KV stream lets them share
        // the prompt's cells (a copy is metadata only) instead of each path reading its own copy at every step.
        let sharedKv = false;
        if (config.sequences > 1) {
            const reason = process.env.PROMPTSCOPE_KV_STREAMS === 'separate'
                ? 'PROMPTSCOPE_KV_STREAMS=separate is set'
                : unifyMultiSequenceKv();
            sharedKv = reason === undefined;
            if (reason !== undefined && reason !== this.separateStreamsReason) {
                this.separateStreamsReason = reason;
                this.log('warn', `Parallel paths keep one KV cache copy each (slower self-consistency): ${reason}`);
            }
        }
        const mark = this.logTail.mark();
        const previous = this.creating;
        let created!: () => void;
        this.creating = new Promise<void>(resolve => { created = resolve; });
        try {
            await previous;
            const tracked = this.trackContexts();
            const serial = tracked ? nativeContextSerial() : 0;
            const context = await this.model.createContext(options);
            const recorded = tracked ? nativeContextsCreatedSince(serial) : [];
            // Separate streams micro-batch only consecutive increasing sequence ids; harmless with a shared stream.
            if (config.sequences > 1) batchInSequenceOrder(context);
            return new ManagedContext(key, config, context, sharedKv, recorded.length === 1 ? recorded[0] : undefined);
        } catch (error) {
            const reason = [error instanceof Error ? error.message : String(error), ...this.logTail.since(mark)].join('; ');
            if (config.lora.length > 0 && /lora|adapter/i.test(reason)) {
                throw new LoraAdapterError(config.lora.map(a => a.path).join(', '), reason);
            }
            throw new Error(`Could not create a llama.cpp context (${this.base.contextSize} tokens): ${reason}`);
        } finally {
            created();
        }
    }

    /** Whether the llama.cpp contexts node-llama-cpp creates are recorded for the native generation loop. */
    private trackContexts(): boolean {
        const reason = process.env.PROMPTSCOPE_DECODE_LOOP === 'node-llama-cpp'
            ? 'PROMPTSCOPE_DECODE_LOOP=node-llama-cpp is set'
            : trackNodeLlamaContexts();
        if (reason !== undefined && reason !== this.nodeLoopReason) {
            this.nodeLoopReason = reason;
            this.log('info', `Generation uses node-llama-cpp's token loop (slower per token): ${reason}`);
        }
        return reason === undefined;
    }

    private async evictIdle(): Promise<void> {
        const settled = await Promise.all([...this.contexts.entries()].map(async ([key, entry]) => {
            try {
                return { key, context: await entry };
            } catch {
                return undefined;
            }
        }));
        const idle = settled
            .filter((e): e is { key: string; context: ManagedContext } => e !== undefined && e.key !== this.defaultKey
                && !e.context.config.pinned && !e.context.inUse)
            .sort((a, b) => a.context.lastUsed - b.context.lastUsed);
        for (const { key, context } of idle.slice(0, Math.max(0, idle.length - this.maxIdleContexts))) {
            this.contexts.delete(key);
            await context.dispose();
        }
    }
}
