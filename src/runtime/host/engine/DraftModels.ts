import type { LlamaModel } from 'node-llama-cpp';
import { SpeculativeDecodingError } from '../../../shared/errors/SpeculativeDecodingError';
import { ContextRegistry } from './ContextRegistry';
import type { LlamaBackend } from './LlamaBackend';
import { validateModelFile } from '../validateModelFile';

/** A draft model for speculative decoding: its llama.cpp model and its contexts. */
export interface DraftModel {
    /** Absolute path. */
    path: string;
    model: LlamaModel;
    contexts: ContextRegistry;
}

/** A draft model lent to one speculative run; `release` gives it back (idempotent). */
export interface DraftLease {
    draft: DraftModel;
    /** Milliseconds this request spent loading the draft model; 0 when it was already loaded. */
    loadMs: number;
    release(): void;
}

interface DraftEntry {
    draft: Promise<DraftModel>;
    loadMs: Promise<number>;
    leases: number;
    lastUsed: number;
}

/**
 * The draft models speculative requests named, each loaded (memory-mapped, CPU) on its first use beside the model it
 * drafts for: a draft model is chosen once and used for many requests, so it stays loaded. At most `maxLoaded` stay
 * loaded, least recently used unloaded first, because each holds its weights and a context's KV cache; a draft an
 * in-flight run holds is never unloaded under it (then more than `maxLoaded` stay until their runs end).
 */
export class DraftModels {
    private readonly loaded = new Map<string, DraftEntry>();

    constructor(
        private readonly backend: LlamaBackend,
        private readonly target: { vocabularySize: number; contextSize: number; threads: number },
        private readonly log: (level: 'info' | 'warn', message: string) => void,
        /** Draft models kept loaded between requests. Defaults to `2` (a quantized copy and a small model, say). */
        private readonly maxLoaded = 2,
    ) {}

    /** Lends the draft model at `path`, loaded when needed; a ModelFileError or SpeculativeDecodingError when it cannot draft. */
    async acquire(path: string): Promise<DraftLease> {
        const file = await validateModelFile(path);
        let entry = this.loaded.get(file.path);
        let loadMs = Promise.resolve(0);
        if (!entry) {
            const started = performance.now();
            const draft = this.load(file.path);
            loadMs = draft.then(() => performance.now() - started);
            entry = { draft, loadMs, leases: 0, lastUsed: 0 };
            this.loaded.set(file.path, entry);
            const created = entry;
            draft.catch(() => { if (this.loaded.get(file.path) === created) this.loaded.delete(file.path); });
        }
        const held = entry;
        held.leases++;
        held.lastUsed = performance.now();
        let released = false;
        const release = (): void => {
            if (released) return;
            released = true;
            held.leases--;
            held.lastUsed = performance.now();
            void this.unloadBeyondLimit();
        };
        try {
            const draft = await held.draft;
            const ms = await loadMs;
            void this.unloadBeyondLimit();
            return { draft, loadMs: ms, release };
        } catch (error) {
            release();
            throw error;
        }
    }

    /** Paths of the draft models loaded now, most recently used first. */
    loadedPaths(): string[] {
        return [...this.loaded.entries()].sort((a, b) => b[1].lastUsed - a[1].lastUsed).map(([path]) => path);
    }

    private async unloadBeyondLimit(): Promise<void> {
        // Chosen and removed from the map at once, so a request arriving during an unload loads a fresh copy instead of
        // being lent one being disposed.
        const idle = [...this.loaded.entries()].filter(([, e]) => e.leases === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
        const victims = idle.slice(0, Math.max(0, this.loaded.size - this.maxLoaded));
        for (const [path] of victims) {
            this.loaded.delete(path);
            this.log('info', `Unloaded draft model ${path} (at most ${this.maxLoaded} stay loaded)`);
        }
        await Promise.all(victims.map(([, entry]) => entry.draft.then(unloadDraft, () => undefined)));
    }

    private async load(path: string): Promise<DraftModel> {
        const started = performance.now();
        // A progress callback of our own: without one llama.cpp prints its load progress as dots on stdout.
        const model = await this.backend.llama.loadModel({ modelPath: path, gpuLayers: 0, onLoadProgress: () => undefined });
        const vocabularySize = modelVocabularySize(model);
        if (vocabularySize !== this.target.vocabularySize) {
            await model.dispose();
            throw new SpeculativeDecodingError(`the draft model ${path} has a vocabulary of ${vocabularySize} tokens, the model ${this.target.vocabularySize}`,
                'Draft with a smaller model of the same family and tokenizer (or the model\'s own quantized copy).');
        }
        const contexts = new ContextRegistry(model, { contextSize: this.target.contextSize, threads: this.target.threads }, this.backend.logTail, 1);
        this.log('info', `Loaded draft model ${path} in ${Math.round(performance.now() - started)} ms`);
        return { path, model, contexts };
    }

    async dispose(): Promise<void> {
        const all = [...this.loaded.values()];
        this.loaded.clear();
        await Promise.all(all.map(entry => entry.draft.then(unloadDraft, () => undefined)));
    }
}

async function unloadDraft(draft: DraftModel): Promise<void> {
    await draft.contexts.dispose();
    await draft.model.dispose();
}

function modelVocabularySize(model: LlamaModel): number {
    return model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
}
