// See rowStatistics.cc: reductions of one position's raw logits (max, log-normalizer, entropy, top-k), shared by the
// token-probabilities pass and the step-level decode.
#pragma once

#include <cstdint>
#include <vector>

namespace promptscope {

struct RowNormalizer {
    float max = 0;
    double log_normalizer = 0;  // log Σ exp(logit): a token's log-probability is its logit minus this
    double entropy = 0;         // of the raw distribution, in nats
};

// max, log-normalizer and entropy of `logits`, as src/core/probabilities/logitStatistics.ts computes them (the max
// subtracted first, sums in float64), with exp evaluated in float32 lanes (relative error below 1e-7 per term).
RowNormalizer row_normalizer(const float * logits, int32_t n_vocab);

// The `k` most likely ids of `logits`, most likely first, ties broken by the lower id, written to `top_ids`.
// `order` is scratch space, used only when k is large.
void row_top_k(const float * logits, int32_t n_vocab, int32_t k, int32_t * top_ids, std::vector<int32_t> & order);

// The `k` most likely ids of `logits` (as row_top_k) and their log-softmax values, rounded to float: the reduction of a
// step over chosen sequences (sequenceStep.cc) and of beam search (beamSearchLoop.cc), which must agree to the bit.
void row_top_logprobs(const float * logits, int32_t n_vocab, int32_t k, int32_t * top_ids, float * top_logprobs, std::vector<int32_t> & order);

// The id of the largest logit, the lower id on ties.
int32_t row_argmax(const float * logits, int32_t n_vocab);

}  // namespace promptscope
