// Full fine-tuning of a model through llama.cpp's training API (llama_opt_init / llama_opt_epoch, ggml-opt), as
// examples/training/finetune.cpp of the same tag does it, for the trained fixtures: a model the project writes and then
// teaches a synthetic task. One trainer per process: its own model load (not mmapped: the weights are written to), a
// context whose size is the training window, F32 KV (the backward pass has no F16 OUT_PROD) and no flash attention
// (FLASH_ATTN_EXT has no backward pass).
//
// llama_opt_epoch runs a whole dataset without a way to stop, so JavaScript hands it chunks of windows: between chunks it
// reports progress, honours cancellation, changes the learning rate and writes checkpoints. The optimizer state (AdamW
// moments) lives in the context and carries over from chunk to chunk. Progress inside a chunk is read from atomics the
// epoch callback writes (the callback has no user data).
//
// ggml-opt of this tag never clears a parameter's gradient accumulator when the graph is rebuilt at every step, as
// llama.cpp's training graphs are (ggml_opt_alloc resets it only for static graphs or opt_period > 1; later llama.cpp
// zeroes it explicitly): each optimizer step would see the sum of every gradient since training began, so a model learns
// what all its early batches agree on (a fixed format) and never the per-example routing a task needs (copying an
// operand). The scheduler's eval callback runs after each optimizer-step node, and clears that step's gradient there.
//
// llama.cpp sets the model's n_ctx_train to the window size when training starts, and llama_model_save_to_file writes
// that and its own reading of the vocabulary: the saved file is an intermediate, whose tensors JavaScript puts back
// together with the base model's metadata (src/core/training/composeTrainedModel.ts).
#include "modelTraining.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "ggml-opt.h"
#include "llama.h"
#include "modelCopy.h"
#include "napiArgs.h"

namespace promptscope {

namespace {

struct Trainer {
    llama_model * model = nullptr;
    llama_context * ctx = nullptr;
    int window = 0;
    int64_t parameters = 0;
};

std::unique_ptr<Trainer> g_trainer;  // touched only by jobs, which run one at a time (modelCopy.cc's worker lock)

// Read by the optimizer at every step (ggml-opt calls get_opt_pars with this as user data); set before each chunk.
ggml_opt_optimizer_params g_optimizer = ggml_opt_get_default_optimizer_params(nullptr);

std::atomic<int64_t> g_batches_done{0};
std::atomic<int64_t> g_batches_total{0};

ggml_opt_optimizer_params optimizer_params(void * userdata) {
    return *static_cast<ggml_opt_optimizer_params *>(userdata);
}

void on_batch(bool, ggml_opt_context_t, ggml_opt_dataset_t, ggml_opt_result_t, int64_t ibatch, int64_t ibatch_max, int64_t) {
    g_batches_done.store(ibatch);
    g_batches_total.store(ibatch_max);
}

// Asks to stop after every AdamW/SGD step node; once it has run, zeroes its gradient (a view of the accumulator).
bool clear_gradient_after_step(ggml_tensor * t, bool ask, void *) {
    if (t->op != GGML_OP_OPT_STEP_ADAMW && t->op != GGML_OP_OPT_STEP_SGD) return false;
    if (!ask) ggml_backend_tensor_memset(t->src[1], 0, 0, ggml_nbytes(t->src[1]));
    return true;
}

// llama.cpp hands the context's eval callback to its scheduler only when it builds a decoding graph, never for a
// training step: one decoded token installs it before training starts.
bool install_eval_callback(llama_context * ctx, const llama_vocab * vocab) {
    llama_token token = llama_vocab_bos(vocab);
    if (token < 0) token = 0;
    llama_batch batch = llama_batch_get_one(&token, 1);
    const bool ok = llama_decode(ctx, batch) == 0;
    llama_memory_clear(llama_get_memory(ctx), true);
    return ok;
}

void free_trainer() {
    if (!g_trainer) return;
    if (g_trainer->ctx) llama_free(g_trainer->ctx);
    if (g_trainer->model) llama_model_free(g_trainer->model);
    g_trainer.reset();
}

struct OpenJob : ModelJob {
    int window = 0;
    std::string optimizer;
    int64_t parameters = 0;
    int vocabulary = 0;

