// node-llama-cpp's sampler chain (AddonSampler::rebuildChainIfNeeded), built from the library that made the context,
// for the addon's loops on node-llama-cpp contexts (generationLoop.cc: one sequence; multiSequenceLoop.cc: many): logit
// bias, repeat penalties, then greedy, or top-k, top-p, min-p, temperature and a seeded draw, with node-llama-cpp's
// defaults for absent values, so a seed gives the same tokens on either loop. (logitSampler.cc is another sampler: the
// token-probabilities pass's, sampleFromLogits.ts in C++.) Which sampler serves which path: README.md, "Samplers".
#include "nodeLlamaSampler.h"

#include <algorithm>
#include <cmath>

#include "napiArgs.h"

namespace promptscope {

const char * read_chain_settings(napi_env env, napi_value options, ChainSettings & s) {
    double temperature = 0, top_k = 40, top_p = 0.95, min_p = 0, seed = 0, penalty = 1, last_n = 0;
    if (!get_optional_double(env, options, "temperature", temperature) || !get_optional_double(env, options, "topK", top_k)
        || !get_optional_double(env, options, "topP", top_p) || !get_optional_double(env, options, "minP", min_p)
        || !get_optional_double(env, options, "seed", seed) || !get_optional_double(env, options, "repeatPenalty", penalty)
        || !get_optional_double(env, options, "repeatLastTokens", last_n)) {
        return "sampler options (temperature, topK, topP, minP, seed, repeatPenalty, repeatLastTokens) must be numbers";
    }
    s.temperature = static_cast<float>(temperature);
    s.top_k = static_cast<int32_t>(top_k);
    s.top_p = static_cast<float>(top_p);
    s.min_p = static_cast<float>(min_p);
    s.seed = static_cast<uint32_t>(std::max(0.0, seed));
    s.repeat_penalty = static_cast<float>(penalty);
    s.repeat_last_n = static_cast<int32_t>(last_n);
    std::vector<llama_token> bias_tokens;
    std::vector<double> bias_values;
    if (!get_optional_int32_array(env, options, "repeatHistory", s.repeat_history) || !get_optional_int32_array(env, options, "biasTokens", bias_tokens)) {
        return "repeatHistory and biasTokens must be arrays of token ids";
    }
    napi_value values;
    if (get_optional_property(env, options, "biasValues", &values) && !get_number_array(env, values, bias_values)) {
        return "biasValues must be an array of numbers";
    }
    if (bias_values.size() != bias_tokens.size()) return "biasTokens and biasValues differ in length";
    s.bias.clear();
    for (size_t i = 0; i < bias_tokens.size(); ++i) s.bias.push_back(llama_logit_bias{bias_tokens[i], static_cast<float>(bias_values[i])});
    return nullptr;
}

llama_sampler * build_chain(const LinkedLlama & api, const llama_vocab * vocab, const ChainSettings & o, llama_sampler ** penalties) {
    const int32_t n_vocab = api.vocab_n_tokens(vocab);
    llama_sampler * chain = api.sampler_chain_init(api.sampler_chain_default_params());
    if (!o.bias.empty()) {
        api.sampler_chain_add(chain, api.sampler_init_logit_bias(n_vocab, static_cast<int32_t>(o.bias.size()), o.bias.data()));
    }
    *penalties = nullptr;
    if (o.repeat_last_n > 0 && o.repeat_penalty != 1.0f) {
        *penalties = api.sampler_init_penalties(n_vocab, o.repeat_last_n, o.repeat_penalty, 0.0f, 0.0f);
        for (llama_token t : o.repeat_history) api.sampler_accept(*penalties, t);
        api.sampler_chain_add(chain, *penalties);
    }
    if (o.temperature <= 0.0f) {
        api.sampler_chain_add(chain, api.sampler_init_greedy());
        return chain;
    }
    const int32_t top_k = o.top_k <= 0 ? n_vocab : std::min(o.top_k, n_vocab);
    api.sampler_chain_add(chain, api.sampler_init_top_k(top_k));
    if (o.top_p >= 0.0f && o.top_p <= 1.0f) api.sampler_chain_add(chain, api.sampler_init_top_p(o.top_p, 1));
    if (o.min_p > 0.0f) api.sampler_chain_add(chain, api.sampler_init_min_p(o.min_p, 1));
    api.sampler_chain_add(chain, api.sampler_init_temp(o.temperature));
    api.sampler_chain_add(chain, api.sampler_init_dist(o.seed));
    return chain;
}

float chosen_confidence(const llama_token_data_array & cur) {
    // node-llama-cpp sums in logit order (it sorts the candidates first); the order changes the float sum in its last
    // bits only, far below what a log-probability is compared at, and sorting a whole vocabulary per token is not free.
    float max_logit = cur.data[0].logit;
    for (size_t i = 1; i < cur.size; ++i) max_logit = std::max(max_logit, cur.data[i].logit);
    float sum = 0.0f;
    for (size_t i = 0; i < cur.size; ++i) sum += expf(cur.data[i].logit - max_logit);
    return expf(cur.data[cur.selected].logit - max_logit) / sum;
}

}  // namespace promptscope
