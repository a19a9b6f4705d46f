import type { BackendFeature } from '../backends';

/** What each feature needs, in the words the error uses ("attention needs the embedded runtime"). */
const needs: Record<BackendFeature, string> = {
    attention: 'attention needs the embedded runtime',
    logprobs: 'log-probabilities need a server that returns `logprobs`',
    grammar: 'GBNF grammars need the embedded runtime or llama-server (its `grammar` field)',
    jsonSchema: 'a JSON-schema output needs a server with `response_format: json_schema`',
    multipleCompletions: 'several completions in one request need `n` > 1',
    seed: 'reproducible sampling needs a server that honours `seed`',
    lora: 'LoRA adapters from files need the embedded runtime (a server applies only the adapters it was started with, by id)',
    tokenize: 'token ids need the embedded runtime or a server with `/tokenize` (llama-server)',
    rawPrompt: 'continuing raw text needs `/v1/completions`',
    labelScoring: 'label scoring needs log-probabilities with token ids (the embedded runtime, or llama-server)',
    promptProbabilities: 'probabilities of the prompt\'s own tokens need the embedded runtime (OpenAI-compatible servers score generated tokens only)',
    speculative: 'speculative decoding options need the embedded runtime (start llama-server with a draft model instead)',
    watermark: 'watermarking needs the embedded runtime (its native sampler)',
    beamSearch: 'beam search needs the embedded runtime',
};

/**
 * A request asked for a feature its backend does not have. Nothing was approximated: the message names the feature,
 * the backend and what has it, so the user can switch backend or drop the option.
 */
export class BackendCapabilityError extends Error {
    readonly feature: BackendFeature;
    /** The backend that lacks it: `embedded`, or the server's base URL. */
    readonly backend: string;

    constructor(feature: BackendFeature, backend: string, detail?: string) {
        super(`${needs[feature]}; ${backend} does not offer it${detail ? ` (${detail})` : ''}.`);
        this.name = 'BackendCapabilityError';
        this.feature = feature;
        this.backend = backend;
    }
}