    void run() override {
        free_trainer();
        if (!ensure_cpu_backend(bins_dir, error)) return;
        llama_model_params mparams = llama_model_default_params();
        mparams.n_gpu_layers = 0;
        mparams.load_mode = LLAMA_LOAD_MODE_NONE;  // not mmapped: the weights are trained in place
        llama_model * model = llama_model_load_from_file(model_path.c_str(), mparams);
        if (!model) {
            error = "llama.cpp could not load " + model_path + " for training";
            return;
        }
        llama_context_params cparams = llama_context_default_params();
        cparams.n_ctx = window;
        cparams.n_batch = window;
        cparams.n_ubatch = window;
        cparams.n_seq_max = 1;
        cparams.n_threads = threads;
        cparams.n_threads_batch = threads;
        cparams.type_k = GGML_TYPE_F32;
        cparams.type_v = GGML_TYPE_F32;
        cparams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
        cparams.no_perf = true;
        cparams.cb_eval = clear_gradient_after_step;
        cparams.cb_eval_user_data = nullptr;
        llama_context * ctx = llama_init_from_model(model, cparams);
        if (!ctx) {
            llama_model_free(model);
            error = "llama.cpp could not create a training context of " + std::to_string(window) + " tokens";
            return;
        }
        if (static_cast<int>(llama_n_ctx(ctx)) != window) {
            // llama.cpp rounds a context up (to 256 tokens in this tag); a training window must be one whole context.
            error = "a training window of " + std::to_string(window) + " tokens is not a context size llama.cpp keeps (it made "
                + std::to_string(llama_n_ctx(ctx)) + "): use a multiple of 256";
            llama_free(ctx);
            llama_model_free(model);
            return;
        }
        if (!install_eval_callback(ctx, llama_model_get_vocab(model))) {
            error = "llama.cpp could not decode a token with " + model_path + " before training";
            llama_free(ctx);
            llama_model_free(model);
            return;
        }
        llama_opt_params params{};
        params.n_ctx_train = 0;
        params.param_filter = llama_opt_param_filter_all;
        params.param_filter_ud = nullptr;
        params.get_opt_pars = optimizer_params;
        params.get_opt_pars_ud = &g_optimizer;
        params.optimizer_type = optimizer == "sgd" ? GGML_OPT_OPTIMIZER_TYPE_SGD : GGML_OPT_OPTIMIZER_TYPE_ADAMW;
        llama_opt_init(ctx, model, params);
        g_trainer.reset(new Trainer());
        g_trainer->model = model;
        g_trainer->ctx = ctx;
        g_trainer->window = window;
        parameters = static_cast<int64_t>(llama_model_n_params(model));
        g_trainer->parameters = parameters;
        vocabulary = llama_vocab_n_tokens(llama_model_get_vocab(model));
    }

    napi_status result(napi_env env, napi_value * out) override {
        napi_value value;
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_double(env, static_cast<double>(parameters), &value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "parameters", value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, vocabulary, &value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "vocabularySize", value));
        return napi_ok;
    }
};

struct RunJob : ModelJob {
    std::vector<int32_t> windows;  // count × (window + 1): tokens, each window's labels are its tokens shifted by one
    bool train = true;
    double learning_rate = 0, weight_decay = 0;
    double loss = NAN, loss_uncertainty = NAN, accuracy = NAN, accuracy_uncertainty = NAN;
    int64_t count = 0;

    void run() override {
        if (!g_trainer) {
            error = "no model is open for training";
            return;
        }
        const int window = g_trainer->window;
        if (windows.empty() || windows.size() % (window + 1) != 0) {
            error = "the windows are not a whole number of " + std::to_string(window + 1) + " tokens";
            return;
        }
        const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(g_trainer->model));
        for (int32_t token : windows) {
            if (token < 0 || token >= n_vocab) {
                error = "token " + std::to_string(token) + " is outside the vocabulary (" + std::to_string(n_vocab) + ")";
                return;
            }
        }
        count = static_cast<int64_t>(windows.size() / (window + 1));
        ggml_opt_dataset_t dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, window, window, count, 1);
        auto * data = static_cast<int32_t *>(ggml_opt_dataset_data(dataset)->data);
        auto * labels = static_cast<int32_t *>(ggml_opt_dataset_labels(dataset)->data);
        for (int64_t i = 0; i < count; ++i) {
            const int32_t * source = windows.data() + i * (window + 1);
            std::memcpy(data + i * window, source, window * sizeof(int32_t));
            std::memcpy(labels + i * window, source + 1, window * sizeof(int32_t));
        }
        g_optimizer = ggml_opt_get_default_optimizer_params(nullptr);
        g_optimizer.adamw.alpha = g_optimizer.sgd.alpha = static_cast<float>(learning_rate);
        g_optimizer.adamw.wd = g_optimizer.sgd.wd = static_cast<float>(weight_decay);
        g_batches_done.store(0);
        g_batches_total.store(count);
        ggml_opt_result_t result_train = ggml_opt_result_init();
        ggml_opt_result_t result_eval = ggml_opt_result_init();
        llama_opt_epoch(g_trainer->ctx, dataset, result_train, result_eval, train ? count : 0, on_batch, on_batch);
        ggml_opt_result_t result = train ? result_train : result_eval;
        ggml_opt_result_loss(result, &loss, &loss_uncertainty);
        ggml_opt_result_accuracy(result, &accuracy, &accuracy_uncertainty);
        ggml_opt_result_free(result_train);
        ggml_opt_result_free(result_eval);
        ggml_opt_dataset_free(dataset);
    }

    napi_status result(napi_env env, napi_value * out) override {
        napi_value value;
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
        const std::pair<const char *, double> fields[] = {
            {"loss", loss}, {"lossUncertainty", loss_uncertainty}, {"accuracy", accuracy},
            {"accuracyUncertainty", accuracy_uncertainty}, {"windows", static_cast<double>(count)},
        };
        for (const auto & [name, number] : fields) {
            PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_double(env, number, &value));
            PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, name, value));
        }
        return napi_ok;
    }
};

