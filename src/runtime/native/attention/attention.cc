// Promptscope attention capture: a small N-API addon (plain node_api.h, no node-addon-api) linked against the SAME
// llama.cpp shared libraries node-llama-cpp loads (@node-llama-cpp/<platform>/bins/<platform>: libllama.v*.so,
// libggml.v*.so, libggml-base.so), compiled with the headers of the exact llama.cpp tag node-llama-cpp ships
// (llama/gitRelease.bundle). See scripts/build-native.mjs.
//
// node-llama-cpp exposes no attention weights, so this addon loads its own (second, CPU-only, mmapped) copy of the
// model file and evaluates the tokens in its own context with flash attention DISABLED, an F32 KV cache and a
// cb_eval callback that copies each `kq_soft_max-<layer>` node (ggml ne = [n_kv, n_tokens, n_head, n_stream]) into
// out[layer][head] as packed lower triangles (query q's row: keys 0..q, nothing after); micro-batches are stitched by counting the rows each
// layer has received so far. The evaluation runs on a libuv worker thread (napi async work), one at a time.
// The context is kept between captures (its KV memory cleared before each) and created again only when the model, the
// LoRA adapters or the micro-batch size change or the prompt does not fit its n_ctx (a multiple of 256).
//
// It also serves the token-probabilities pass (`logits`): node-llama-cpp hands logits to JavaScript only as a
// token→logit Map of the whole vocabulary, built element by element on the main thread (~20 ms per position on the
// 100m fixture, against a ~12 ms decode), so the raw statistics of each position (log-normalizer, entropy, top-K, the
// next token's log-probability) are computed here instead, in a second context of the same model copy, and only the
// last position's logits cross over (one Float32Array copy) for sampling.
//
// It never calls llama_log_set: the logger is process-wide and belongs to node-llama-cpp; this addon's llama.cpp
// messages (model load) go to node-llama-cpp's logger like its own.
#include <node_api.h>

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "ggml.h"
#include "ggml-backend.h"
#include "llama.h"
#include "contextHook.h"
#include "generationLoop.h"
#include "logitSampler.h"
#include "napiArgs.h"

namespace {

// The attention result: 12 layers × 12 heads × 256·257/2 floats is 19 MB. In fresh 4 KiB pages its page faults alone cost
// ~45 ms on the 100m fixture's machine, twice (this buffer, then the JavaScript copy): so it is an anonymous mapping
// with transparent huge pages asked for (zero-filled by the kernel), handed to JavaScript without a copy where the
// runtime allows external buffers (Node; Electron's memory cage does not, and gets a copy).
struct MappedFloats {
    void * base = nullptr;
    size_t bytes = 0;
    float * data = nullptr;
    size_t count = 0;

    MappedFloats() = default;
    MappedFloats(const MappedFloats &) = delete;
    MappedFloats & operator=(const MappedFloats &) = delete;
    ~MappedFloats() { release(); }

    bool allocate(size_t n) {
        release();
        count = n;
        if (n == 0) return true;
        const size_t huge = size_t(2) << 20;
        bytes = (n * sizeof(float) + huge - 1) / huge * huge + huge;  // room to start on a 2 MiB boundary
        base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) {
            base = nullptr;
            bytes = 0;
            count = 0;
            return false;
        }
        const uintptr_t aligned = (reinterpret_cast<uintptr_t>(base) + huge - 1) / huge * huge;
#ifdef MADV_HUGEPAGE
        madvise(reinterpret_cast<void *>(aligned), bytes - (aligned - reinterpret_cast<uintptr_t>(base)), MADV_HUGEPAGE);
#endif
        data = reinterpret_cast<float *>(aligned);
        return true;
    }

    void release() {
        if (base) munmap(base, bytes);
        base = nullptr;
        bytes = 0;
        data = nullptr;
        count = 0;
    }
};

// Ownership of a mapping passed to JavaScript with an external ArrayBuffer: unmapped by its finalizer.
struct MappingOwner {
    void * base;
    size_t bytes;
};

void finalize_mapping(napi_env, void *, void * hint) {
    auto * owner = static_cast<MappingOwner *>(hint);
    munmap(owner->base, owner->bytes);
    delete owner;
}

struct CaptureState {
    int n_layer = 0;
    int n_head = 0;
    int n_tokens = 0;
    std::vector<int> slot;        // layer -> output slot, -1 when not requested
    std::vector<int> filled;      // layer -> query rows received so far
    float * out = nullptr;
    std::vector<uint8_t> scratch;
    std::string error;
    double leak = 0;              // largest weight seen on a key after its query (must be 0)
};

struct Cached {
    std::string path;
    llama_model * model = nullptr;
    std::map<std::string, llama_adapter_lora *> adapters;
    // The attention context, kept between captures; its cb_eval user data is `state`, set up anew per capture.
    llama_context * ctx = nullptr;
    uint32_t n_ctx = 0, n_ubatch = 0;
    int n_threads = 0;
    std::vector<llama_adapter_lora *> ctx_adapters;
    std::vector<float> ctx_scales;
    CaptureState state;
    // The token-probabilities context (no callback), kept between requests; its KV holds the sequence evaluated so far.
    llama_context * logits_ctx = nullptr;
    uint32_t logits_n_ctx = 0;
    bool logits_exact = false;
    int logits_threads = 0;
    int logits_n_past = 0;
    std::vector<llama_adapter_lora *> logits_adapters;
    std::vector<float> logits_scales;
};

