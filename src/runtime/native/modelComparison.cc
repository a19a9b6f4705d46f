// What quantization (or any other change of weights) does to a prompt's distributions: the base model (the model copy of
// modelCopy.cc, so a probabilities pass on it afterwards finds it loaded) and another model of the same vocabulary (loaded
// for this job only, memory-mapped) evaluate the same tokens; each position's raw distributions are compared in float64:
// KL(base ‖ other) = Σ p_base (log p_base − log p_other), exactly, over the whole vocabulary (llama-perplexity
// --kl-divergence stores the base log-probabilities as 16-bit steps and skips p_base < e^-16; ours is the exact value
// it approximates). The base model's raw logits are kept for every position between the two evaluations, so the tokens
// times the vocabulary are bounded (see maxComparedLogits).
#include "modelComparison.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "llama.h"
#include "modelCopy.h"
#include "napiArgs.h"
#include "rowStatistics.h"

namespace promptscope {

namespace {

// 1 GiB of float logits kept for the base model.
constexpr size_t maxComparedLogits = size_t(1) << 28;

struct ModelDeleter {
    void operator()(llama_model * model) const { llama_model_free(model); }
};
struct ContextDeleter {
    void operator()(llama_context * ctx) const { llama_free(ctx); }
};

struct CompareJob : ModelJob {
    std::string other_path;
    bool exact = true;
    int vocabulary_size = 0;
    std::string vocabulary_mismatch;
    std::vector<double> kl, base_target, other_target, base_entropy, other_entropy;
    std::vector<int32_t> base_top, other_top;

    // Evaluates `tokens` on `model`, handing each position's raw logits to `row(position, logits)`.
    template <typename Row>
    bool evaluate(llama_model * model, const char * which, Row row) {
        const int T = static_cast<int>(tokens.size());
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = T;
        cparams.n_batch = T;
        cparams.n_ubatch = std::min(512, T);
        cparams.n_seq_max = 1;
        cparams.n_threads = threads;
        cparams.n_threads_batch = threads;
        // As the probabilities pass: exact means F32 KV and no flash attention (whose CPU kernel rounds through F16).
        cparams.flash_attn_type = exact ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_AUTO;
        cparams.type_k = exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.type_v = exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.no_perf = true;
        std::unique_ptr<llama_context, ContextDeleter> ctx(llama_init_from_model(model, cparams));
        if (!ctx) {
            error = std::string("llama.cpp could not create a context of ") + std::to_string(T) + " tokens for the " + which + " model";
            return false;
        }
        llama_batch batch = llama_batch_init(T, 0, 1);
        for (int i = 0; i < T; ++i) {
            batch.token[i] = tokens[i];
            batch.pos[i] = i;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = 0;
            batch.logits[i] = true;
        }
        batch.n_tokens = T;
        const int rc = llama_decode(ctx.get(), batch);
        llama_batch_free(batch);
        if (rc != 0) {
            error = std::string("llama_decode failed with code ") + std::to_string(rc) + " on the " + which + " model";
            return false;
        }
        for (int i = 0; i < T; ++i) {
            const float * logits = llama_get_logits_ith(ctx.get(), i);
            if (!logits) {
                error = std::string("llama.cpp returned no logits for position ") + std::to_string(i) + " of the " + which + " model";
                return false;
            }
            row(i, logits);
        }
        return true;
    }

    // The first token whose text differs between the two vocabularies, as a message; empty when they are the same.
    static std::string vocabulary_difference(const llama_vocab * base, const llama_vocab * other) {
        const int n_base = llama_vocab_n_tokens(base), n_other = llama_vocab_n_tokens(other);
        if (n_base != n_other) {
            return "the models have different vocabularies (" + std::to_string(n_base) + " and " + std::to_string(n_other) + " tokens)";
        }
        for (int id = 0; id < n_base; ++id) {
            const char * a = llama_vocab_get_text(base, id);
            const char * b = llama_vocab_get_text(other, id);
            if (std::strcmp(a ? a : "", b ? b : "") != 0) {
                return "the models have different vocabularies (token " + std::to_string(id) + " is \"" + (a ? a : "") + "\" in one and \""
                    + (b ? b : "") + "\" in the other)";
            }
        }
        return "";
    }

