import { basename } from 'node:path';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { EmbedRequest, EmbedResult } from '../../../shared/embeddingApi';
import { CancelledError } from '../../../shared/errors/CancelledError';
import { EmbeddingError } from '../../../shared/errors/EmbeddingError';
import type { LlamaBackend } from './LlamaBackend';
import { validateModelFile } from '../validateModelFile';

/** An embedding model with its one embedding context. */
interface EmbeddingModel {
    path: string;
    name: string;
    bytes: number;
    model: LlamaModel;
    context: LlamaEmbeddingContext;
    contextSize: number;
}

/** The embedding context's size when the model's training context is larger: KV memory grows with it, chunks stay small. */
const contextSizeCap = 4096;

/**
 * The models embed requests named, each loaded (memory-mapped, CPU) on its first use with one embedding context and
 * kept until the engine's backend goes: an index embeds thousands of chunks in many requests, then every prompt that
 * retrieves embeds its query with the same model. Independent of the model loaded for generation, which may be
 * another one (a small embedding model beside a large chat model).
 */
export class EmbeddingModels {
    private readonly loaded = new Map<string, Promise<EmbeddingModel>>();

    constructor(
        private readonly backend: LlamaBackend,
        private readonly defaultThreads: number,
        private readonly log: (level: 'info' | 'warn', message: string) => void,
    ) {}

    /**
     * Embeds each text on its own, in order (see EmbedRequest). Throws a ModelFileError for a model that cannot be
     * loaded, an EmbeddingError for a text the context cannot hold, and a CancelledError when `signal` aborts between texts.
     */
    async embed(request: EmbedRequest, call: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
        const started = performance.now();
        checkRequest(request);
        const entry = await this.get(request.model, request.threads);
        const vectors: Float32Array[] = [];
        const tokens: number[] = [];
        let dimensions = 0;
        for (const [i, text] of request.texts.entries()) {
            if (call.signal?.aborted) throw new CancelledError('the embedding request');
            const length = entry.context.calculateInputLength(text);
            const contextSize = entry.contextSize;
            // node-llama-cpp refuses an input of the context's size or more with a generic Error; ours names the text.
            if (length >= contextSize) {
                throw new EmbeddingError(entry.path, `text ${i + 1} of ${request.texts.length} is ${length} tokens long; the embedding context holds ${contextSize - 1}`,
                    'Index with smaller chunks (promptscope index --chunk-size), or shorten the query.');
            }
            const embedding = await entry.context.getEmbeddingFor(text);
            const vector = Float32Array.from(embedding.vector);
            if (dimensions === 0) dimensions = vector.length;
            vectors.push(vector);
            tokens.push(length);
        }
        return { model: entry.path, modelName: entry.name, modelBytes: entry.bytes, dimensions, vectors, tokens, ms: performance.now() - started };
    }

    private async get(path: string, threads: number | undefined): Promise<EmbeddingModel> {
        const file = await validateModelFile(path);
        let entry = this.loaded.get(file.path);
        if (!entry) {
            entry = this.load(file.path, file.sizeBytes, threads ?? this.defaultThreads);
            this.loaded.set(file.path, entry);
            entry.catch(() => this.loaded.delete(file.path));
        }
        return entry;
    }

    private async load(path: string, bytes: number, threads: number): Promise<EmbeddingModel> {
        const started = performance.now();
        // A progress callback of our own: without one llama.cpp prints its load progress as dots on stdout.
        const model = await this.backend.llama.loadModel({ modelPath: path, gpuLayers: 0, onLoadProgress: () => undefined });
        try {
            if (model.fileInsights.hasEncoder && model.fileInsights.hasDecoder) {
                throw new EmbeddingError(path, 'it is an encoder-decoder model, whose embeddings llama.cpp does not compute',
                    'Use a decoder-only or encoder-only (embedding) model.');
            }
            const contextSize = model.trainContextSize === 0 ? contextSizeCap : Math.min(model.trainContextSize, contextSizeCap);
            // One micro-batch holds a whole text: pooled embeddings need every token of a sequence in one batch.
            const context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads });
            const name = model.fileInfo.metadata.general?.name;
            this.log('info', `Loaded embedding model ${path} in ${Math.round(performance.now() - started)} ms`);
            return { path, name: typeof name === 'string' && name.trim() !== '' ? name : basename(path), bytes, model, context, contextSize };
        } catch (error) {
            await model.dispose();
            throw error;
        }
    }

    async dispose(): Promise<void> {
        const all = [...this.loaded.values()];
        this.loaded.clear();
        await Promise.all(all.map(entry => entry.then(async loaded => {
            await loaded.context.dispose();
            await loaded.model.dispose();
        }, () => undefined)));
    }
}

function checkRequest(request: EmbedRequest): void {
    if (typeof request.model !== 'string' || request.model === '') throw new TypeError('embed: model must be a GGUF file path.');
    if (!Array.isArray(request.texts) || request.texts.length === 0) throw new TypeError('embed: texts must be a list of at least one text.');
    const bad = request.texts.findIndex(t => typeof t !== 'string' || t.trim() === '');
    if (bad >= 0) throw new TypeError(`embed: text ${bad + 1} is empty; every text must hold something to embed.`);
    if (request.threads !== undefined && !(Number.isInteger(request.threads) && request.threads >= 1)) {
        throw new TypeError(`embed: threads must be an integer ≥ 1; got ${JSON.stringify(request.threads)}.`);
    }
}
