// See modelComparison.cc: two models' raw next-token distributions over the same tokens, compared position by position.
#pragma once

#include <node_api.h>

namespace promptscope {

// compareModels(binsDir, basePath, otherPath, tokens, threads, exact) -> Promise<{kl, baseTop, otherTop, baseTarget,
//   otherTarget, baseEntropy, otherEntropy, vocabularySize}>: per position of `tokens`, KL(base ‖ other) of the raw
//   distributions in nats, each model's most likely token, each model's log-probability of the next token (NaN at the
//   last position) and each distribution's entropy; when the vocabularies differ, {vocabularyMismatch} names the first difference
//   (and the arrays are empty).
napi_value compare_models(napi_env env, napi_callback_info info);

}  // namespace promptscope
