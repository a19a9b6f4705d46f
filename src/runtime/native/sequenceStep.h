// See sequenceStep.cc: one decode step over chosen sequences of a node-llama-cpp context, and forking/pruning them.
#pragma once

#include <node_api.h>

namespace promptscope {

napi_value decode_step(napi_env env, napi_callback_info info);
napi_value copy_sequence(napi_env env, napi_callback_info info);
napi_value remove_sequence(napi_env env, napi_callback_info info);

}  // namespace promptscope
