import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';
import type { ContextConfig } from './ContextConfig';

/**
 * One llama.cpp context and a pool of its sequences. Sequences are leased, never disposed: after
 * `sequence.dispose()` node-llama-cpp may refuse to hand out another ("No sequences left"), and a sequence
 * that stays alive keeps its KV cache, so the next request on it can reuse a shared prompt prefix.
 */
export class ManagedContext {
    private readonly idle: LlamaContextSequence[] = [];
    private readonly waiting: ((sequence: LlamaContextSequence) => void)[] = [];
    private leased = 0;
    lastUsed = Date.now();

    /**
     * @param sharedKv Whether all sequences share one KV stream (a multi-sequence context made unified, see
     * unifyMultiSequenceKv): copying a prompt between sequences then shares its cells instead of copying them.
     * @param nativeContextId The addon's id of the llama.cpp context behind `context` (trackNodeLlamaContexts), for
     * the native generation loop; undefined when it is not known.
     */
    constructor(readonly key: string, readonly config: ContextConfig, readonly context: LlamaContext, readonly sharedKv = false,
        readonly nativeContextId?: number) {}

    get inUse(): boolean {
        return this.leased > 0;
    }

    get contextSize(): number {
        return this.context.contextSize;
    }

    /**
     * A sequence for exclusive use until {@link releaseSequence}; waits while all are leased. The most recently
     * released one comes first, which keeps a single-request workload on the same warm KV cache.
     */
    acquireSequence(): Promise<LlamaContextSequence> {
        this.lastUsed = Date.now();
        const sequence = this.idle.pop() ?? (this.context.sequencesLeft > 0 ? this.context.getSequence() : undefined);
        if (sequence) {
            this.leased++;
            return Promise.resolve(sequence);
        }
        return new Promise(resolve => this.waiting.push(sequence => {
            this.leased++;
            resolve(sequence);
        }));
    }

    releaseSequence(sequence: LlamaContextSequence): void {
        this.leased--;
        this.lastUsed = Date.now();
        const next = this.waiting.shift();
        if (next) next(sequence);
        else this.idle.push(sequence);
    }

    dispose(): Promise<void> {
        return this.context.dispose();
    }
}
