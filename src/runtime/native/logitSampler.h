// See logitSampler.cc: src/core/probabilities/sampleFromLogits.ts, in C++, for the token-probabilities pass.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace promptscope {

struct LogitSamplerSettings {
    double temperature = 0;   // 0 is greedy
    int32_t top_k = 0;        // 0 disables top-k
    double top_p = 1;         // 1 disables top-p
    double min_p = 0;         // 0 disables min-p
    double repeat_penalty = 1;
    std::vector<std::pair<int32_t, double>> bias;  // -inf bans, +inf forces
};

struct SampledChoice {
    int32_t token = -1;
    // The distribution the token was drawn from, after every filter, most likely first.
    std::vector<int32_t> ids;
    std::vector<double> probs;
    std::string error;
};

// Picks the next token from raw logits exactly as sampleFromLogits does (same chain, same order, same tie rules,
// double arithmetic), with `draw` the uniform number in [0, 1) that function would take from its random source.
// `adjusted` is scratch space, reused between calls.
SampledChoice sample_from_logits(const float * logits, int32_t n_vocab, const LogitSamplerSettings & settings,
    const std::vector<int32_t> & penalized, double draw, std::vector<double> & adjusted);

}  // namespace promptscope
