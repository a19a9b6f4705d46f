// The token-probabilities pass on the addon's own copy of the model (modelCopy.cc): node-llama-cpp hands logits to
// JavaScript only as a token→logit Map of the whole vocabulary, built element by element on the main thread (~20 ms per
// position on the 100m fixture, against a ~12 ms decode), so the raw statistics of each position (log-normalizer,
// entropy, top-K, the next token's log-probability) are computed here instead, in a context of its own, and only the last
// position's logits cross over (one Float32Array copy) for sampling. Asked to, it goes on generating: it samples from the
// raw logits with logitSampler.cc (the C++ twin of src/core/probabilities/sampleFromLogits.ts) and evaluates each token,
// so N tokens are one call instead of N round trips with a vocabulary-sized copy each.
#include "logitsPass.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "llama.h"
#include "logitSampler.h"
#include "modelCopy.h"
#include "napiArgs.h"
#include "rowStatistics.h"

namespace promptscope {

namespace {

// The token-probabilities context on the model copy (no callback), kept between requests; its KV holds the sequence
// evaluated so far.
struct LogitsContext {
    llama_context * ctx = nullptr;
    uint32_t n_ctx = 0;
    bool exact = false;
    int threads = 0;
    int n_past = 0;
    std::vector<llama_adapter_lora *> adapters;
    std::vector<float> scales;
};

LogitsContext g_context;  // used only by jobs on the model copy, one at a time

void free_logits_context() {
    if (g_context.ctx) llama_free(g_context.ctx);
    g_context.ctx = nullptr;
    g_context.n_ctx = 0;
    g_context.threads = 0;
    g_context.n_past = 0;
    g_context.adapters.clear();
    g_context.scales.clear();
}

struct LogitsJob : ModelJob {
    bool reset = false;
    // ≥ 0: the KV keeps only this many positions before `tokens` are evaluated (label scoring goes back to the prompt).
    int keep = -1;
    // Logits and statistics of the last token only (label scoring needs no other position of the prompt).
    bool last_only = false;
    bool exact = false;
    int n_ctx = 0;
    int top_k = 0;
    // Going on generating after the evaluation (see generate_after), when `generate`.
    bool generate = false;
    int steps = 0;
    double budget_ms = 0;
    LogitSamplerSettings sampler;
    int repeat_last = 0;
    std::vector<double> draws;
    std::vector<int32_t> forced, stop_tokens, history;
    // outputs
    int vocabulary_size = 0;
    std::vector<double> log_normalizer, entropy, target, top_logprobs;
    std::vector<int32_t> top_ids;
    std::vector<float> last_logits;
    std::vector<int32_t> generated, sampled_ids, sampled_counts;
    std::vector<double> generated_logprobs, sampled_probs;
    bool end_of_generation = false;

