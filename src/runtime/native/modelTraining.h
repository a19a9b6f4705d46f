// See modelTraining.cc: full fine-tuning through llama.cpp's training API, for the trained fixtures.
#pragma once

#include <node_api.h>

namespace promptscope {

// trainerOpen(binsDir, modelPath, window, threads, optimizer: "adamw" | "sgd") -> Promise<{parameters, vocabularySize}>:
//   loads the model for training (replacing any open one) with a context of `window` tokens.
napi_value trainer_open(napi_env env, napi_callback_info info);
// trainerRun(windows: Int32Array (count × (window + 1)), train: boolean, learningRate, weightDecay)
//   -> Promise<{loss, lossUncertainty, accuracy, accuracyUncertainty, windows}>: one pass over the windows, an optimizer
//   step per window when `train`, else evaluation only; loss is the mean cross-entropy per token, accuracy the top-1 rate.
napi_value trainer_run(napi_env env, napi_callback_info info);
// trainerProgress() -> {done, total}: windows of the running (or last) trainerRun.
napi_value trainer_progress(napi_env env, napi_callback_info info);
// trainerSave(path) -> Promise<void>: llama_model_save_to_file of the trained weights (an intermediate: see modelTraining.cc).
napi_value trainer_save(napi_env env, napi_callback_info info);
// trainerClose() -> Promise<void>: frees the trainer's model and context.
napi_value trainer_close(napi_env env, napi_callback_info info);

}  // namespace promptscope
