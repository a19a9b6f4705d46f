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

/**
 * The draft models speculative requests named, each loaded (memory-mapped, CPU) on its first use beside the model it
 * drafts for and kept until that model unloads: a draft model is chosen once and used for many requests.
 */
export class DraftModels {
    private readonly loaded = new Map<string, Promise<DraftModel>>();

    constructor(
        private readonly backend: LlamaBackend,
        private readonly target: { vocabularySize: number; contextSize: number; threads: number },
        private readonly log: (level: 'info' | 'warn', message: string) => void,
    ) {}

    /** The draft model at `path`, loaded when needed; a ModelFileError or SpeculativeDecodingError when it cannot draft. */
    async get(path: string): Promise<DraftModel> {
        const file = await validateModelFile(path);
        let entry = this.loaded.get(file.path);
        if (!entry) {
            entry = this.load(file.path);
            this.loaded.set(file.path, entry);
            entry.catch(() => this.loaded.delete(file.path));
        }
        return entry;
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
        await Promise.all(all.map(entry => entry.then(async draft => {
            await draft.contexts.dispose();
            await draft.model.dispose();
        }, () => undefined)));
    }
}

function modelVocabularySize(model: LlamaModel): number {
    return model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
}
