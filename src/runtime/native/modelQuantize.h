// See modelQuantize.cc: llama.cpp's own quantizer (llama_model_quantize) with progress and cancellation.
#pragma once

#include <node_api.h>

namespace promptscope {

// quantize(binsDir, input, output, ftype, threads, allowRequantize) -> Promise<{tensors}>: writes `output` as llama.cpp's
//   llama_model_quantize writes it (ftype: a llama_ftype value); rejects with llama.cpp's reason, or "cancelled".
napi_value quantize(napi_env env, napi_callback_info info);
// quantizeProgress() -> {done, total}: tensors of the running (or last) quantization.
napi_value quantize_progress(napi_env env, napi_callback_info info);
// quantizeCancel(): the running quantization stops before its next tensor.
napi_value quantize_cancel(napi_env env, napi_callback_info info);

}  // namespace promptscope