std::mutex g_mutex;            // one evaluation (or release) at a time
std::unique_ptr<Cached> g_cached;
bool g_backend_ready = false;

void free_logits_context(Cached & cached) {
    if (cached.logits_ctx) llama_free(cached.logits_ctx);
    cached.logits_ctx = nullptr;
    cached.logits_n_ctx = 0;
    cached.logits_threads = 0;
    cached.logits_n_past = 0;
    cached.logits_adapters.clear();
    cached.logits_scales.clear();
}

void free_context(Cached & cached) {
    if (cached.ctx) llama_free(cached.ctx);
    cached.ctx = nullptr;
    cached.n_ctx = cached.n_ubatch = 0;
    cached.n_threads = 0;
    cached.ctx_adapters.clear();
    cached.ctx_scales.clear();
}

// Layer number of a `kq_soft_max-<layer>` node, or -1.
int softmax_layer(const char * name) {
    static const char prefix[] = "kq_soft_max-";
    if (std::strncmp(name, prefix, sizeof(prefix) - 1) != 0) return -1;
    const char * p = name + sizeof(prefix) - 1;
    if (*p == '\0') return -1;
    int layer = 0;
    for (; *p; ++p) {
        if (*p < '0' || *p > '9') return -1;
        layer = layer * 10 + (*p - '0');
        if (layer > 1000000) return -1;
    }
    return layer;
}

bool eval_callback(ggml_tensor * t, bool ask, void * user_data) {
    auto * s = static_cast<CaptureState *>(user_data);
    const int layer = softmax_layer(t->name);
    const bool wanted = layer >= 0 && layer < s->n_layer && s->slot[layer] >= 0;
    if (ask) return wanted;
    if (!wanted || !s->error.empty()) return true;
    if (t->type != GGML_TYPE_F32) {
        s->error = std::string("unexpected type ") + ggml_type_name(t->type) + " of " + t->name;
        return true;
    }
    const int64_t n_kv = t->ne[0], n_q = t->ne[1], n_head = t->ne[2], n_stream = t->ne[3];
    if (n_head != s->n_head || n_stream != 1) {
        s->error = std::string("unexpected shape of ") + t->name + " (heads " + std::to_string(n_head) + ", streams " + std::to_string(n_stream) + ")";
        return true;
    }
    const int first = s->filled[layer];
    if (first + n_q > s->n_tokens) {
        s->error = std::string("more query rows than tokens in ") + t->name;
        return true;
    }
    const uint8_t * data;
    if (t->buffer == nullptr || ggml_backend_buffer_is_host(t->buffer)) {
        data = static_cast<const uint8_t *>(t->data);
    } else {
        s->scratch.resize(ggml_nbytes(t));
        ggml_backend_tensor_get(t, s->scratch.data(), 0, ggml_nbytes(t));
        data = s->scratch.data();
    }
    const int T = s->n_tokens;
    const size_t triangle = static_cast<size_t>(T) * (T + 1) / 2;
    float * out = s->out + static_cast<size_t>(s->slot[layer]) * s->n_head * triangle;
    for (int64_t h = 0; h < n_head; ++h) {
        for (int64_t q = 0; q < n_q; ++q) {
            const int query = first + static_cast<int>(q);
            const uint8_t * row = data + h * t->nb[2] + q * t->nb[1];
            float * dst = out + static_cast<size_t>(h) * triangle + static_cast<size_t>(query) * (query + 1) / 2;
            const int64_t keys = std::min<int64_t>(query + 1, n_kv);
            if (t->nb[0] == sizeof(float)) {
                std::memcpy(dst, row, static_cast<size_t>(keys) * sizeof(float));
            } else {
                for (int64_t k = 0; k < keys; ++k) dst[k] = *reinterpret_cast<const float *>(row + k * t->nb[0]);
            }
            // Cells must hold positions in order (fresh context, one sequence): a later key would carry weight.
            // The causal mask is the same for every head, so checking the first head's rows is enough.
            if (h != 0) continue;
            const int64_t end = std::min<int64_t>(n_kv, T);
            for (int64_t k = keys; k < end; ++k) {
                const double v = std::fabs(*reinterpret_cast<const float *>(row + k * t->nb[0]));
                if (v > s->leak) s->leak = v;
            }
        }
    }
    s->filled[layer] = first + static_cast<int>(n_q);
    return true;
}

