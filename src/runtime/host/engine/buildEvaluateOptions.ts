import type { LlamaModel, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import type { ResolvedSampling } from '../../../core/sampling/validateSampling';
import type { GrammarCache } from './GrammarCache';
import { loadLlamaModule } from './llamaModule';

/**
 * A logit that wins against any real one without turning the softmax into Infinity − Infinity = NaN, which a
 * literal +Infinity bias does as soon as temperature sampling normalises the distribution.
 */
export const forcedLogit = 1e9;

/**
 * node-llama-cpp evaluate options for one generation: sampler values, logit bias, a fresh grammar state and a
 * repeat penalty over the last N tokens of `history` (prompt and generated tokens; the caller appends to it).
 * Which sampler serves which path: README.md, "Samplers".
 */
export async function buildEvaluateOptions(
    model: LlamaModel,
    grammars: GrammarCache,
    sampling: ResolvedSampling,
    seed: number,
    history: Token[],
): Promise<SequenceEvaluateOptions> {
    const { TokenBias, LlamaGrammarEvaluationState } = await loadLlamaModule();
    const options: SequenceEvaluateOptions = {
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        minP: sampling.minP,
        seed,
        // The loop must see end-of-generation tokens to report `eos` and to stop on chat-template end tokens.
        yieldEogToken: true,
    };

    if (sampling.logitBias.size > 0) {
        const bias = new TokenBias(model.tokenizer);
        for (const [token, value] of sampling.logitBias) {
            bias.set(token as Token, value === -Infinity ? 'never' : { logit: value === Infinity ? forcedLogit : value });
        }
        options.tokenBias = bias;
    }

    const grammar = sampling.grammar !== undefined
        ? await grammars.gbnf(sampling.grammar)
        : sampling.jsonSchema !== undefined ? await grammars.jsonSchema(sampling.jsonSchema) : undefined;
    if (grammar) options.grammarEvaluationState = new LlamaGrammarEvaluationState({ model, grammar });

    if (sampling.repeatPenalty !== 1 && sampling.repeatLastTokens > 0) {
        const lastN = sampling.repeatLastTokens;
        options.repeatPenalty = {
            penalty: sampling.repeatPenalty,
            maxPunishTokens: lastN,
            punishTokens: () => history.slice(-lastN),
        };
    }
    return options;
}
