// The draft sources of the speculative loop in generationLoop.cc. Neither decides what the output is: the target
// model samples every token itself with its own chain and draws, and a draft token only saves an evaluation when it is
// the token the target sampled (see generationLoop.cc). So the drafters may be greedy and approximate.
#include "tokenDrafters.h"

#include <algorithm>
#include <cmath>

#include "decodeSupport.h"

namespace promptscope {

namespace {

// The most likely token of `logits` and its probability under their softmax.
std::pair<llama_token, float> top_token(const float * logits, int32_t n_vocab) {
    llama_token best = 0;
    for (llama_token id = 1; id < n_vocab; ++id) {
        if (logits[id] > logits[best]) best = id;
    }
    double sum = 0;
    for (llama_token id = 0; id < n_vocab; ++id) sum += std::exp(static_cast<double>(logits[id]) - logits[best]);
    return {best, static_cast<float>(1.0 / sum)};
}

}  // namespace

bool DraftModelDrafter::propose(const LinkedLlama & api, llama_token next, int32_t max, std::vector<llama_token> & drafts, std::string & error) {
    drafts.clear();
    evaluated_drafts = 0;
    pending.push_back(next);
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(ctx)));
    if (!batch_ready) {
        batch = api.batch_init(n_batch, 0, 1);
        batch_ready = true;
    }
    auto decode = [&](const llama_token * tokens, int32_t count, bool logits_for_last) {
        batch.n_tokens = count;
        for (int32_t i = 0; i < count; ++i) {
            batch.token[i] = tokens[i];
            batch.pos[i] = pos + i;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = seq;
            batch.logits[i] = logits_for_last && i == count - 1;
        }
        const int32_t code = api.decode(ctx, batch);
        if (code != 0) {
            api.memory_seq_rm(api.get_memory(ctx), seq, pos, -1);
            error = "the draft model: " + decode_failure(code);
            return false;
        }
        pos += count;
        return true;
    };
    for (size_t done = 0; done < pending.size();) {
        const int32_t count = static_cast<int32_t>(std::min<size_t>(n_batch, pending.size() - done));
        if (!decode(pending.data() + done, count, done + count == pending.size())) return false;
        done += count;
    }
    pending.clear();
    if (max <= 0) return true;
    const int32_t n_vocab = api.vocab_n_tokens(api.model_get_vocab(api.get_model(ctx)));
    while (static_cast<int32_t>(drafts.size()) < max) {
        const float * logits = api.get_logits_ith(ctx, -1);
        if (logits == nullptr) {
            error = "the draft model returned no logits";
            return false;
        }
        const auto [token, probability] = top_token(logits, n_vocab);
        if (probability < min_probability) break;
        drafts.push_back(token);
        if (static_cast<int32_t>(drafts.size()) == max) break;
        if (!decode(&token, 1, true)) return false;
        ++evaluated_drafts;
    }
    return true;
}

void DraftModelDrafter::settle(const LinkedLlama & api, const std::vector<llama_token> & drafts, int32_t accepted) {
    const int32_t kept = std::min(accepted, evaluated_drafts);
    pos -= evaluated_drafts - kept;
    api.memory_seq_rm(api.get_memory(ctx), seq, pos, -1);
    pending.assign(drafts.begin() + kept, drafts.begin() + accepted);
    evaluated_drafts = 0;
}

void DraftModelDrafter::release(const LinkedLlama & api) {
    if (batch_ready) api.batch_free(batch);
    batch_ready = false;
}

void LookupDrafter::propose(int32_t max, std::vector<llama_token> & drafts) const {
    drafts.clear();
    if (max <= 0) return;
    const int32_t size = static_cast<int32_t>(history.size());
    for (int32_t n = std::min(ngram_max, size - 1); n >= ngram_min && n >= 1; --n) {
        const llama_token * key = history.data() + size - n;
        // The latest earlier occurrence: its continuation is the likeliest to be repeated now.
        for (int32_t at = size - n - 1; at >= 0; --at) {
            if (!std::equal(key, key + n, history.data() + at)) continue;
            const int32_t from = at + n;
            const int32_t count = std::min(max, size - from);
            drafts.assign(history.begin() + from, history.begin() + from + count);
            return;
        }
    }
}

}  // namespace promptscope
