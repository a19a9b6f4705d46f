// See generationLoop.cc: prompt evaluation and token generation on a node-llama-cpp context, without thread hops.
#pragma once

#include <node_api.h>

namespace promptscope {

napi_value generate(napi_env env, napi_callback_info info);

}  // namespace promptscope
