// See beamSearchLoop.cc: beam search (diverse too) on k sequences of a node-llama-cpp context, the whole search in the addon.
#pragma once

#include <node_api.h>

namespace promptscope {

napi_value beam_search(napi_env env, napi_callback_info info);

}  // namespace promptscope