    void run() override;
    napi_status result(napi_env env, napi_value * out) override;
    void generate_after(llama_context * ctx, int n_vocab, std::vector<int32_t> & order);
};

// Statistics of one position's raw logits, the same as src/core/probabilities/logitStatistics.ts (rowStatistics.cc):
// log-normalizer, entropy, and the top-K most likely first, ties broken by the lower id.
void row_statistics(const float * logits, int n_vocab, int top_k, double & log_normalizer, double & entropy,
        int32_t * top_ids, double * top_logprobs, std::vector<int32_t> & order) {
    const RowNormalizer row = row_normalizer(logits, n_vocab);
    log_normalizer = row.log_normalizer;
    entropy = row.entropy;
    const int k = std::min(top_k, n_vocab);
    if (k <= 0) return;
    row_top_k(logits, n_vocab, k, top_ids, order);
    for (int i = 0; i < k; ++i) top_logprobs[i] = static_cast<double>(logits[top_ids[i]]) - log_normalizer;
}

// Goes on from the last evaluated position: samples a token from its raw logits with the user's settings (as the
// JavaScript pass would, draws given), records it with its log-probability and the filtered distribution's first
// top_k entries, evaluates it (its row's statistics join the others), and so on for `steps` tokens or until the
// time budget is spent, an end-of-generation token comes, or (forced tokens aside) a stop token. The last sampled token
// is not evaluated: the next call starts with it. One call does what took a round trip and a vocabulary copy per token.
void LogitsJob::generate_after(llama_context * ctx, int n_vocab, std::vector<int32_t> & order) {
    const llama_vocab * vocab = llama_model_get_vocab(llama_get_model(ctx));
    const auto started = std::chrono::steady_clock::now();
    std::vector<float> current = last_logits;
    std::vector<double> scratch;
    std::vector<int32_t> & all = history;
    const int k = top_k;
    int row = static_cast<int>(log_normalizer.size()) - 1;
    llama_batch batch = llama_batch_init(1, 0, 1);
    for (int step = 0; step < steps; ++step) {
        std::vector<int32_t> penalized;
        if (repeat_last > 0) penalized.assign(all.end() - std::min<size_t>(all.size(), repeat_last), all.end());
        const double draw = step < static_cast<int>(draws.size()) ? draws[step] : 0;
        const SampledChoice choice = sample_from_logits(current.data(), n_vocab, sampler, penalized, draw, scratch);
        if (!choice.error.empty()) {
            error = choice.error;
            break;
        }
        const bool is_forced = step < static_cast<int>(forced.size());
        const int32_t token = is_forced ? forced[step] : choice.token;
        if (!is_forced && (llama_vocab_is_eog(vocab, token)
                || std::find(stop_tokens.begin(), stop_tokens.end(), token) != stop_tokens.end())) {
            end_of_generation = true;
            break;
        }
        if (token < 0 || token >= n_vocab) {
            error = "forced token " + std::to_string(token) + " is outside the vocabulary";
            break;
        }
        generated.push_back(token);
        generated_logprobs.push_back(static_cast<double>(current[token]) - log_normalizer[row]);
        const size_t shown = std::min<size_t>(choice.ids.size(), static_cast<size_t>(k));
        sampled_counts.push_back(static_cast<int32_t>(shown));
        sampled_ids.insert(sampled_ids.end(), choice.ids.begin(), choice.ids.begin() + shown);
        sampled_probs.insert(sampled_probs.end(), choice.probs.begin(), choice.probs.begin() + shown);
        all.push_back(token);
        const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (step + 1 == steps || elapsed > budget_ms) break;

        LogitsContext & context = g_context;
        if (context.n_past + 1 > static_cast<int>(context.n_ctx)) {
            error = "the sequence does not fit the context (" + std::to_string(context.n_ctx) + ")";
            break;
        }
        batch.n_tokens = 1;
        batch.token[0] = token;
        batch.pos[0] = context.n_past;
        batch.n_seq_id[0] = 1;
        batch.seq_id[0][0] = 0;
        batch.logits[0] = 1;
        const int rc = llama_decode(ctx, batch);
        if (rc != 0) {
            free_logits_context();
            error = "llama_decode failed with code " + std::to_string(rc);
            break;
        }
        context.n_past += 1;
        const float * logits = llama_get_logits_ith(ctx, 0);
        if (!logits) {
            error = "llama.cpp returned no logits for position " + std::to_string(context.n_past - 1);
            break;
        }
        log_normalizer.push_back(0);
        entropy.push_back(0);
        target.push_back(NAN);
        top_ids.resize(top_ids.size() + k);
        top_logprobs.resize(top_logprobs.size() + k);
        ++row;
        row_statistics(logits, n_vocab, k, log_normalizer[row], entropy[row], top_ids.data() + static_cast<size_t>(row) * k,
            top_logprobs.data() + static_cast<size_t>(row) * k, order);
        current.assign(logits, logits + n_vocab);
    }
    llama_batch_free(batch);
}

// Evaluates `tokens` in the probabilities context (from position 0 with `reset`, else after what it holds) with
// logits at every token, and reduces each position to its statistics; the last position's logits are copied whole.
void LogitsJob::run() {
    std::vector<llama_adapter_lora *> adapters;
    llama_model * model = prepare_model(*this, adapters);
    if (!model) return;
    LogitsContext & context = g_context;
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    const int T = static_cast<int>(tokens.size());
    const uint32_t want_ctx = static_cast<uint32_t>(std::max(n_ctx, 1));
    if (context.ctx && (context.n_ctx != want_ctx || context.exact != exact
            || context.adapters != adapters || context.scales != lora_scales)) {
        free_logits_context();
    }
    if (!reset && !context.ctx) {
        error = "the probabilities context was released before the generation finished";
        return;
    }
    if (!context.ctx) {
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = want_ctx;
        cparams.n_batch = want_ctx;
        cparams.n_ubatch = std::min<uint32_t>(512, want_ctx);  // node-llama-cpp's default batch size
        cparams.n_seq_max = 1;
        cparams.n_threads = threads;
        cparams.n_threads_batch = threads;
        // Exact: F32 KV and no flash attention (llama.cpp's CPU kernel rounds through F16); otherwise node-llama-cpp's
        // defaults, so both paths give the same numbers.
        cparams.flash_attn_type = exact ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_AUTO;
        cparams.type_k = exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.type_v = exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.no_perf = true;
        llama_context * ctx = create_context(model, cparams, adapters, lora_scales, "probabilities", error);
        if (!ctx) return;
        free_contexts_before_model(free_logits_context);
        context.ctx = ctx;
        context.n_ctx = want_ctx;
        context.exact = exact;
        context.threads = threads;
        context.adapters = adapters;
        context.scales = lora_scales;
    }
    llama_context * ctx = context.ctx;
    if (context.threads != threads) {
        llama_set_n_threads(ctx, threads, threads);
        context.threads = threads;
    }
    if (reset) {
        llama_memory_clear(llama_get_memory(ctx), true);
        context.n_past = 0;
    }
    if (keep >= 0) {
        if (keep > context.n_past) {
            error = "cannot keep " + std::to_string(keep) + " positions: the probabilities context holds " + std::to_string(context.n_past);
            return;
        }
        // The context is made with llama.cpp's default swa_full, so sliding-window layers still hold every cell to go back to.
        if (!llama_memory_seq_rm(llama_get_memory(ctx), 0, keep, -1)) {
            free_logits_context();
            error = "llama.cpp could not remove positions " + std::to_string(keep) + " onwards from the probabilities context";
            return;
        }
        context.n_past = keep;
    }
    const int start = context.n_past;
    if (start + T > static_cast<int>(want_ctx)) {
        error = "the sequence (" + std::to_string(start + T) + " tokens) does not fit the context (" + std::to_string(want_ctx) + ")";
        return;
    }
    llama_batch batch = llama_batch_init(T, 0, 1);
    for (int i = 0; i < T; ++i) {
        batch.token[i] = tokens[i];
        batch.pos[i] = start + i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = !last_only || i + 1 == T;
    }
    batch.n_tokens = T;
    const int rc = llama_decode(ctx, batch);
    llama_batch_free(batch);
    if (rc != 0) {
        free_logits_context();
        error = "llama_decode failed with code " + std::to_string(rc);
        return;
    }
    context.n_past = start + T;

    vocabulary_size = n_vocab;
    const int k = std::max(0, std::min(top_k, n_vocab));
    top_k = k;
    const int rows = last_only ? 1 : T;
    log_normalizer.assign(rows, 0);
    entropy.assign(rows, 0);
    target.assign(rows, NAN);
    top_ids.assign(static_cast<size_t>(rows) * k, 0);
    top_logprobs.assign(static_cast<size_t>(rows) * k, 0);
    std::vector<int32_t> order;
    for (int row = 0; row < rows; ++row) {
        const int i = last_only ? T - 1 : row;
        const float * logits = llama_get_logits_ith(ctx, i);
        if (!logits) {
            error = "llama.cpp returned no logits for position " + std::to_string(start + i);
            return;
        }
        row_statistics(logits, n_vocab, k, log_normalizer[row], entropy[row], top_ids.data() + static_cast<size_t>(row) * k,
            top_logprobs.data() + static_cast<size_t>(row) * k, order);
        if (i + 1 < T) target[row] = static_cast<double>(logits[tokens[i + 1]]) - log_normalizer[row];
        if (i + 1 == T) last_logits.assign(logits, logits + n_vocab);
    }
    if (generate) generate_after(ctx, n_vocab, order);
}

napi_status LogitsJob::result(napi_env env, napi_value * out) {
    napi_value value;
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "logNormalizer", napi_float64_array, log_normalizer.data(), log_normalizer.size(), sizeof(double)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "entropy", napi_float64_array, entropy.data(), entropy.size(), sizeof(double)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "target", napi_float64_array, target.data(), target.size(), sizeof(double)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "topIds", napi_int32_array, top_ids.data(), top_ids.size(), sizeof(int32_t)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "topLogprobs", napi_float64_array, top_logprobs.data(), top_logprobs.size(), sizeof(double)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "lastLogits", napi_float32_array, last_logits.data(), last_logits.size(), sizeof(float)));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, top_k, &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "topK", value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, vocabulary_size, &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "vocabularySize", value));
    if (generate) {
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "generated", napi_int32_array, generated.data(), generated.size(), sizeof(int32_t)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "generatedLogprobs", napi_float64_array, generated_logprobs.data(), generated_logprobs.size(), sizeof(double)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "sampledCounts", napi_int32_array, sampled_counts.data(), sampled_counts.size(), sizeof(int32_t)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "sampledIds", napi_int32_array, sampled_ids.data(), sampled_ids.size(), sizeof(int32_t)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "sampledProbs", napi_float64_array, sampled_probs.data(), sampled_probs.size(), sizeof(double)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_get_boolean(env, end_of_generation, &value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "endOfGeneration", value));
    }
    return napi_ok;
}

