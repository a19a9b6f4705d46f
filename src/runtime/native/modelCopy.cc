// The addon's own copy of the model, for what node-llama-cpp's contexts cannot give: attention capture (a context with
// flash attention off and an eval callback, attentionCapture.cc) and the token-statistics pass (logitsPass.cc). It is a
// second, CPU-only, mmapped load of the model file (the pages are shared with node-llama-cpp's copy), made by the
// llama.cpp libraries this addon links, which are node-llama-cpp's prebuilt ones: the process loads each library once.
// Jobs on it run on a libuv worker thread (napi async work), one at a time under one lock; each capability keeps its
// own contexts on the copy between jobs and frees them before the copy is (free_contexts_before_model).
//
// It never calls llama_log_set: the logger is process-wide and belongs to node-llama-cpp; this addon's llama.cpp
// messages (model load) go to node-llama-cpp's logger like its own.
#include "modelCopy.h"

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <mutex>

#include "ggml-backend.h"
#include "napiArgs.h"

namespace promptscope {

namespace {

struct ModelCopy {
    std::string path;
    llama_model * model = nullptr;
    std::map<std::string, llama_adapter_lora *> adapters;
};

std::mutex g_mutex;  // one job (or release) at a time
std::unique_ptr<ModelCopy> g_copy;
std::vector<void (*)()> g_context_owners;
bool g_backend_ready = false;

void free_model_copy() {
    if (!g_copy) return;
    for (auto free_contexts : g_context_owners) free_contexts();
    for (auto & entry : g_copy->adapters) llama_adapter_lora_free(entry.second);
    if (g_copy->model) llama_model_free(g_copy->model);
    g_copy.reset();
}

void ensure_backend(const std::string & bins_dir) {
    // Jobs that do not lock the model copy (a quantization) may get here beside one that does.
    static std::mutex backend_mutex;
    std::lock_guard<std::mutex> lock(backend_mutex);
    if (g_backend_ready) return;
    // node-llama-cpp has normally registered the backends already (same libggml in this process): loading them
    // again would register every device twice.
    if (ggml_backend_reg_by_name("CPU") == nullptr) {
        ggml_backend_load_all_from_path(bins_dir.empty() ? nullptr : bins_dir.c_str());
    }
    llama_backend_init();
    g_backend_ready = true;
}

void execute(napi_env, void * data) {
    auto * job = static_cast<ModelJob *>(data);
    std::unique_lock<std::mutex> lock(g_mutex, std::defer_lock);
    if (job->locks_model_copy()) lock.lock();
    try {
        job->run();
    } catch (const std::exception & e) {
        job->error = e.what();
    } catch (...) {
        job->error = "unknown C++ exception";
    }
}

void reject(napi_env env, napi_deferred deferred, const char * text) {
    napi_value message, error;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, nullptr, message, &error);
    napi_reject_deferred(env, deferred, error);
}

void complete(napi_env env, napi_status status, void * data) {
    std::unique_ptr<ModelJob> job(static_cast<ModelJob *>(data));
    if (status != napi_ok && job->error.empty()) job->error = "the addon's job was cancelled";
    napi_value result = nullptr;
    if (!job->error.empty()) reject(env, job->deferred, job->error.c_str());
    else if (job->result(env, &result) == napi_ok) napi_resolve_deferred(env, job->deferred, result);
    else reject(env, job->deferred, "could not build the addon's result");
    napi_delete_async_work(env, job->work);
}

struct ReleaseJob : ModelJob {
    void run() override { free_model_copy(); }
    napi_status result(napi_env env, napi_value * out) override { return napi_get_undefined(env, out); }
};

}  // namespace

bool ensure_cpu_backend(const std::string & bins_dir, std::string & error) {
    ensure_backend(bins_dir);
    if (ggml_backend_reg_by_name("CPU") != nullptr) return true;
    error = "no llama.cpp CPU backend could be loaded from " + bins_dir;
    return false;
}

llama_model * prepare_model(ModelJob & job, std::vector<llama_adapter_lora *> & adapters) {
    if (!ensure_cpu_backend(job.bins_dir, job.error)) return nullptr;
    if (!g_copy || g_copy->path != job.model_path) {
        free_model_copy();
        llama_model_params mparams = llama_model_default_params();
        mparams.n_gpu_layers = 0;
        llama_model * model = llama_model_load_from_file(job.model_path.c_str(), mparams);
        if (!model) {
            job.error = "llama.cpp could not load " + job.model_path;
            return nullptr;
        }
        g_copy.reset(new ModelCopy());
        g_copy->path = job.model_path;
        g_copy->model = model;
    }
    llama_model * model = g_copy->model;
    for (const auto & path : job.lora_paths) {
        auto found = g_copy->adapters.find(path);
        if (found == g_copy->adapters.end()) {
            llama_adapter_lora * adapter = llama_adapter_lora_init(model, path.c_str());
            if (!adapter) {
                job.error = "llama.cpp could not load the LoRA adapter " + path;
                return nullptr;
            }
            found = g_copy->adapters.emplace(path, adapter).first;
        }
        adapters.push_back(found->second);
    }

    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    for (llama_token token : job.tokens) {
        if (token < 0 || token >= n_vocab) {
            job.error = "token " + std::to_string(token) + " is not a token id of this model (0-" + std::to_string(n_vocab - 1) + ")";
            return nullptr;
        }
    }
    return model;
}

llama_context * create_context(llama_model * model, const llama_context_params & params, const std::vector<llama_adapter_lora *> & adapters,
        const std::vector<float> & scales, const char * what, std::string & error) {
    llama_context * ctx = llama_init_from_model(model, params);
    if (!ctx) {
        error = std::string("llama.cpp could not create the ") + what + " context";
        return nullptr;
    }
    if (!adapters.empty() && llama_set_adapters_lora(ctx, const_cast<llama_adapter_lora **>(adapters.data()), adapters.size(),
            const_cast<float *>(scales.data())) != 0) {
        llama_free(ctx);
        error = "llama.cpp could not apply the LoRA adapters";
        return nullptr;
    }
    return ctx;
}

void free_contexts_before_model(void (*free_contexts)()) {
    if (std::find(g_context_owners.begin(), g_context_owners.end(), free_contexts) == g_context_owners.end()) {
        g_context_owners.push_back(free_contexts);
    }
}

const char * get_lora_args(napi_env env, napi_value paths, napi_value scales, ModelJob & job) {
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
        job.lora_paths.push_back(path);
    }
    std::vector<double> values;
    if (!get_number_array(env, scales, values) || values.size() != job.lora_paths.size()) {
        return "loraScales must be an array of numbers, one per adapter";
    }
    for (double v : values) job.lora_scales.push_back(static_cast<float>(v));
    return nullptr;
}

napi_value queue_model_job(napi_env env, ModelJob * job) {
    napi_value promise, name;
    napi_create_promise(env, &job->deferred, &promise);
    napi_create_string_utf8(env, "promptscope.llamaExtras", NAPI_AUTO_LENGTH, &name);
    napi_create_async_work(env, nullptr, name, execute, complete, job, &job->work);
    napi_queue_async_work(env, job->work);
    return promise;
}

napi_value release(napi_env env, napi_callback_info) {
    return queue_model_job(env, new ReleaseJob());
}

}  // namespace promptscope
