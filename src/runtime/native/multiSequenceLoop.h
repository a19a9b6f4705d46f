// See multiSequenceLoop.cc: many sequences of a node-llama-cpp context generating together, one batch per step.
#pragma once

#include <node_api.h>

namespace promptscope {

napi_value generate_many(napi_env env, napi_callback_info info);

}  // namespace promptscope
