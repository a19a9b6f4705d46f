// See logitsPass.cc: the token-probabilities pass, reduced to per-position statistics in the addon.
#pragma once

#include <node_api.h>

namespace promptscope {

// logits(modelPath, binsDir, tokens: number[], from: boolean | number (true: from position 0; false: after what the
//        context holds; a number: after its first `from` positions, the rest removed), threads, nCtx, exact: boolean, topK, loraPaths: string[],
//        loraScales: number[], generation?) -> Promise<{logNormalizer, entropy, target: Float64Array (per evaluated token),
//        topIds: Int32Array, topLogprobs: Float64Array (per evaluated token × topK), lastLogits: Float32Array (vocabulary, of
//        the last of `tokens`), topK, vocabularySize}>; with `generation` (see get_generation_args in logitsPass.cc) also {generated,
//        generatedLogprobs, sampledCounts, sampledIds, sampledProbs, endOfGeneration} and rows for the generated tokens
//        that were evaluated (all but the last). With `lastOnly` (a 12th argument, after `generation` or undefined), only
//        the last of `tokens` gets logits: every per-token array has one row, its own.
napi_value logits(napi_env env, napi_callback_info info);

}  // namespace promptscope
