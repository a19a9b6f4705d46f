// See cpuBackend.cc: a CPU backend built for this machine, registered before node-llama-cpp loads its prebuilt one.
#pragma once

#include <node_api.h>

namespace promptscope {

// loadCpuBackend(path: string): null once the library at `path` is ggml's CPU backend in this process, else why not.
napi_value load_cpu_backend(napi_env env, napi_callback_info info);

}  // namespace promptscope