struct Work {
    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
    bool release = false;
    // inputs
    std::string model_path;
    std::string bins_dir;
    std::vector<llama_token> tokens;
    std::vector<int> layers;       // empty = all
    int threads = 1;
    int ubatch = 0;
    std::vector<std::string> lora_paths;
    std::vector<float> lora_scales;
    // logits work (kind == Kind::Logits)
    bool logits = false;
    bool reset = false;
    bool exact = false;
    int n_ctx = 0;
    int top_k = 0;
    // logits work that goes on generating (see run_generation)
    bool generate = false;
    int steps = 0;
    double budget_ms = 0;
    promptscope::LogitSamplerSettings sampler;
    int repeat_last = 0;
    std::vector<double> draws;
    std::vector<int32_t> forced, stop_tokens, history;
    // outputs
    int n_vocab = 0;
    std::vector<double> log_normalizer, entropy, target, top_logprobs;
    std::vector<int32_t> top_ids;
    std::vector<float> last_logits;
    std::vector<int32_t> generated, sampled_ids, sampled_counts;
    std::vector<double> generated_logprobs, sampled_probs;
    bool end_of_generation = false;
    std::string error;
    int n_layer = 0, n_head = 0, n_head_kv = 0;
    std::vector<int> out_layers;
    MappedFloats attention;
};

void free_cached() {
    if (!g_cached) return;
    free_context(*g_cached);
    free_logits_context(*g_cached);
    for (auto & entry : g_cached->adapters) llama_adapter_lora_free(entry.second);
    if (g_cached->model) llama_model_free(g_cached->model);
    g_cached.reset();
}

void ensure_backend(const std::string & bins_dir) {
    if (g_backend_ready) return;
    // node-llama-cpp has normally registered the backends already (same libggml in this process): loading them
    // again would register every device twice.
    if (ggml_backend_reg_by_name("CPU") == nullptr) {
        ggml_backend_load_all_from_path(bins_dir.empty() ? nullptr : bins_dir.c_str());
    }
    llama_backend_init();
    g_backend_ready = true;
}

// The addon's model copy for `w` (loaded on first use or when the file changes), its adapters, and the tokens checked
// against its vocabulary; false with w->error set otherwise.
bool prepare_model(Work * w, std::vector<llama_adapter_lora *> & adapters) {
    ensure_backend(w->bins_dir);
    if (ggml_backend_reg_by_name("CPU") == nullptr) {
        w->error = "no llama.cpp CPU backend could be loaded from " + w->bins_dir;
        return false;
    }
    if (!g_cached || g_cached->path != w->model_path) {
        free_cached();
        llama_model_params mparams = llama_model_default_params();
        mparams.n_gpu_layers = 0;
        llama_model * model = llama_model_load_from_file(w->model_path.c_str(), mparams);
        if (!model) {
            w->error = "llama.cpp could not load " + w->model_path;
            return false;
        }
        g_cached.reset(new Cached());
        g_cached->path = w->model_path;
        g_cached->model = model;
    }
    llama_model * model = g_cached->model;
    for (const auto & path : w->lora_paths) {
        auto found = g_cached->adapters.find(path);
        if (found == g_cached->adapters.end()) {
            llama_adapter_lora * adapter = llama_adapter_lora_init(model, path.c_str());
            if (!adapter) {
                w->error = "llama.cpp could not load the LoRA adapter " + path;
                return false;
            }
            found = g_cached->adapters.emplace(path, adapter).first;
        }
        adapters.push_back(found->second);
    }

    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    for (llama_token token : w->tokens) {
        if (token < 0 || token >= n_vocab) {
            w->error = "token " + std::to_string(token) + " is not a token id of this model (0-" + std::to_string(n_vocab - 1) + ")";
            return false;
        }
    }
    return true;
}

// Statistics of one position's raw logits, the same as src/core/probabilities/logitStatistics.ts: float64 sums with the
// max subtracted first; top-K most likely first, ties broken by the lower id.
void row_statistics(const float * logits, int n_vocab, int top_k, double & log_normalizer, double & entropy,
        int32_t * top_ids, double * top_logprobs, std::vector<int32_t> & order) {
    float max = -INFINITY;
    for (int i = 0; i < n_vocab; ++i) if (logits[i] > max) max = logits[i];
    double sum = 0, weighted = 0;
    for (int i = 0; i < n_vocab; ++i) {
        const double shifted = static_cast<double>(logits[i]) - max;
        const double e = std::exp(shifted);
        sum += e;
        if (e > 0) weighted += e * shifted;
    }
    const double log_sum = std::log(sum);
    log_normalizer = max + log_sum;
    entropy = std::max(0.0, log_sum - weighted / sum);
    const int k = std::min(top_k, n_vocab);
    if (k <= 0) return;
    order.resize(n_vocab);
    for (int i = 0; i < n_vocab; ++i) order[i] = i;
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [logits](int32_t a, int32_t b) {
        return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
    });
    for (int i = 0; i < k; ++i) {
        top_ids[i] = order[i];
        top_logprobs[i] = static_cast<double>(logits[order[i]]) - log_normalizer;
    }
}

