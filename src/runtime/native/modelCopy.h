// See modelCopy.cc: the addon's own CPU copy of the model, which attention capture and the logits pass evaluate on, and
// the worker that runs their jobs one at a time.
#pragma once

#include <node_api.h>

#include <string>
#include <vector>

#include "llama.h"

namespace promptscope {

// One request on the model copy: its inputs, `run` on a libuv worker thread (napi async work) with the copy locked, then
// its promise settled on the JavaScript thread: rejected with `error` when run set one, else resolved with `result`.
struct ModelJob {
    virtual ~ModelJob() = default;

    std::string model_path;
    std::string bins_dir;
    std::vector<llama_token> tokens;
    int threads = 1;
    std::vector<std::string> lora_paths;
    std::vector<float> lora_scales;
    std::string error;

    virtual void run() = 0;
    virtual napi_status result(napi_env env, napi_value * out) = 0;
    // Whether `run` uses the model copy (and so waits for the copy's other jobs). A job that does not runs at once.
    virtual bool locks_model_copy() const { return true; }

    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
};

// Registers llama.cpp's backends from `bins_dir` unless node-llama-cpp did; false with `error` set when no CPU backend is there.
bool ensure_cpu_backend(const std::string & bins_dir, std::string & error);

// The model copy for `job` (loaded on first use or when the file changes), its LoRA adapters appended to `adapters`, and
// job.tokens checked against its vocabulary; nullptr with job.error set otherwise. Called from a job's `run`.
llama_model * prepare_model(ModelJob & job, std::vector<llama_adapter_lora *> & adapters);

// A context on the model copy with `adapters` applied at `scales`; nullptr with `error` set (naming `what`, e.g.
// "attention") when llama.cpp refuses either. A context whose adapters failed is freed, not returned half-made.
llama_context * create_context(llama_model * model, const llama_context_params & params, const std::vector<llama_adapter_lora *> & adapters,
        const std::vector<float> & scales, const char * what, std::string & error);

// Has `free_contexts` (which frees the contexts a capability made on the model copy) called before the copy is freed:
// when another model file is asked for, and on release(). Registering the same function again changes nothing.
void free_contexts_before_model(void (*free_contexts)());

// loraPaths: string[], loraScales: number[] (one per adapter) into `job`; the error message, or nullptr.
const char * get_lora_args(napi_env env, napi_value paths, napi_value scales, ModelJob & job);

// Queues `job` (taking ownership) behind the model copy's other jobs; returns the promise it settles.
napi_value queue_model_job(napi_env env, ModelJob * job);

// release() -> Promise<void>: frees the addon's copy of the model (after any job in progress).
napi_value release(napi_env env, napi_callback_info info);

}  // namespace promptscope
