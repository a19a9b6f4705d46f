import type {
    BeamSearchRequest, BeamSearchResult, ChatMessage, LoraAdapterSpec, TokenProbabilitiesRequest, TokenProbabilitiesResult,
} from '../../shared/runtimeApi';
import type { SamplingOptions } from '../../shared/sampling';
import type { TokenText } from '../../shared/tokenText';
import type { BeamDecoding, DecodingSettings } from '../../shared/decoding';

/** What decoding needs of the runtime (RuntimeClient has it); an interface, so core imports no runtime code. */
export interface DecodeRuntime {
    beamSearch(request: BeamSearchRequest, options: { signal?: AbortSignal }): Promise<BeamSearchResult>;
    tokenProbabilities(request: TokenProbabilitiesRequest, options: { signal?: AbortSignal }): Promise<TokenProbabilitiesResult>;
    tokenTexts(tokens: number[]): Promise<TokenText[]>;
}

/** One decoded sequence with its figures under the raw model (temperature 1, no filters). */
export interface DecodedSequence {
    text: string;
    tokens: number[];
    /** What each token shows (joined, the sequence's text; an end token shows its piece). */
    tokenTexts: string[];
    /** Each token's raw natural-log probability. */
    tokenLogprobs: number[];
    /** Σ tokenLogprobs. */
    logprob: number;
    /** exp(−mean token log-probability); NaN for no tokens. */
    perplexity: number;
    /** Beam search: logprob / length^α. */
    score?: number;
    /** Beam search: ended at an end-of-generation token (else cut at max tokens). */
    finished?: boolean;
}

/** What every decoding of one prompt shares. */
export interface DecodeTarget {
    prompt: string | ChatMessage[];
    /** The prompt's own sampling (its `config`), under which a sample's settings apply; raw text has none. */
    sampling: SamplingOptions;
    maxTokens: number;
    /** F32 KV cache, no flash attention. */
    exact: boolean;
    lora?: LoraAdapterSpec[];
    signal?: AbortSignal;
}

export interface DecodeOutcome {
    results: DecodedSequence[];
    /** Beam search's whole result (the tree in `steps`). */
    beam?: BeamSearchResult;
}

/** Greedy decoding: temperature 0 over the prompt's sampling (the runtime then takes the most likely token). */
export const greedySampling: Readonly<SamplingOptions> = { temperature: 0 };

export function sequenceFigures(text: string, tokens: number[], tokenTexts: string[], tokenLogprobs: number[]): DecodedSequence {
    const logprob = tokenLogprobs.reduce((sum, lp) => sum + lp, 0);
    return { text, tokens, tokenTexts, tokenLogprobs, logprob, perplexity: tokens.length === 0 ? NaN : Math.exp(-logprob / tokens.length) };
}

/**
 * THE decoding of `promptscope decode` and the Decoding Lab, so both show the same numbers for the same settings:
 * greedy and sample through the probabilities pass (it samples from the raw logits with the sampler chain and reports
 * each token's raw log-probability; greedy is temperature 0 over the prompt's sampling), beam through the runtime's
 * beam search (k sequences sharing the prompt's KV cells).
 */
export async function decodeMethod(runtime: DecodeRuntime, target: DecodeTarget, settings: DecodingSettings): Promise<DecodeOutcome> {
    switch (settings.method) {
        case 'beam': return decodeBeam(runtime, target, settings);
        case 'greedy': return { results: [await decodeSampled(runtime, target, greedySampling)] };
        case 'sample': {
            const { method: _method, ...sampling } = settings;
            return { results: [await decodeSampled(runtime, target, sampling)] };
        }
    }
}

/** Beam search; `beams` may be raised above the settings' for more candidates (reranking). */
export async function decodeBeam(runtime: DecodeRuntime, target: DecodeTarget, settings: Omit<BeamDecoding, 'method'>): Promise<DecodeOutcome> {
    const { prompt, maxTokens, exact, lora, signal } = target;
    const beam = await runtime.beamSearch({
        prompt, beams: settings.beams, maxTokens, lengthPenalty: settings.lengthPenalty, nBest: settings.nBest, exact, ...(lora === undefined ? {} : { lora }),
        ...(settings.groups === undefined ? {} : { groups: settings.groups }),
        ...(settings.diversityPenalty === undefined ? {} : { diversityPenalty: settings.diversityPenalty }),
    }, { signal });
    const results: DecodedSequence[] = [];
    for (const h of beam.hypotheses) {
        const texts = h.tokens.length === 0 ? [] : (await runtime.tokenTexts(h.tokens)).map(t => t.text);
        results.push({ ...sequenceFigures(h.text, h.tokens, texts, h.tokenLogprobs), score: h.score, finished: h.finished });
    }
    return { results, beam };
}

/** One sample (or greedy) of `overrides` over the prompt's sampling, its tokens scored under the raw model. */
export async function decodeSampled(runtime: DecodeRuntime, target: DecodeTarget, overrides: SamplingOptions): Promise<DecodedSequence> {
    const { prompt, maxTokens, exact, lora, signal } = target;
    // Grammars and schemas constrain a run, not this comparison of methods (the pass refuses them), and stops and the
    // prompt's own length give way to maxTokens: left out, as the probabilities panel leaves them out. A watermark is
    // kept, so the runtime refuses it by name rather than a sample silently lacking it.
    const { grammar: _grammar, jsonSchema: _schema, stopSequences: _stops, maxTokens: _max, ...sampling } = { ...target.sampling, ...overrides };
    const pass = await runtime.tokenProbabilities({ prompt, generate: maxTokens, topK: 1, exact, sampling, ...(lora === undefined ? {} : { lora }) }, { signal });
    const generated = pass.tokens.filter(t => t.source === 'generated');
    return sequenceFigures(generated.map(t => t.text).join(''), generated.map(t => t.id), generated.map(t => t.text), generated.map(t => t.logprob!));
}