// Goes on from the last evaluated position: samples a token from its raw logits with the user's settings (as the
// JavaScript pass would, draws given), records it with its log-probability and the filtered distribution's first
// top_k entries, evaluates it (its row's statistics join the others), and so on for w->steps tokens or until the
// time budget is spent, an end-of-generation token comes, or (forced tokens aside) a stop token. The last sampled token
// is not evaluated: the next call starts with it. One call does what took a round trip and a vocabulary copy per token.
void run_generation(Work * w, llama_context * ctx, int n_vocab, std::vector<int32_t> & order) {
    const llama_vocab * vocab = llama_model_get_vocab(llama_get_model(ctx));
    const auto started = std::chrono::steady_clock::now();
    std::vector<float> current = w->last_logits;
    std::vector<double> scratch;
    std::vector<int32_t> & all = w->history;
    const int k = w->top_k;
    int row = static_cast<int>(w->log_normalizer.size()) - 1;
    llama_batch batch = llama_batch_init(1, 0, 1);
    for (int step = 0; step < w->steps; ++step) {
        std::vector<int32_t> penalized;
        if (w->repeat_last > 0) penalized.assign(all.end() - std::min<size_t>(all.size(), w->repeat_last), all.end());
        const double draw = step < static_cast<int>(w->draws.size()) ? w->draws[step] : 0;
        const promptscope::SampledChoice choice = promptscope::sample_from_logits(current.data(), n_vocab, w->sampler, penalized, draw, scratch);
        if (!choice.error.empty()) {
            w->error = choice.error;
            break;
        }
        const bool is_forced = step < static_cast<int>(w->forced.size());
        const int32_t token = is_forced ? w->forced[step] : choice.token;
        if (!is_forced && (llama_vocab_is_eog(vocab, token)
                || std::find(w->stop_tokens.begin(), w->stop_tokens.end(), token) != w->stop_tokens.end())) {
            w->end_of_generation = true;
            break;
        }
        if (token < 0 || token >= n_vocab) {
            w->error = "forced token " + std::to_string(token) + " is outside the vocabulary";
            break;
        }
        w->generated.push_back(token);
        w->generated_logprobs.push_back(static_cast<double>(current[token]) - w->log_normalizer[row]);
        const size_t shown = std::min<size_t>(choice.ids.size(), static_cast<size_t>(k));
        w->sampled_counts.push_back(static_cast<int32_t>(shown));
        w->sampled_ids.insert(w->sampled_ids.end(), choice.ids.begin(), choice.ids.begin() + shown);
        w->sampled_probs.insert(w->sampled_probs.end(), choice.probs.begin(), choice.probs.begin() + shown);
        all.push_back(token);
        const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (step + 1 == w->steps || elapsed > w->budget_ms) break;

        Cached & cached = *g_cached;
        if (cached.logits_n_past + 1 > static_cast<int>(cached.logits_n_ctx)) {
            w->error = "the sequence does not fit the context (" + std::to_string(cached.logits_n_ctx) + ")";
            break;
        }
        batch.n_tokens = 1;
        batch.token[0] = token;
        batch.pos[0] = cached.logits_n_past;
        batch.n_seq_id[0] = 1;
        batch.seq_id[0][0] = 0;
        batch.logits[0] = 1;
        const int rc = llama_decode(ctx, batch);
        if (rc != 0) {
            free_logits_context(cached);
            w->error = "llama_decode failed with code " + std::to_string(rc);
            break;
        }
        cached.logits_n_past += 1;
        const float * logits = llama_get_logits_ith(ctx, 0);
        if (!logits) {
            w->error = "llama.cpp returned no logits for position " + std::to_string(cached.logits_n_past - 1);
            break;
        }
        w->log_normalizer.push_back(0);
        w->entropy.push_back(0);
        w->target.push_back(NAN);
        w->top_ids.resize(w->top_ids.size() + k);
        w->top_logprobs.resize(w->top_logprobs.size() + k);
        ++row;
        row_statistics(logits, n_vocab, k, w->log_normalizer[row], w->entropy[row], w->top_ids.data() + static_cast<size_t>(row) * k,
            w->top_logprobs.data() + static_cast<size_t>(row) * k, order);
        current.assign(logits, logits + n_vocab);
    }
    llama_batch_free(batch);
}

