import type { ResolvedSampling } from '../../../core/sampling/validateSampling';

/** Which server a connection talks to: llama.cpp's llama-server (its extensions used) or any other OpenAI-compatible one. */
export type ServerFlavor = 'llama.cpp' | 'generic';

/**
 * The request fields of one generation's sampling. OpenAI's own fields first (temperature, top_p, max_tokens, seed,
 * stop, logit_bias, response_format); the others in the names the server reads: llama-server's top_k, min_p,
 * repeat_penalty, repeat_last_n and grammar; vLLM/SGLang's top_k, min_p and repetition_penalty (which, unlike
 * llama.cpp's, looks at the whole text, not a window).
 */
export function samplingFields(sampling: ResolvedSampling, seed: number, flavor: ServerFlavor): Record<string, unknown> {
    const fields: Record<string, unknown> = {
        temperature: sampling.temperature,
        top_p: sampling.topP,
        max_tokens: sampling.maxTokens,
        seed,
        top_k: sampling.topK,
        min_p: sampling.minP,
    };
    if (sampling.stopSequences.length > 0) fields.stop = sampling.stopSequences;
    if (sampling.logitBias.size > 0) {
        // OpenAI's range is [-100, 100]; llama-server reads `false` as a ban.
        fields.logit_bias = Object.fromEntries([...sampling.logitBias].map(([id, bias]) => [
            String(id), bias === -Infinity ? (flavor === 'llama.cpp' ? false : -100) : Math.max(-100, Math.min(100, bias)),
        ]));
    }
    if (sampling.jsonSchema !== undefined) fields.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: sampling.jsonSchema, strict: true } };
    if (flavor === 'llama.cpp') {
        fields.repeat_penalty = sampling.repeatPenalty;
        fields.repeat_last_n = sampling.repeatLastTokens;
        if (sampling.grammar !== undefined) fields.grammar = sampling.grammar;
    } else if (sampling.repeatPenalty !== 1) {
        fields.repetition_penalty = sampling.repeatPenalty;
    }
    return fields;
}