// The optional `generation` argument of logits(): { steps, budgetMs, temperature, topK, topP, minP, repeatPenalty,
// repeatLastTokens, biasTokens, biasValues, draws, forced, stopTokens, history }; the error message, or nullptr.
const char * get_generation_args(napi_env env, napi_value object, LogitsJob & w) {
    const auto number = [&](const char * name, double & out) {
        napi_value value;
        return napi_get_named_property(env, object, name, &value) == napi_ok && napi_get_value_double(env, value, &out) == napi_ok;
    };
    const auto numbers = [&](const char * name, auto & out) {
        napi_value value;
        if (napi_get_named_property(env, object, name, &value) != napi_ok) return false;
        if constexpr (std::is_same_v<std::decay_t<decltype(out)>, std::vector<double>>) return get_number_array(env, value, out);
        else return get_int32_array(env, value, out);
    };
    double steps = 0, top_k = 0, repeat_last = 0;
    if (!number("steps", steps) || !number("budgetMs", w.budget_ms) || !number("temperature", w.sampler.temperature)
        || !number("topK", top_k) || !number("topP", w.sampler.top_p) || !number("minP", w.sampler.min_p)
        || !number("repeatPenalty", w.sampler.repeat_penalty) || !number("repeatLastTokens", repeat_last)) {
        return "generation needs numbers steps, budgetMs, temperature, topK, topP, minP, repeatPenalty and repeatLastTokens";
    }
    std::vector<int32_t> bias_tokens;
    std::vector<double> bias_values;
    if (!numbers("biasTokens", bias_tokens) || !numbers("biasValues", bias_values) || bias_tokens.size() != bias_values.size()
        || !numbers("draws", w.draws) || !numbers("forced", w.forced) || !numbers("stopTokens", w.stop_tokens) || !numbers("history", w.history)) {
        return "generation needs arrays biasTokens and biasValues (as long), draws, forced, stopTokens and history";
    }
    w.generate = true;
    w.steps = std::max(0, static_cast<int>(steps));
    w.sampler.top_k = static_cast<int32_t>(top_k);
    w.repeat_last = std::max(0, static_cast<int>(repeat_last));
    for (size_t i = 0; i < bias_tokens.size(); ++i) w.sampler.bias.emplace_back(bias_tokens[i], bias_values[i]);
    return nullptr;
}

}  // namespace

