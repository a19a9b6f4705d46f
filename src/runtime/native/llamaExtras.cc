// Promptscope's native addon, "llama extras": what Promptscope needs from llama.cpp that node-llama-cpp does not expose.
// A small N-API addon (plain node_api.h, no node-addon-api) linked against the SAME llama.cpp shared libraries
// node-llama-cpp loads (@node-llama-cpp/<platform>/bins/<platform>: libllama.v*.so, libggml.v*.so, libggml-base.so),
// compiled with the headers of the exact llama.cpp tag node-llama-cpp ships (llama/gitRelease.bundle); built by
// scripts/build-native.mjs into build/native/llamaExtras.node and loaded, in the runtime host process only, by
// src/runtime/host/engine/llamaExtrasAddon.ts. This file only registers its functions; one file per capability:
//
//   attentionCapture.cc  capture()   softmax weights of every head, on the addon's own model copy (modelCopy.cc)
//   logitsPass.cc        logits()    the token-probabilities pass reduced to per-position statistics, on the model copy,
//                                    optionally generating on with logitSampler.cc (sampleFromLogits.ts in C++)
//   modelCopy.cc         release()   that model copy and the worker running its jobs one at a time
//   contextHook.cc       unifyMultiSequenceKv(), trackContexts(), contextSerial(), contextsSince(): node-llama-cpp's own
//                                    contexts seen from inside (one KV stream for multi-sequence ones; their llama_context)
//   generationLoop.cc    generate()  the token loop on a node-llama-cpp context, with node-llama-cpp's sampler chain
//   multiSequenceLoop.cc generateMany()  the same loop over many sequences of one context, one batch per step
//   sequenceStep.cc      decodeStep(), copySequence(), removeSequence(): one step over chosen sequences; fork and prune
//   beamSearchLoop.cc    beamSearch()  beam search (and diverse beam search) on k sequences, the whole search in the addon
//   nodeLlamaSampler.cc              node-llama-cpp's sampler chain and `confidence`, shared by the loops
//   decodeSupport.cc                 the loops' clock and decode failure messages
//   modelTraining.cc     trainerOpen(), trainerRun(), trainerProgress(), trainerSave(), trainerClose(): full fine-tuning
//                                    through llama_opt_* (the trained fixtures)
//   modelQuantize.cc     quantize(), quantizeProgress(), quantizeCancel(): llama_model_quantize with progress and a way to stop
//   modelComparison.cc   compareModels(): KL divergence, top-1 agreement and log-probabilities of two models, position by position
//   cpuBackend.cc        loadCpuBackend()  a CPU backend built for this CPU, registered before node-llama-cpp's own
//   napiArgs.cc                      reading arguments and writing typed arrays, shared by the others
//
// Which sampler serves which path, and the tests that prove they agree: README.md, "Samplers: which one serves which path".
#include <node_api.h>

#include "attentionCapture.h"
#include "beamSearchLoop.h"
#include "contextHook.h"
#include "cpuBackend.h"
#include "generationLoop.h"
#include "multiSequenceLoop.h"
#include "sequenceStep.h"
#include "logitsPass.h"
#include "modelCopy.h"
#include "modelComparison.h"
#include "modelQuantize.h"
#include "modelTraining.h"

namespace {

napi_value init(napi_env env, napi_value exports) {
    napi_property_descriptor props[] = {
        { "capture", nullptr, promptscope::capture, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "logits", nullptr, promptscope::logits, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "release", nullptr, promptscope::release, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "unifyMultiSequenceKv", nullptr, promptscope::unify_multi_sequence_kv, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trackContexts", nullptr, promptscope::track_contexts, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "contextSerial", nullptr, promptscope::context_serial, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "contextsSince", nullptr, promptscope::contexts_since, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "generate", nullptr, promptscope::generate, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "generateMany", nullptr, promptscope::generate_many, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "decodeStep", nullptr, promptscope::decode_step, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "copySequence", nullptr, promptscope::copy_sequence, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "beamSearch", nullptr, promptscope::beam_search, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "removeSequence", nullptr, promptscope::remove_sequence, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trainerOpen", nullptr, promptscope::trainer_open, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trainerRun", nullptr, promptscope::trainer_run, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trainerProgress", nullptr, promptscope::trainer_progress, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trainerSave", nullptr, promptscope::trainer_save, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "trainerClose", nullptr, promptscope::trainer_close, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "quantize", nullptr, promptscope::quantize, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "quantizeProgress", nullptr, promptscope::quantize_progress, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "quantizeCancel", nullptr, promptscope::quantize_cancel, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "compareModels", nullptr, promptscope::compare_models, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "loadCpuBackend", nullptr, promptscope::load_cpu_backend, nullptr, nullptr, nullptr, napi_default, nullptr },
    };
    napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
    return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
