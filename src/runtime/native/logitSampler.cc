// The token-probabilities pass samples from raw logits with the user's settings (the sampler chain would rewrite the
// logits it reports). src/core/probabilities/sampleFromLogits.ts does that in JavaScript for node-llama-cpp's logits;
// this is the same function for the addon's own context, so that a generation of N tokens is one addon call instead
// of N round trips with a vocabulary-sized copy and a JavaScript pass over it each. Any change here must be made
// there too: test/runtime/logits-sources.test.ts compares both. Which sampler serves which path: README.md, "Samplers".
#include "logitSampler.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "rowStatistics.h"

namespace promptscope {

namespace {

std::vector<double> softmax(const std::vector<double> & logits) {
    double max = -INFINITY;
    for (double l : logits) if (l > max) max = l;
    std::vector<double> out(logits.size());
    double sum = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
        out[i] = std::exp(logits[i] - max);
        sum += out[i];
    }
    for (double & e : out) e /= sum;
    return out;
}

}  // namespace

SampledChoice sample_from_logits(const float * logits, int32_t n_vocab, const LogitSamplerSettings & settings,
        const std::vector<int32_t> & penalized, double draw, std::vector<double> & adjusted) {
    SampledChoice choice;
    if (settings.temperature <= 0 && settings.bias.empty() && (settings.repeat_penalty == 1 || penalized.empty())) {
        // Greedy on untouched logits: no vocabulary-sized copy into doubles (a visible cost per step at 262k tokens).
        choice.token = row_argmax(logits, n_vocab);
        choice.ids = {choice.token};
        choice.probs = {1};
        return choice;
    }
    adjusted.assign(logits, logits + n_vocab);
    for (const auto & [id, bias] : settings.bias) {
        // A literal +Infinity would make the softmax Infinity − Infinity = NaN: a huge finite logit wins as surely.
        if (id >= 0 && id < n_vocab) adjusted[id] += bias == INFINITY ? 1e9 : bias;
    }
    if (settings.repeat_penalty != 1) {
        // llama.cpp penalises each distinct recent token once, dividing positive logits and multiplying negative ones.
        for (int32_t id : std::set<int32_t>(penalized.begin(), penalized.end())) {
            if (id < 0 || id >= n_vocab) continue;
            adjusted[id] = adjusted[id] > 0 ? adjusted[id] / settings.repeat_penalty : adjusted[id] * settings.repeat_penalty;
        }
    }
    if (settings.temperature <= 0) {
        int32_t best = 0;
        for (int32_t i = 1; i < n_vocab; ++i) if (adjusted[i] > adjusted[best]) best = i;
        choice.token = best;
        choice.ids = {best};
        choice.probs = {1};
        return choice;
    }

    // topIndices: largest first, ties to the lower id.
    const int32_t count = settings.top_k > 0 ? std::min(settings.top_k, n_vocab) : n_vocab;
    std::vector<int32_t> order(static_cast<size_t>(n_vocab));
    for (int32_t i = 0; i < n_vocab; ++i) order[i] = i;
    std::partial_sort(order.begin(), order.begin() + count, order.end(), [&adjusted](int32_t a, int32_t b) {
        return adjusted[a] > adjusted[b] || (adjusted[a] == adjusted[b] && a < b);
    });
    std::vector<int32_t> candidates;
    for (int32_t i = 0; i < count; ++i) if (adjusted[order[i]] != -INFINITY) candidates.push_back(order[i]);
    if (candidates.empty()) {
        choice.error = "every token is banned: nothing can be sampled";
        return choice;
    }
    const double max_logit = adjusted[candidates[0]];
    if (settings.top_p < 1) {
        std::vector<double> values;
        for (int32_t id : candidates) values.push_back(adjusted[id]);
        const std::vector<double> probs = softmax(values);
        double cumulative = 0;
        size_t keep = candidates.size();
        for (size_t i = 0; i < probs.size(); ++i) {
            cumulative += probs[i];
            if (cumulative >= settings.top_p) {
                keep = i + 1;
                break;
            }
        }
        candidates.resize(keep);
    }
    if (settings.min_p > 0) {
        const double threshold = max_logit + std::log(settings.min_p);
        std::vector<int32_t> kept;
        for (size_t i = 0; i < candidates.size(); ++i) {
            if (i == 0 || adjusted[candidates[i]] >= threshold) kept.push_back(candidates[i]);
        }
        candidates.swap(kept);
    }
    std::vector<double> scaled;
    for (int32_t id : candidates) scaled.push_back(adjusted[id] / settings.temperature);
    choice.probs = softmax(scaled);
    choice.ids = candidates;
    double cumulative = 0;
    choice.token = candidates.back();
    for (size_t i = 0; i < candidates.size(); ++i) {
        cumulative += choice.probs[i];
        if (draw < cumulative) {
            choice.token = candidates[i];
            break;
        }
    }
    return choice;
}

}  // namespace promptscope