napi_value logits(napi_env env, napi_callback_info info) {
    size_t argc = 12;
    napi_value argv[12];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 10) return throw_type_error(env, "logits expects 10 arguments");
    std::unique_ptr<LogitsJob> w(new LogitsJob());
    std::vector<double> numbers;
    double threads = 1, n_ctx = 0, top_k = 0;
    if (!get_string(env, argv[0], w->model_path)) return throw_type_error(env, "modelPath must be a string");
    if (!get_string(env, argv[1], w->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_number_array(env, argv[2], numbers)) return throw_type_error(env, "tokens must be an array of numbers");
    for (double t : numbers) w->tokens.push_back(static_cast<llama_token>(t));
    if (w->tokens.empty()) return throw_type_error(env, "tokens must not be empty");
    napi_valuetype from_type = napi_undefined;
    napi_typeof(env, argv[3], &from_type);
    if (from_type == napi_number) {
        double keep = -1;
        napi_get_value_double(env, argv[3], &keep);
        if (!(keep >= 0) || keep != static_cast<int>(keep)) return throw_type_error(env, "from must be a position (an integer ≥ 0) or a boolean");
        w->keep = static_cast<int>(keep);
        w->reset = w->keep == 0;
    } else if (napi_get_value_bool(env, argv[3], &w->reset) != napi_ok) {
        return throw_type_error(env, "from must be a boolean (reset) or a position to keep");
    }
    if (napi_get_value_double(env, argv[4], &threads) != napi_ok) return throw_type_error(env, "threads must be a number");
    if (napi_get_value_double(env, argv[5], &n_ctx) != napi_ok) return throw_type_error(env, "nCtx must be a number");
    if (napi_get_value_bool(env, argv[6], &w->exact) != napi_ok) return throw_type_error(env, "exact must be a boolean");
    if (napi_get_value_double(env, argv[7], &top_k) != napi_ok) return throw_type_error(env, "topK must be a number");
    w->threads = std::max(1, static_cast<int>(threads));
    w->n_ctx = std::max(1, static_cast<int>(n_ctx));
    w->top_k = std::max(0, static_cast<int>(top_k));
    if (const char * error = get_lora_args(env, argv[8], argv[9], *w)) return throw_type_error(env, error);
    napi_valuetype type = napi_undefined;
    if (argc > 10) napi_typeof(env, argv[10], &type);
    if (type == napi_object) {
        if (const char * error = get_generation_args(env, argv[10], *w)) return throw_type_error(env, error);
    }
    if (argc > 11 && napi_get_value_bool(env, argv[11], &w->last_only) != napi_ok) return throw_type_error(env, "lastOnly must be a boolean");
    return queue_model_job(env, w.release());
}

}  // namespace promptscope