// Evaluates w->tokens in the probabilities context (from position 0 when w->reset, else after what it holds) with
// logits at every token, and reduces each position to its statistics; the last position's logits are copied whole.
void run_logits(Work * w) {
    std::vector<llama_adapter_lora *> adapters;
    if (!prepare_model(w, adapters)) return;
    Cached & cached = *g_cached;
    llama_model * model = cached.model;
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    const int T = static_cast<int>(w->tokens.size());
    const uint32_t want_ctx = static_cast<uint32_t>(std::max(w->n_ctx, 1));
    if (cached.logits_ctx && (cached.logits_n_ctx != want_ctx || cached.logits_exact != w->exact
            || cached.logits_adapters != adapters || cached.logits_scales != w->lora_scales)) {
        free_logits_context(cached);
    }
    if (!w->reset && !cached.logits_ctx) {
        w->error = "the probabilities context was released before the generation finished";
        return;
    }
    if (!cached.logits_ctx) {
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = want_ctx;
        cparams.n_batch = want_ctx;
        cparams.n_ubatch = std::min<uint32_t>(512, want_ctx);  // node-llama-cpp's default batch size
        cparams.n_seq_max = 1;
        cparams.n_threads = w->threads;
        cparams.n_threads_batch = w->threads;
        // Exact: F32 KV and no flash attention (llama.cpp's CPU kernel rounds through F16); otherwise node-llama-cpp's
        // defaults, so both paths give the same numbers.
        cparams.flash_attn_type = w->exact ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_AUTO;
        cparams.type_k = w->exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.type_v = w->exact ? GGML_TYPE_F32 : GGML_TYPE_F16;
        cparams.no_perf = true;
        llama_context * ctx = llama_init_from_model(model, cparams);
        if (!ctx) {
            w->error = "llama.cpp could not create the probabilities context";
            return;
        }
        if (!adapters.empty() && llama_set_adapters_lora(ctx, adapters.data(), adapters.size(), w->lora_scales.data()) != 0) {
            llama_free(ctx);
            w->error = "llama.cpp could not apply the LoRA adapters";
            return;
        }
        cached.logits_ctx = ctx;
        cached.logits_n_ctx = want_ctx;
        cached.logits_exact = w->exact;
        cached.logits_threads = w->threads;
        cached.logits_adapters = adapters;
        cached.logits_scales = w->lora_scales;
    }
    llama_context * ctx = cached.logits_ctx;
    if (cached.logits_threads != w->threads) {
        llama_set_n_threads(ctx, w->threads, w->threads);
        cached.logits_threads = w->threads;
    }
    if (w->reset) {
        llama_memory_clear(llama_get_memory(ctx), true);
        cached.logits_n_past = 0;
    }
    const int start = cached.logits_n_past;
    if (start + T > static_cast<int>(want_ctx)) {
        w->error = "the sequence (" + std::to_string(start + T) + " tokens) does not fit the context (" + std::to_string(want_ctx) + ")";
        return;
    }
    llama_batch batch = llama_batch_init(T, 0, 1);
    for (int i = 0; i < T; ++i) {
        batch.token[i] = w->tokens[i];
        batch.pos[i] = start + i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
    }
    batch.n_tokens = T;
    const int rc = llama_decode(ctx, batch);
    llama_batch_free(batch);
    if (rc != 0) {
        free_logits_context(cached);
        w->error = "llama_decode failed with code " + std::to_string(rc);
        return;
    }
    cached.logits_n_past = start + T;

    w->n_vocab = n_vocab;
    const int k = std::max(0, std::min(w->top_k, n_vocab));
    w->top_k = k;
    w->log_normalizer.assign(T, 0);
    w->entropy.assign(T, 0);
    w->target.assign(T, NAN);
    w->top_ids.assign(static_cast<size_t>(T) * k, 0);
    w->top_logprobs.assign(static_cast<size_t>(T) * k, 0);
    std::vector<int32_t> order;
    for (int i = 0; i < T; ++i) {
        const float * logits = llama_get_logits_ith(ctx, i);
        if (!logits) {
            w->error = "llama.cpp returned no logits for position " + std::to_string(start + i);
            return;
        }
        row_statistics(logits, n_vocab, k, w->log_normalizer[i], w->entropy[i], w->top_ids.data() + static_cast<size_t>(i) * k,
            w->top_logprobs.data() + static_cast<size_t>(i) * k, order);
        if (i + 1 < T) w->target[i] = static_cast<double>(logits[w->tokens[i + 1]]) - w->log_normalizer[i];
        if (i + 1 == T) w->last_logits.assign(logits, logits + n_vocab);
    }
    if (w->generate) run_generation(w, ctx, n_vocab, order);
}

