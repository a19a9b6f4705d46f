// Registers a ggml CPU backend library built for this CPU (src/runtime/build/buildCpuBackend.ts) in the ggml backend
// registry this addon shares with node-llama-cpp (the one libggml.v*.so of @node-llama-cpp/<platform>/bins). Called
// before node-llama-cpp creates its Llama: its Llama then finds a CPU backend registered and loads none of the
// prebuilt libggml-cpu-<variant>.so files, so every computation in the process (node-llama-cpp's contexts and this
// addon's) runs on the one CPU backend, with the one libllama and libggml-base, as before.
//
// ggml itself refuses a library whose ggml_backend_score is 0 (the CPU lacks an instruction set it was built for) or
// whose backend API version differs from this libggml's (built from another llama.cpp tag): then this returns why,
// nothing is registered, and node-llama-cpp loads its prebuilt variant as usual.
#include "cpuBackend.h"

#include <string>

#include "ggml-backend.h"
#include "napiArgs.h"

namespace promptscope {

napi_value load_cpu_backend(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    std::string path;
    napi_value result;
    if (argc < 1 || !get_string(env, argv[0], path) || path.empty()) {
        napi_throw_type_error(env, nullptr, "loadCpuBackend(path): path must be a non-empty string");
        return nullptr;
    }
    std::string why;
    if (ggml_backend_reg_by_name("CPU") != nullptr) {
        why = "a CPU backend is already registered in this process (node-llama-cpp loaded one first)";
    } else if (ggml_backend_load(path.c_str()) == nullptr) {
        why = "ggml could not load " + path
            + " (not a ggml backend of this llama.cpp version, built for instructions this CPU lacks, or a library it"
              " needs such as libgomp is missing)";
    } else if (ggml_backend_reg_by_name("CPU") == nullptr) {
        why = path + " loaded, but it is not a CPU backend";
    }
    if (why.empty()) napi_get_null(env, &result);
    else napi_create_string_utf8(env, why.c_str(), why.size(), &result);
    return result;
}

}  // namespace promptscope