struct SaveJob : ModelJob {
    std::string path;
    void run() override {
        if (!g_trainer) {
            error = "no model is open for training";
            return;
        }
        llama_model_save_to_file(g_trainer->model, path.c_str());
    }
    napi_status result(napi_env env, napi_value * out) override { return napi_get_undefined(env, out); }
};

struct CloseJob : ModelJob {
    void run() override { free_trainer(); }
    napi_status result(napi_env env, napi_value * out) override { return napi_get_undefined(env, out); }
};

}  // namespace

napi_value trainer_open(napi_env env, napi_callback_info info) {
    size_t argc = 5;
    napi_value argv[5];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 5) return throw_type_error(env, "trainerOpen expects binsDir, modelPath, window, threads, optimizer");
    std::unique_ptr<OpenJob> job(new OpenJob());
    double window = 0, threads = 1;
    if (!get_string(env, argv[0], job->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_string(env, argv[1], job->model_path)) return throw_type_error(env, "modelPath must be a string");
    if (napi_get_value_double(env, argv[2], &window) != napi_ok || !(window >= 8) || window != std::floor(window)) {
        return throw_type_error(env, "window must be an integer ≥ 8");
    }
    if (napi_get_value_double(env, argv[3], &threads) != napi_ok) return throw_type_error(env, "threads must be a number");
    if (!get_string(env, argv[4], job->optimizer) || (job->optimizer != "adamw" && job->optimizer != "sgd")) {
        return throw_type_error(env, "optimizer must be \"adamw\" or \"sgd\"");
    }
    job->window = static_cast<int>(window);
    job->threads = std::max(1, static_cast<int>(threads));
    return queue_model_job(env, job.release());
}

napi_value trainer_run(napi_env env, napi_callback_info info) {
    size_t argc = 4;
    napi_value argv[4];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 4) return throw_type_error(env, "trainerRun expects windows, train, learningRate, weightDecay");
    std::unique_ptr<RunJob> job(new RunJob());
    bool typed = false;
    napi_is_typedarray(env, argv[0], &typed);
    napi_typedarray_type type;
    size_t length = 0;
    void * data = nullptr;
    if (!typed || napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
        return throw_type_error(env, "windows must be an Int32Array");
    }
    job->windows.assign(static_cast<int32_t *>(data), static_cast<int32_t *>(data) + length);
    if (napi_get_value_bool(env, argv[1], &job->train) != napi_ok) return throw_type_error(env, "train must be a boolean");
    if (napi_get_value_double(env, argv[2], &job->learning_rate) != napi_ok || !(job->learning_rate >= 0)) {
        return throw_type_error(env, "learningRate must be a number ≥ 0");
    }
    if (napi_get_value_double(env, argv[3], &job->weight_decay) != napi_ok || !(job->weight_decay >= 0)) {
        return throw_type_error(env, "weightDecay must be a number ≥ 0");
    }
    return queue_model_job(env, job.release());
}

napi_value trainer_progress(napi_env env, napi_callback_info) {
    napi_value out, value;
    napi_create_object(env, &out);
    napi_create_double(env, static_cast<double>(g_batches_done.load()), &value);
    napi_set_named_property(env, out, "done", value);
    napi_create_double(env, static_cast<double>(g_batches_total.load()), &value);
    napi_set_named_property(env, out, "total", value);
    return out;
}

napi_value trainer_save(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    std::unique_ptr<SaveJob> job(new SaveJob());
    if (argc < 1 || !get_string(env, argv[0], job->path)) return throw_type_error(env, "trainerSave expects a path");
    return queue_model_job(env, job.release());
}

napi_value trainer_close(napi_env env, napi_callback_info) {
    return queue_model_job(env, new CloseJob());
}

}  // namespace promptscope