void run_capture(Work * w) {
    std::vector<llama_adapter_lora *> adapters;
    if (!prepare_model(w, adapters)) return;
    llama_model * model = g_cached->model;
    const int T = static_cast<int>(w->tokens.size());
    w->n_layer = llama_model_n_layer(model);
    w->n_head = llama_model_n_head(model);
    w->n_head_kv = llama_model_n_head_kv(model);

    CaptureState & state = g_cached->state;
    state = CaptureState();
    state.n_layer = w->n_layer;
    state.n_head = w->n_head;
    state.n_tokens = T;
    state.slot.assign(w->n_layer, -1);
    state.filled.assign(w->n_layer, 0);
    if (w->layers.empty()) {
        for (int l = 0; l < w->n_layer; ++l) w->out_layers.push_back(l);
    } else {
        for (int l : w->layers) {
            if (l < 0 || l >= w->n_layer) {
                w->error = "layer " + std::to_string(l) + " does not exist (the model has layers 0-" + std::to_string(w->n_layer - 1) + ")";
                return;
            }
            if (state.slot[l] < 0) w->out_layers.push_back(l);
            state.slot[l] = 0;
        }
    }
    for (size_t i = 0; i < w->out_layers.size(); ++i) state.slot[w->out_layers[i]] = static_cast<int>(i);
    if (!w->attention.allocate(w->out_layers.size() * static_cast<size_t>(w->n_head) * (static_cast<size_t>(T) * (T + 1) / 2))) {
        w->error = "could not allocate memory for the attention weights";
        return;
    }
    state.out = w->attention.data;

    // The context is reused: created again only for other adapters, another micro-batch size or a longer prompt.
    const uint32_t n_ctx = static_cast<uint32_t>((T + 255) / 256 * 256);
    Cached & cached = *g_cached;
    const uint32_t want_ctx = cached.ctx && static_cast<uint32_t>(T) <= cached.n_ctx ? cached.n_ctx : n_ctx;
    const uint32_t want_ubatch = w->ubatch > 0 ? std::min<uint32_t>(static_cast<uint32_t>(w->ubatch), want_ctx) : want_ctx;
    if (cached.ctx && (cached.n_ctx != want_ctx || cached.n_ubatch != want_ubatch
            || cached.ctx_adapters != adapters || cached.ctx_scales != w->lora_scales)) {
        free_context(cached);
    }
    if (!cached.ctx) {
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = want_ctx;
        cparams.n_batch = want_ctx;
        cparams.n_ubatch = want_ubatch;
        cparams.n_seq_max = 1;
        cparams.n_threads = w->threads;
        cparams.n_threads_batch = w->threads;
        cparams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;  // with it on there is no kq_soft_max node
        cparams.type_k = GGML_TYPE_F32;
        cparams.type_v = GGML_TYPE_F32;
        cparams.cb_eval = eval_callback;
        cparams.cb_eval_user_data = &cached.state;
        cparams.no_perf = true;
        llama_context * ctx = llama_init_from_model(model, cparams);
        if (!ctx) {
            w->error = "llama.cpp could not create the attention context";
            return;
        }
        if (!adapters.empty()) {
            if (llama_set_adapters_lora(ctx, adapters.data(), adapters.size(), w->lora_scales.data()) != 0) {
                llama_free(ctx);
                w->error = "llama.cpp could not apply the LoRA adapters";
                return;
            }
        }
        cached.ctx = ctx;
        cached.n_ctx = want_ctx;
        cached.n_ubatch = want_ubatch;
        cached.n_threads = w->threads;
        cached.ctx_adapters = adapters;
        cached.ctx_scales = w->lora_scales;
    }
    llama_context * ctx = cached.ctx;
    if (cached.n_threads != w->threads) {  // llama_set_n_threads logs a line: only on a change
        llama_set_n_threads(ctx, w->threads, w->threads);
        cached.n_threads = w->threads;
    }
    // One sequence from position 0 in cells 0..T-1 (the leak check below verifies the order).
    llama_memory_clear(llama_get_memory(ctx), true);
    const int rc = llama_decode(ctx, llama_batch_get_one(w->tokens.data(), T));
    state.out = nullptr;
    if (rc != 0) {
        free_context(cached);
        w->error = "llama_decode failed with code " + std::to_string(rc);
        return;
    }
    if (!state.error.empty()) {
        w->error = state.error;
        return;
    }
    for (int l : w->out_layers) {
        if (state.filled[l] != T) {
            w->error = "captured " + std::to_string(state.filled[l]) + " of " + std::to_string(T) + " attention rows of layer "
                + std::to_string(l) + " (no kq_soft_max node: is flash attention on?)";
            return;
        }
    }
    if (state.leak > 1e-6) {
        w->error = "attention weight " + std::to_string(state.leak) + " on a key after its query: KV cells are not in position order";
    }
}

void execute(napi_env, void * data) {
    auto * w = static_cast<Work *>(data);
    std::lock_guard<std::mutex> lock(g_mutex);
    try {
        if (w->release) free_cached();
        else if (w->logits) run_logits(w);
        else run_capture(w);
    } catch (const std::exception & e) {
        w->error = e.what();
    } catch (...) {
        w->error = "unknown C++ exception";
    }
}

#define CHECK(call) do { if ((call) != napi_ok) goto fail; } while (0)

// result[name] = a new typed array holding a copy of `count` elements of `size` bytes at `data`.
napi_status set_typed(napi_env env, napi_value result, const char * name, napi_typedarray_type type, const void * data, size_t count, size_t size) {
    void * bytes = nullptr;
    napi_value buffer, array;
    napi_status status = napi_create_arraybuffer(env, count * size, &bytes, &buffer);
    if (status != napi_ok) return status;
    if (count > 0) std::memcpy(bytes, data, count * size);
    status = napi_create_typedarray(env, type, count, buffer, 0, &array);
    if (status != napi_ok) return status;
    return napi_set_named_property(env, result, name, array);
}

