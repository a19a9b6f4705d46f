import { editDistance } from '../../text/editDistance';
import { samplingDefaults, type SamplingOptions } from '../../../shared/sampling';

/** One key of a `.prompt` file's `config` mapping and the sampling option it sets. */
export interface ConfigKeyInfo {
    /** The key as written in `config:`. */
    key: string;
    /** The sampling option it sets. */
    field: keyof SamplingOptions;
    /** Value shape, for completion snippets and hover. */
    type: 'number' | 'integer' | 'string list' | 'token bias map' | 'string';
    /** The allowed values in words. */
    allowed: string;
    /** The value used when the key is absent, as text. */
    defaultText: string;
    /** Markdown explanation for hover and completion. */
    documentation: string;
    /** A stricter lower bound than the runtime's own check, where a `.prompt` value below it can only be a mistake. */
    min?: number;
}

/**
 * Every `config` key Promptscope understands: Dotprompt's common generation keys (`temperature`, `topK`,
 * `topP`, `maxOutputTokens`, `stopSequences`) and the llama.cpp samplers our runtime adds. Validation,
 * completion, hover and the sampling mapping all read this table.
 */
export const configKeys: readonly ConfigKeyInfo[] = [
    {
        key: 'temperature', field: 'temperature', type: 'number', allowed: 'a number ≥ 0',
        defaultText: String(samplingDefaults.temperature),
        documentation: 'Randomness of sampling: the logits are divided by it before the softmax. `0` always picks the most likely token (greedy, deterministic); values above 1 flatten the distribution.',
    },
    {
        key: 'topK', field: 'topK', type: 'integer', allowed: 'an integer ≥ 0',
        defaultText: String(samplingDefaults.topK),
        documentation: 'Sample only among the K most likely tokens. `0` disables the filter.',
    },
    {
        key: 'topP', field: 'topP', type: 'number', allowed: 'a number in (0, 1]',
        defaultText: String(samplingDefaults.topP),
        documentation: 'Nucleus sampling: keep the smallest set of most likely tokens whose probabilities add up to P. `1` disables the filter.',
    },
    {
        key: 'minP', field: 'minP', type: 'number', allowed: 'a number in [0, 1)',
        defaultText: String(samplingDefaults.minP),
        documentation: 'Drop tokens whose probability is below `minP` × the probability of the most likely token. `0` disables the filter.',
    },
    {
        key: 'maxOutputTokens', field: 'maxTokens', type: 'integer', allowed: 'an integer ≥ 1', min: 1,
        defaultText: String(samplingDefaults.maxTokens),
        documentation: 'The most tokens to generate; generation also stops at the end-of-sequence token or a stop sequence.',
    },
    {
        key: 'stopSequences', field: 'stopSequences', type: 'string list', allowed: 'a list of non-empty strings',
        defaultText: 'none',
        documentation: 'Generation stops before any of these strings; the stop sequence itself is not part of the output.',
    },
    {
        key: 'repeatPenalty', field: 'repeatPenalty', type: 'number', allowed: 'a number > 0',
        defaultText: String(samplingDefaults.repeatPenalty),
        documentation: 'Penalty for tokens that already appeared among the last `repeatLastTokens` tokens. `1` disables it; values above 1 discourage repetition.',
    },
    {
        key: 'repeatLastTokens', field: 'repeatLastTokens', type: 'integer', allowed: 'an integer ≥ 0',
        defaultText: String(samplingDefaults.repeatLastTokens),
        documentation: 'How many recent tokens the repeat penalty looks at.',
    },
    {
        key: 'seed', field: 'seed', type: 'integer', allowed: 'an integer in [0, 4294967295]',
        defaultText: 'random',
        documentation: 'Seed of the sampler. Fixing it makes a run reproducible on the same model and settings.',
    },
    {
        key: 'logitBias', field: 'logitBias', type: 'token bias map', allowed: 'a mapping of token ids to a number or "ban"',
        defaultText: 'none',
        documentation: 'Additive bias on the logits of specific token ids, e.g. `{ 42: 2.5, 7: ban }`. `ban` forbids the token.',
    },
    {
        key: 'grammar', field: 'grammar', type: 'string', allowed: 'a GBNF grammar',
        defaultText: 'none',
        documentation: 'A GBNF grammar the output must follow. Use either this or `output.schema`, not both.',
    },
];

const byKey = new Map(configKeys.map(k => [k.key, k]));

export function configKeyInfo(key: string): ConfigKeyInfo | undefined {
    return byKey.get(key);
}

/** Spellings other tools use for our keys. */
const aliases: Record<string, string> = {
    top_k: 'topK', top_p: 'topP', min_p: 'minP', topk: 'topK', topp: 'topP', minp: 'minP',
    max_tokens: 'maxOutputTokens', maxTokens: 'maxOutputTokens', max_output_tokens: 'maxOutputTokens',
    max_new_tokens: 'maxOutputTokens', n_predict: 'maxOutputTokens',
    stop: 'stopSequences', stop_sequences: 'stopSequences', stopSequence: 'stopSequences',
    repeat_penalty: 'repeatPenalty', repetition_penalty: 'repeatPenalty', repetitionPenalty: 'repeatPenalty',
    repeat_last_n: 'repeatLastTokens', logit_bias: 'logitBias', temp: 'temperature',
};

/** The known key a misspelt or foreign one most likely means, if any. */
export function suggestConfigKey(key: string): string | undefined {
    if (Object.hasOwn(aliases, key)) return aliases[key];
    const lower = key.toLowerCase();
    let best: { key: string; distance: number } | undefined;
    for (const known of configKeys) {
        const distance = editDistance(lower, known.key.toLowerCase());
        if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: known.key, distance };
    }
    return best?.key;
}

