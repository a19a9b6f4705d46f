// See tokenDrafters.cc: where the speculative loop's draft tokens come from (a draft model, or prompt lookup).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "contextHook.h"
#include "llama.h"

namespace promptscope {

// A smaller model of the same vocabulary on a sequence of a node-llama-cpp context: it follows the accepted text and
// proposes its greedy continuation while the continuation stays likely (p ≥ min_probability, as llama.cpp's
// speculative examples do).
struct DraftModelDrafter {
    llama_context * ctx = nullptr;
    llama_seq_id seq = 0;
    llama_pos start = 0;            // where this run began on the sequence
    llama_pos pos = 0;              // the next position to evaluate
    float min_probability = 0.75f;
    std::vector<llama_token> pending;  // accepted text the draft has not evaluated yet
    llama_batch batch{};
    bool batch_ready = false;
    int32_t evaluated_drafts = 0;      // draft tokens of the last proposal evaluated in the draft's KV

    // Up to `max` greedy tokens following `pending` + `next`; false with `error` set when llama_decode fails.
    bool propose(const LinkedLlama & api, llama_token next, int32_t max, std::vector<llama_token> & drafts, std::string & error);
    // The target accepted the first `accepted` of `drafts`: the rest leave the draft's KV, accepted ones it has not
    // evaluated wait in `pending`.
    void settle(const LinkedLlama & api, const std::vector<llama_token> & drafts, int32_t accepted);
    void release(const LinkedLlama & api);
};

// Prompt lookup ("n-gram" drafting, llama.cpp's examples/lookup): the tokens that followed the latest earlier occurrence
// of the text's last n tokens (n from ngram_max down to ngram_min), when there is one. Costs no model evaluation, so it
// helps where the output repeats the input (extraction, editing, code).
struct LookupDrafter {
    int32_t ngram_min = 1;
    int32_t ngram_max = 3;
    std::vector<llama_token> history;  // the whole prompt, then every token of the output

    void propose(int32_t max, std::vector<llama_token> & drafts) const;
};

}  // namespace promptscope