void complete(napi_env env, napi_status status, void * data) {
    std::unique_ptr<Work> w(static_cast<Work *>(data));
    napi_value result = nullptr;
    if (status != napi_ok && w->error.empty()) w->error = "the attention work was cancelled";
    if (!w->error.empty()) {
        napi_value message, error;
        napi_create_string_utf8(env, w->error.c_str(), NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, nullptr, message, &error);
        napi_reject_deferred(env, w->deferred, error);
    } else if (w->release) {
        napi_get_undefined(env, &result);
        napi_resolve_deferred(env, w->deferred, result);
    } else if (w->logits) {
        napi_value value;
        CHECK(napi_create_object(env, &result));
        CHECK(set_typed(env, result, "logNormalizer", napi_float64_array, w->log_normalizer.data(), w->log_normalizer.size(), sizeof(double)));
        CHECK(set_typed(env, result, "entropy", napi_float64_array, w->entropy.data(), w->entropy.size(), sizeof(double)));
        CHECK(set_typed(env, result, "target", napi_float64_array, w->target.data(), w->target.size(), sizeof(double)));
        CHECK(set_typed(env, result, "topIds", napi_int32_array, w->top_ids.data(), w->top_ids.size(), sizeof(int32_t)));
        CHECK(set_typed(env, result, "topLogprobs", napi_float64_array, w->top_logprobs.data(), w->top_logprobs.size(), sizeof(double)));
        CHECK(set_typed(env, result, "lastLogits", napi_float32_array, w->last_logits.data(), w->last_logits.size(), sizeof(float)));
        CHECK(napi_create_int32(env, w->top_k, &value));
        CHECK(napi_set_named_property(env, result, "topK", value));
        CHECK(napi_create_int32(env, w->n_vocab, &value));
        CHECK(napi_set_named_property(env, result, "vocabularySize", value));
        if (w->generate) {
            CHECK(set_typed(env, result, "generated", napi_int32_array, w->generated.data(), w->generated.size(), sizeof(int32_t)));
            CHECK(set_typed(env, result, "generatedLogprobs", napi_float64_array, w->generated_logprobs.data(), w->generated_logprobs.size(), sizeof(double)));
            CHECK(set_typed(env, result, "sampledCounts", napi_int32_array, w->sampled_counts.data(), w->sampled_counts.size(), sizeof(int32_t)));
            CHECK(set_typed(env, result, "sampledIds", napi_int32_array, w->sampled_ids.data(), w->sampled_ids.size(), sizeof(int32_t)));
            CHECK(set_typed(env, result, "sampledProbs", napi_float64_array, w->sampled_probs.data(), w->sampled_probs.size(), sizeof(double)));
            CHECK(napi_get_boolean(env, w->end_of_generation, &value));
            CHECK(napi_set_named_property(env, result, "endOfGeneration", value));
        }
        napi_resolve_deferred(env, w->deferred, result);
    } else {
        napi_value value, buffer = nullptr, array, layers;
        const size_t n = w->attention.count;
        CHECK(napi_create_object(env, &result));
        if (n > 0) {
            auto * owner = new MappingOwner{ w->attention.base, w->attention.bytes };
            if (napi_create_external_arraybuffer(env, w->attention.data, n * sizeof(float), finalize_mapping, owner, &buffer) == napi_ok) {
                w->attention.base = nullptr;  // JavaScript owns the mapping now
            } else {
                delete owner;
                buffer = nullptr;
                // Not allowed here (a V8 memory cage): a copy into JavaScript's own memory.
                bool pending = false;
                napi_is_exception_pending(env, &pending);
                if (pending) {
                    napi_value ignored;
                    napi_get_and_clear_last_exception(env, &ignored);
                }
            }
        }
        if (buffer == nullptr) {
            void * bytes = nullptr;
            CHECK(napi_create_arraybuffer(env, n * sizeof(float), &bytes, &buffer));
            if (n > 0) std::memcpy(bytes, w->attention.data, n * sizeof(float));
        }
        CHECK(napi_create_typedarray(env, napi_float32_array, n, buffer, 0, &array));
        CHECK(napi_set_named_property(env, result, "attention", array));
        CHECK(napi_create_array_with_length(env, w->out_layers.size(), &layers));
        for (size_t i = 0; i < w->out_layers.size(); ++i) {
            CHECK(napi_create_int32(env, w->out_layers[i], &value));
            CHECK(napi_set_element(env, layers, static_cast<uint32_t>(i), value));
        }
        CHECK(napi_set_named_property(env, result, "layers", layers));
        CHECK(napi_create_int32(env, w->n_layer, &value));
        CHECK(napi_set_named_property(env, result, "modelLayers", value));
        CHECK(napi_create_int32(env, w->n_head, &value));
        CHECK(napi_set_named_property(env, result, "heads", value));
        CHECK(napi_create_int32(env, w->n_head_kv, &value));
        CHECK(napi_set_named_property(env, result, "kvHeads", value));
        CHECK(napi_create_int32(env, static_cast<int32_t>(w->tokens.size()), &value));
        CHECK(napi_set_named_property(env, result, "tokens", value));
        napi_resolve_deferred(env, w->deferred, result);
    }
    napi_delete_async_work(env, w->work);
    return;
fail:
    {
        napi_value message, error;
        napi_create_string_utf8(env, "could not build the attention result", NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, nullptr, message, &error);
        napi_reject_deferred(env, w->deferred, error);
        napi_delete_async_work(env, w->work);
    }
}

bool get_string(napi_env env, napi_value v, std::string & out) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return false;
    out.resize(len + 1);
    if (napi_get_value_string_utf8(env, v, &out[0], len + 1, &len) != napi_ok) return false;
    out.resize(len);
    return true;
}

using promptscope::get_int32_array;
using promptscope::get_number_array;
using promptscope::throw_type_error;

napi_value queue(napi_env env, Work * w) {
    napi_value promise, name;
    napi_create_promise(env, &w->deferred, &promise);
    napi_create_string_utf8(env, "promptscope.attention", NAPI_AUTO_LENGTH, &name);
    napi_create_async_work(env, nullptr, name, execute, complete, w, &w->work);
    napi_queue_async_work(env, w->work);
    return promise;
}

