// llama.cpp's own quantizer, llama_model_quantize, as `llama-quantize` runs it, on a libuv worker thread so that the
// runtime host stays responsive (it does not use the model copy, so it does not wait behind the copy's jobs).
//
// llama_model_quantize has neither a progress callback nor a way to stop. It logs one line per tensor before
// converting it ("[  12/ 291] blk.1.attn_k.weight - …"), so while it runs, llama.cpp's log callback is ours: on the
// quantizing thread that line advances the progress counters, and when cancellation was asked for, the callback throws
// there, which llama_model_quantize catches as the failure of the whole call (it returns 1 and its writer is closed);
// the caller deletes the partial file. Every other line, and every line of other threads (node-llama-cpp's own work
// goes on meanwhile), goes to the callback that was installed before, except this thread's informational lines, which
// would flood node-llama-cpp's log. Error lines of this thread are kept: they are llama.cpp's reason for a failure.
#include "modelQuantize.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "llama.h"
#include "modelCopy.h"
#include "napiArgs.h"

namespace promptscope {

namespace {

std::atomic<int> g_tensors_done{0};
std::atomic<int> g_tensors_total{0};
std::atomic<bool> g_cancel{false};
std::atomic<bool> g_running{false};

ggml_log_callback g_previous_log = nullptr;
void * g_previous_log_data = nullptr;

thread_local bool t_quantizing = false;
thread_local bool t_cancelled = false;
thread_local std::string t_errors;

struct QuantizationCancelled : std::runtime_error {
    QuantizationCancelled() : std::runtime_error("cancelled") {}
};

void on_log(ggml_log_level level, const char * text, void * user_data) {
    if (!t_quantizing) {
        if (g_previous_log) g_previous_log(level, text, g_previous_log_data);
        return;
    }
    int done = 0, total = 0;
    if (level == GGML_LOG_LEVEL_INFO && std::sscanf(text, " [%d/%d]", &done, &total) == 2) {
        if (g_cancel.load() && !t_cancelled) {
            t_cancelled = true;
            throw QuantizationCancelled();
        }
        g_tensors_done.store(done - 1);
        g_tensors_total.store(total);
        return;
    }
    if (level == GGML_LOG_LEVEL_ERROR) t_errors += text;
    if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN) {
        if (g_previous_log) g_previous_log(level, text, g_previous_log_data);
    }
    (void) user_data;
}

struct QuantizeJob : ModelJob {
    std::string input, output;
    int ftype = 0;
    bool allow_requantize = false;
    int tensors = 0;

    bool locks_model_copy() const override { return false; }

    void run() override {
        if (!ensure_cpu_backend(bins_dir, error)) return;
        llama_model_quantize_params params = llama_model_quantize_default_params();
        params.nthread = threads;
        params.ftype = static_cast<llama_ftype>(ftype);
        params.allow_requantize = allow_requantize;
        g_tensors_done.store(0);
        g_tensors_total.store(0);
        t_quantizing = true;
        t_cancelled = false;
        t_errors.clear();
        llama_log_get(&g_previous_log, &g_previous_log_data);
        llama_log_set(on_log, nullptr);
        uint32_t failed = 1;
        try {
            failed = llama_model_quantize(input.c_str(), output.c_str(), &params);
        } catch (...) {
            // Nothing of llama.cpp's should get here (it catches std::exception); kept so the log callback is restored.
        }
        llama_log_set(g_previous_log, g_previous_log_data);
        t_quantizing = false;
        if (t_cancelled) {
            error = "cancelled";
        } else if (failed != 0) {
            // llama.cpp's line reads "llama_model_quantize: failed to quantize: <reason>\n".
            std::string reason = t_errors;
            while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
            error = reason.empty() ? "llama.cpp could not quantize the model (no reason given)" : reason;
        } else {
            tensors = g_tensors_total.load();
            g_tensors_done.store(tensors);
        }
        g_cancel.store(false);
        g_running.store(false);
    }

    napi_status result(napi_env env, napi_value * out) override {
        napi_value value;
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_object(env, out));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_create_int32(env, tensors, &value));
        PROMPTSCOPE_NAPI_RETURN_IF_FAILED(napi_set_named_property(env, *out, "tensors", value));
        return napi_ok;
    }
};

}  // namespace

napi_value quantize(napi_env env, napi_callback_info info) {
    size_t argc = 6;
    napi_value argv[6];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 6) return throw_type_error(env, "quantize expects binsDir, input, output, ftype, threads, allowRequantize");
    std::unique_ptr<QuantizeJob> job(new QuantizeJob());
    double ftype = 0, threads = 1;
    if (!get_string(env, argv[0], job->bins_dir)) return throw_type_error(env, "binsDir must be a string");
    if (!get_string(env, argv[1], job->input)) return throw_type_error(env, "input must be a string");
    if (!get_string(env, argv[2], job->output)) return throw_type_error(env, "output must be a string");
    if (napi_get_value_double(env, argv[3], &ftype) != napi_ok || ftype < 0 || ftype != std::floor(ftype)) {
        return throw_type_error(env, "ftype must be a llama_ftype value");
    }
    if (napi_get_value_double(env, argv[4], &threads) != napi_ok) return throw_type_error(env, "threads must be a number");
    if (napi_get_value_bool(env, argv[5], &job->allow_requantize) != napi_ok) return throw_type_error(env, "allowRequantize must be a boolean");
    if (g_running.exchange(true)) return throw_type_error(env, "a quantization is already running");
    job->ftype = static_cast<int>(ftype);
    job->threads = std::max(1, static_cast<int>(threads));
    g_cancel.store(false);
    return queue_model_job(env, job.release());
}

napi_value quantize_progress(napi_env env, napi_callback_info) {
    napi_value out, value;
    napi_create_object(env, &out);
    napi_create_int32(env, g_tensors_done.load(), &value);
    napi_set_named_property(env, out, "done", value);
    napi_create_int32(env, g_tensors_total.load(), &value);
    napi_set_named_property(env, out, "total", value);
    return out;
}

napi_value quantize_cancel(napi_env env, napi_callback_info) {
    if (g_running.load()) g_cancel.store(true);
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
}

}  // namespace promptscope
