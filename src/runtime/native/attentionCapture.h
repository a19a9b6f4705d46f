// See attentionCapture.cc: the softmax weights of every attention head, which node-llama-cpp does not expose.
#pragma once

#include <node_api.h>

namespace promptscope {

// capture(modelPath, binsDir, tokens: number[], layers: number[] (empty = all), threads, ubatch (0 = all tokens),
//         loraPaths: string[], loraScales: number[]) -> Promise<{attention: Float32Array, layers, modelLayers, heads, kvHeads, tokens}>
napi_value capture(napi_env env, napi_callback_info info);

}  // namespace promptscope