// loraPaths: string[], loraScales: number[] (one per adapter) into the work item; the error message, or nullptr.
const char * get_lora_args(napi_env env, napi_value paths, napi_value scales, Work & w) {
    bool is_array = false;
    napi_is_array(env, paths, &is_array);
    if (!is_array) return "loraPaths must be an array of strings";
    uint32_t n = 0;
    napi_get_array_length(env, paths, &n);
    for (uint32_t i = 0; i < n; ++i) {
        napi_value e;
        std::string path;
        napi_get_element(env, paths, i, &e);
        if (!get_string(env, e, path)) return "loraPaths must be an array of strings";
        w.lora_paths.push_back(path);
    }
    std::vector<double> values;
    if (!get_number_array(env, scales, values) || values.size() != w.lora_paths.size()) {
        return "loraScales must be an array of numbers, one per adapter";
    }
    for (double v : values) w.lora_scales.push_back(static_cast<float>(v));
    return nullptr;
}

// The optional `generation` argument of logits(): { steps, budgetMs, temperature, topK, topP, minP, repeatPenalty,
// repeatLastTokens, biasTokens, biasValues, draws, forced, stopTokens, history }; the error message, or nullptr.
const char * get_generation_args(napi_env env, napi_value object, Work & w) {
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

// capture(modelPath, binsDir, tokens: number[], layers: number[] (empty = all), threads, ubatch (0 = all tokens),
//         loraPaths: string[], loraScales: number[]) -> Promise<{attention: Float32Array, layers, modelLayers, heads, kvHeads, tokens}>
napi_value capture(napi_env env, napi_callback_info info) {
    size_t argc = 8;
    napi_value argv[8];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 8) return throw_type_error(env, "capture expects 8 arguments");
    std::unique_ptr<Work> w(new Work());
    std::vector<double> numbers;
    double threads = 1, ubatch = 0;
    if (!get_string(env, argv[0], w->model_path)) return throw_type_error(env, "modelPath must be a string");
    if (!get_string(env, argv[1], w->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_number_array(env, argv[2], numbers)) return throw_type_error(env, "tokens must be an array of numbers");
    for (double t : numbers) w->tokens.push_back(static_cast<llama_token>(t));
    if (w->tokens.empty()) return throw_type_error(env, "tokens must not be empty");
    if (!get_number_array(env, argv[3], numbers)) return throw_type_error(env, "layers must be an array of numbers");
    for (double l : numbers) w->layers.push_back(static_cast<int>(l));
    if (napi_get_value_double(env, argv[4], &threads) != napi_ok) return throw_type_error(env, "threads must be a number");
    if (napi_get_value_double(env, argv[5], &ubatch) != napi_ok) return throw_type_error(env, "ubatch must be a number");
    w->threads = std::max(1, static_cast<int>(threads));
    w->ubatch = std::max(0, static_cast<int>(ubatch));
    if (const char * error = get_lora_args(env, argv[6], argv[7], *w)) return throw_type_error(env, error);
    return queue(env, w.release());
}

// logits(modelPath, binsDir, tokens: number[], reset: boolean, threads, nCtx, exact: boolean, topK, loraPaths: string[],
//        loraScales: number[], generation?) -> Promise<{logNormalizer, entropy, target: Float64Array (per evaluated token),
//        topIds: Int32Array, topLogprobs: Float64Array (per evaluated token × topK), lastLogits: Float32Array (vocabulary, of
//        the last of `tokens`), topK, vocabularySize}>; with `generation` (see get_generation_args) also {generated,
//        generatedLogprobs, sampledCounts, sampledIds, sampledProbs, endOfGeneration} and rows for the generated tokens
//        that were evaluated (all but the last).
napi_value logits(napi_env env, napi_callback_info info) {
    size_t argc = 11;
    napi_value argv[11];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 10) return throw_type_error(env, "logits expects 10 arguments");
    std::unique_ptr<Work> w(new Work());
    w->logits = true;
    std::vector<double> numbers;
    double threads = 1, n_ctx = 0, top_k = 0;
    if (!get_string(env, argv[0], w->model_path)) return throw_type_error(env, "modelPath must be a string");
    if (!get_string(env, argv[1], w->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_number_array(env, argv[2], numbers)) return throw_type_error(env, "tokens must be an array of numbers");
    for (double t : numbers) w->tokens.push_back(static_cast<llama_token>(t));
    if (w->tokens.empty()) return throw_type_error(env, "tokens must not be empty");
    if (napi_get_value_bool(env, argv[3], &w->reset) != napi_ok) return throw_type_error(env, "reset must be a boolean");
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
    return queue(env, w.release());
}

// release() -> Promise<void>: frees the addon's copy of the model (after any capture in progress).
napi_value release(napi_env env, napi_callback_info) {
    Work * w = new Work();
    w->release = true;
    return queue(env, w);
}

napi_value init(napi_env env, napi_value exports) {
    napi_property_descriptor props[] = {
        { "capture", nullptr, capture, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "logits", nullptr, logits, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "release", nullptr, release, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "unifyMultiSequenceKv", nullptr, promptscope::unify_multi_sequence_kv, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trackContexts", nullptr, promptscope::track_contexts, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "contextSerial", nullptr, promptscope::context_serial, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "contextsSince", nullptr, promptscope::contexts_since, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "generate", nullptr, promptscope::generate, nullptr, nullptr, nullptr, napi_default, nullptr },
    };
    napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
    return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
