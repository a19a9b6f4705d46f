// See nodeLlamaSampler.cc: node-llama-cpp's sampler chain, built natively, and node-llama-cpp's `confidence`.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <vector>

#include "contextHook.h"
#include "llama.h"

namespace promptscope {

// The sampler values of one generation, with node-llama-cpp's defaults for absent ones.
struct ChainSettings {
    float temperature = 0;
    int32_t top_k = 40;
    float top_p = 0.95f;
    float min_p = 0;
    uint32_t seed = 0;
    float repeat_penalty = 1;
    int32_t repeat_last_n = 0;
    std::vector<llama_token> repeat_history;
    std::vector<llama_logit_bias> bias;
};

// options { temperature, topK, topP, minP, seed, repeatPenalty, repeatLastTokens, repeatHistory, biasTokens, biasValues }
// (all optional) into `out`; nullptr, or the message of the TypeError to throw.
const char * read_chain_settings(napi_env env, napi_value options, ChainSettings & out);

// node-llama-cpp's chain for `settings` (AddonSampler::rebuildChainIfNeeded's order); `*penalties` is its repeat-penalty
// stage (already fed the history) when there is one, which must be given every token kept, else nullptr.
llama_sampler * build_chain(const LinkedLlama & api, const llama_vocab * vocab, const ChainSettings & settings, llama_sampler ** penalties);

// node-llama-cpp's `confidence` of the token `cur` selected after the chain ran on it: the softmax of the chain's
// output logits (after temperature, over what top-k/top-p/min-p kept) at the selected token, in float as its addon
// computes it (AddonContext.cpp, SampleToken).
float chosen_confidence(const llama_token_data_array & cur);

}  // namespace promptscope
