// Attention capture: node-llama-cpp exposes no attention weights, so this evaluates the tokens on the addon's own copy of
// the model (modelCopy.cc) in a context of its own with flash attention DISABLED, an F32 KV cache and a cb_eval callback
// that copies each `kq_soft_max-<layer>` node (ggml ne = [n_kv, n_tokens, n_head, n_stream]) into out[layer][head] as
// packed lower triangles (query q's row: keys 0..q, nothing after); micro-batches are stitched by counting the rows each
// layer has received so far. The context is kept between captures (its KV memory cleared before each) and created again
// only when the model, the LoRA adapters or the micro-batch size change or the prompt does not fit its n_ctx (a multiple
// of 256).
#include "attentionCapture.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ggml.h"
#include "ggml-backend.h"
#include "llama.h"
#include "modelCopy.h"
#include "napiArgs.h"

namespace promptscope {

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

// The attention context on the model copy, kept between captures; its cb_eval user data is `state`, set up anew per capture.
struct AttentionContext {
    llama_context * ctx = nullptr;
    uint32_t n_ctx = 0, n_ubatch = 0;
    int n_threads = 0;
    std::vector<llama_adapter_lora *> adapters;
    std::vector<float> scales;
    CaptureState state;
};

AttentionContext g_context;  // used only by jobs on the model copy, one at a time

void free_attention_context() {
    if (g_context.ctx) llama_free(g_context.ctx);
    g_context.ctx = nullptr;
    g_context.n_ctx = g_context.n_ubatch = 0;
    g_context.n_threads = 0;
    g_context.adapters.clear();
    g_context.scales.clear();
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

struct CaptureJob : ModelJob {
    std::vector<int> layers;       // empty = all
    int ubatch = 0;
    int n_layer = 0, n_head = 0, n_head_kv = 0;
    std::vector<int> out_layers;
    MappedFloats attention;

    void run() override;
    napi_status result(napi_env env, napi_value * out) override;
};

void CaptureJob::run() {
    std::vector<llama_adapter_lora *> adapters;
    llama_model * model = prepare_model(*this, adapters);
    if (!model) return;
    const int T = static_cast<int>(tokens.size());
    n_layer = llama_model_n_layer(model);
    n_head = llama_model_n_head(model);
    n_head_kv = llama_model_n_head_kv(model);

    CaptureState & state = g_context.state;
    state = CaptureState();
    state.n_layer = n_layer;
    state.n_head = n_head;
    state.n_tokens = T;
    state.slot.assign(n_layer, -1);
    state.filled.assign(n_layer, 0);
    if (layers.empty()) {
        for (int l = 0; l < n_layer; ++l) out_layers.push_back(l);
    } else {
        for (int l : layers) {
            if (l < 0 || l >= n_layer) {
                error = "layer " + std::to_string(l) + " does not exist (the model has layers 0-" + std::to_string(n_layer - 1) + ")";
                return;
            }
            if (state.slot[l] < 0) out_layers.push_back(l);
            state.slot[l] = 0;
        }
    }
    for (size_t i = 0; i < out_layers.size(); ++i) state.slot[out_layers[i]] = static_cast<int>(i);
    if (!attention.allocate(out_layers.size() * static_cast<size_t>(n_head) * (static_cast<size_t>(T) * (T + 1) / 2))) {
        error = "could not allocate memory for the attention weights";
        return;
    }
    state.out = attention.data;

    // The context is reused: created again only for other adapters, another micro-batch size or a longer prompt.
    const uint32_t n_ctx = static_cast<uint32_t>((T + 255) / 256 * 256);
    AttentionContext & context = g_context;
    const uint32_t want_ctx = context.ctx && static_cast<uint32_t>(T) <= context.n_ctx ? context.n_ctx : n_ctx;
    const uint32_t want_ubatch = ubatch > 0 ? std::min<uint32_t>(static_cast<uint32_t>(ubatch), want_ctx) : want_ctx;
    if (context.ctx && (context.n_ctx != want_ctx || context.n_ubatch != want_ubatch
            || context.adapters != adapters || context.scales != lora_scales)) {
        free_attention_context();
    }
    if (!context.ctx) {
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = want_ctx;
        cparams.n_batch = want_ctx;
        cparams.n_ubatch = want_ubatch;
        cparams.n_seq_max = 1;
        cparams.n_threads = threads;
        cparams.n_threads_batch = threads;
        cparams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;  // with it on there is no kq_soft_max node
        // Sliding-window layers (gemma2/3) keep a full-size KV cache too: the capture reads cell k as position k, and a
        // reduced SWA cache reuses the cells of tokens that left the window. llama.cpp's default, stated on purpose.
        cparams.swa_full = true;
        cparams.type_k = GGML_TYPE_F32;
        cparams.type_v = GGML_TYPE_F32;
        cparams.cb_eval = eval_callback;
        cparams.cb_eval_user_data = &context.state;
        cparams.no_perf = true;
        llama_context * ctx = create_context(model, cparams, adapters, lora_scales, "attention", error);
        if (!ctx) return;
        free_contexts_before_model(free_attention_context);
        context.ctx = ctx;
        context.n_ctx = want_ctx;
        context.n_ubatch = want_ubatch;
        context.n_threads = threads;
        context.adapters = adapters;
        context.scales = lora_scales;
    }
    llama_context * ctx = context.ctx;
    if (context.n_threads != threads) {  // llama_set_n_threads logs a line: only on a change
        llama_set_n_threads(ctx, threads, threads);
        context.n_threads = threads;
    }
    // One sequence from position 0 in cells 0..T-1 (the leak check below verifies the order).
    llama_memory_clear(llama_get_memory(ctx), true);
    const int rc = llama_decode(ctx, llama_batch_get_one(tokens.data(), T));
    state.out = nullptr;
    if (rc != 0) {
        free_attention_context();
        error = "llama_decode failed with code " + std::to_string(rc);
        return;
    }
    if (!state.error.empty()) {
        error = state.error;
        return;
    }
    for (int l : out_layers) {
        if (state.filled[l] != T) {
            error = "captured " + std::to_string(state.filled[l]) + " of " + std::to_string(T) + " attention rows of layer "
                + std::to_string(l) + ": llama.cpp's graph for this architecture has no kq_soft_max node on that layer"
                + " (its attention is computed in a form with no softmax weights to read; flash attention is off here)";
            return;
        }
    }
    if (state.leak > 1e-6) {
        error = "attention weight " + std::to_string(state.leak) + " on a key after its query: KV cells are not in position order";
    }
}

napi_status CaptureJob::result(napi_env env, napi_value * out) {
    napi_value value, buffer = nullptr, array, layer_list;
    const size_t n = attention.count;
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
    if (n > 0) {
        auto * owner = new MappingOwner{ attention.base, attention.bytes };
        if (napi_create_external_arraybuffer(env, attention.data, n * sizeof(float), finalize_mapping, owner, &buffer) == napi_ok) {
            attention.base = nullptr;  // JavaScript owns the mapping now
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
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_arraybuffer(env, n * sizeof(float), &bytes, &buffer));
        if (n > 0) std::memcpy(bytes, attention.data, n * sizeof(float));
    }
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_typedarray(env, napi_float32_array, n, buffer, 0, &array));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "attention", array));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_array_with_length(env, out_layers.size(), &layer_list));
    for (size_t i = 0; i < out_layers.size(); ++i) {
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, out_layers[i], &value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_element(env, layer_list, static_cast<uint32_t>(i), value));
    }
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "layers", layer_list));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, n_layer, &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "modelLayers", value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, n_head, &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "heads", value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, n_head_kv, &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "kvHeads", value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, static_cast<int32_t>(tokens.size()), &value));
    PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "tokens", value));
    return napi_ok;
}

}  // namespace

napi_value capture(napi_env env, napi_callback_info info) {
    size_t argc = 8;
    napi_value argv[8];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 8) return throw_type_error(env, "capture expects 8 arguments");
    std::unique_ptr<CaptureJob> w(new CaptureJob());
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
    return queue_model_job(env, w.release());
}

}  // namespace promptscope
