// See unifiedKv.cc: one KV stream for node-llama-cpp's multi-sequence contexts.
#pragma once

#include <node_api.h>

namespace promptscope {

napi_value unify_multi_sequence_kv(napi_env env, napi_callback_info info);

}  // namespace promptscope
