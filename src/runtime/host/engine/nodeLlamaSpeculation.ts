import type { Token } from 'node-llama-cpp';
import type { LlamaEngine } from './LlamaEngine';
import { loadLlamaModule } from './llamaModule';

export interface NodeLlamaSpeculationJob {
    prompt: string;
    tokens: number;
    /** A draft model file, or prompt lookup (node-llama-cpp's InputLookupTokenPredictor, trigrams as ours in the bench). */
    drafter: { draftModel: string; maxDraft: number; minProbability: number } | { lookup: { ngram: number; maxDraft: number } };
    /** Banned (EOS), so every run generates the full count. */
    bannedToken?: number;
}

export interface NodeLlamaSpeculationRun {
    tokensPerSecond: number;
    tokens: number[];
    /** node-llama-cpp's own count of drafted tokens the model confirmed and refuted. */
    validated: number;
    refuted: number;
}

/**
 * Greedy generation through node-llama-cpp's own speculative decoding (a sequence with its DraftSequenceTokenPredictor
 * or InputLookupTokenPredictor, tokens read from `sequence.evaluate`), on the engine's loaded model: the baseline the
 * bench compares our native speculative loop with. Contexts of its own, freed afterwards; tokens/s from the first token.
 */
export async function measureNodeLlamaSpeculation(engine: LlamaEngine, job: NodeLlamaSpeculationJob): Promise<NodeLlamaSpeculationRun> {
    const loaded = await engine.currentModel();
    const module = await loadLlamaModule();
    const threads = loaded.info.threads;
    const contextSize = Math.min(loaded.info.contextSize, 2048);
    const context = await loaded.model.createContext({ contextSize, threads, sequences: 1 });
    let draftModel: Awaited<ReturnType<typeof loaded.backend.llama.loadModel>> | undefined;
    let draftContext: Awaited<ReturnType<typeof loaded.model.createContext>> | undefined;
    try {
        let predictor;
        if ('draftModel' in job.drafter) {
            // A progress callback of our own: without one llama.cpp prints its load progress as dots on stdout.
            draftModel = await loaded.backend.llama.loadModel({ modelPath: job.drafter.draftModel, gpuLayers: 0, onLoadProgress: () => undefined });
            draftContext = await draftModel.createContext({ contextSize, threads, sequences: 1 });
            // The draft sequence would inherit the target's options, whose TokenBias belongs to the target model: the
            // draft gets an empty one of its own (node-llama-cpp rejects another model's bias). minTokens = maxTokens makes
            // the target wait for a whole draft, as ours and llama-speculative-simple do: with node-llama-cpp's default
            // (0) the target never waited for the draft running beside it, and on 2 cores it validated nothing at all
            // (0 confirmed, 0 refuted in every run), which measured plain decoding under another name.
            predictor = new module.DraftSequenceTokenPredictor(draftContext.getSequence(), {
                maxTokens: job.drafter.maxDraft, minTokens: job.drafter.maxDraft, minConfidence: job.drafter.minProbability,
                evaluateOptions: { temperature: 0, tokenBias: new module.TokenBias(draftModel.tokenizer) },
            });
        } else {
            predictor = new module.InputLookupTokenPredictor({
                patternLength: { min: job.drafter.lookup.ngram, max: job.drafter.lookup.ngram },
                predictionLength: { min: 1, max: job.drafter.lookup.maxDraft },
            });
        }
        const sequence = context.getSequence({ tokenPredictor: predictor });
        const prompt = loaded.tokenizePrompt(job.prompt, undefined);
        const generated: number[] = [];
        let first = 0;
        const bias = job.bannedToken === undefined ? undefined : new module.TokenBias(loaded.model.tokenizer).set(job.bannedToken as Token, 'never');
        for await (const token of sequence.evaluate(prompt, { temperature: 0, ...(bias ? { tokenBias: bias } : {}) })) {
            if (generated.length === 0) first = performance.now();
            generated.push(token);
            if (generated.length >= job.tokens) break;
        }
        const seconds = (performance.now() - first) / 1000;
        const stats = sequence.tokenPredictions;
        return { tokensPerSecond: generated.length > 1 ? (generated.length - 1) / seconds : 0, tokens: generated, validated: stats.validated, refuted: stats.refuted };
    } finally {
        await context.dispose();
        await draftContext?.dispose();
        await draftModel?.dispose();
    }
}