    void run() override {
        std::vector<llama_adapter_lora *> adapters;
        llama_model * base = prepare_model(*this, adapters);
        if (!base) return;
        llama_model_params mparams = llama_model_default_params();
        mparams.n_gpu_layers = 0;
        std::unique_ptr<llama_model, ModelDeleter> other(llama_model_load_from_file(other_path.c_str(), mparams));
        if (!other) {
            error = "llama.cpp could not load " + other_path;
            return;
        }
        // Not a rejection: the caller tells this case from llama.cpp's failures by the field, not by a message.
        vocabulary_mismatch = vocabulary_difference(llama_model_get_vocab(base), llama_model_get_vocab(other.get()));
        if (!vocabulary_mismatch.empty()) return;
        const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(base));
        vocabulary_size = n_vocab;
        const int T = static_cast<int>(tokens.size());
        if (static_cast<size_t>(T) * n_vocab > maxComparedLogits) {
            error = "comparing " + std::to_string(T) + " tokens over a vocabulary of " + std::to_string(n_vocab) + " would keep more than "
                + std::to_string(maxComparedLogits >> 20) + "M logits: compare at most " + std::to_string(maxComparedLogits / n_vocab) + " tokens";
            return;
        }
        std::vector<float> base_logits(static_cast<size_t>(T) * n_vocab);
        std::vector<double> base_normalizer(T);
        kl.assign(T, 0);
        base_target.assign(T, NAN);
        other_target.assign(T, NAN);
        base_entropy.assign(T, 0);
        other_entropy.assign(T, 0);
        base_top.assign(T, 0);
        other_top.assign(T, 0);
        const bool base_ok = evaluate(base, "base", [&](int i, const float * logits) {
            std::memcpy(base_logits.data() + static_cast<size_t>(i) * n_vocab, logits, n_vocab * sizeof(float));
            const RowNormalizer row = row_normalizer(logits, n_vocab);
            base_normalizer[i] = row.log_normalizer;
            base_entropy[i] = row.entropy;
            base_top[i] = row_argmax(logits, n_vocab);
            if (i + 1 < T) base_target[i] = static_cast<double>(logits[tokens[i + 1]]) - row.log_normalizer;
        });
        if (!base_ok) return;
        evaluate(other.get(), "other", [&](int i, const float * logits) {
            const RowNormalizer row = row_normalizer(logits, n_vocab);
            other_entropy[i] = row.entropy;
            other_top[i] = row_argmax(logits, n_vocab);
            if (i + 1 < T) other_target[i] = static_cast<double>(logits[tokens[i + 1]]) - row.log_normalizer;
            const float * reference = base_logits.data() + static_cast<size_t>(i) * n_vocab;
            double sum = 0;
            for (int v = 0; v < n_vocab; ++v) {
                const double log_p = static_cast<double>(reference[v]) - base_normalizer[i];
                const double log_q = static_cast<double>(logits[v]) - row.log_normalizer;
                sum += std::exp(log_p) * (log_p - log_q);
            }
            // Rounding can leave a tiny negative sum where the distributions are equal; KL is never below 0.
            kl[i] = std::max(0.0, sum);
        });
    }

    napi_status result(napi_env env, napi_value * out) override {
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
        const std::pair<const char *, const std::vector<double> *> doubles[] = {
            {"kl", &kl}, {"baseTarget", &base_target}, {"otherTarget", &other_target}, {"baseEntropy", &base_entropy},
            {"otherEntropy", &other_entropy},
        };
        for (const auto & [name, values] : doubles) {
            PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, name, napi_float64_array, values->data(), values->size(), sizeof(double)));
        }
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "baseTop", napi_int32_array, base_top.data(), base_top.size(), sizeof(int32_t)));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(set_typed(env, *out, "otherTop", napi_int32_array, other_top.data(), other_top.size(), sizeof(int32_t)));
        napi_value value;
        if (!vocabulary_mismatch.empty()) {
            PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_string_utf8(env, vocabulary_mismatch.c_str(), vocabulary_mismatch.size(), &value));
            PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "vocabularyMismatch", value));
        }
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, vocabulary_size, &value));
        return napi_set_named_property(env, *out, "vocabularySize", value);
    }
};

}  // namespace

napi_value compare_models(napi_env env, napi_callback_info info) {
    size_t argc = 6;
    napi_value argv[6];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 6) return throw_type_error(env, "compareModels expects binsDir, basePath, otherPath, tokens, threads, exact");
    std::unique_ptr<CompareJob> job(new CompareJob());
    double threads = 1;
    if (!get_string(env, argv[0], job->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_string(env, argv[1], job->model_path)) return throw_type_error(env, "basePath must be a string");
    if (!get_string(env, argv[2], job->other_path)) return throw_type_error(env, "otherPath must be a string");
    std::vector<int32_t> tokens;
    if (!get_int32_array(env, argv[3], tokens) || tokens.empty()) return throw_type_error(env, "tokens must be a non-empty array of token ids");
    job->tokens.assign(tokens.begin(), tokens.end());
    if (napi_get_value_double(env, argv[4], &threads) != napi_ok) return throw_type_error(env, "threads must be a number");
    if (napi_get_value_bool(env, argv[5], &job->exact) != napi_ok) return throw_type_error(env, "exact must be a boolean");
    job->threads = std::max(1, static_cast<int>(threads));
    return queue_model_job(env, job.release());
}

}  // namespace promptscope
