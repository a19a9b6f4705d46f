// See contextHook.cc: node-llama-cpp's contexts, seen from inside its native addon.
#pragma once

#include <node_api.h>

#include <cstdint>

#include "llama.h"

namespace promptscope {

// The llama.cpp functions of the library node-llama-cpp's addon links (see contextHook.cc for why not ours).
struct LinkedLlama {
    decltype(&llama_decode) decode = nullptr;
    decltype(&llama_batch_init) batch_init = nullptr;
    decltype(&llama_batch_free) batch_free = nullptr;
    decltype(&llama_get_logits_ith) get_logits_ith = nullptr;
    decltype(&llama_get_model) get_model = nullptr;
    decltype(&llama_get_memory) get_memory = nullptr;
    decltype(&llama_memory_seq_rm) memory_seq_rm = nullptr;
    decltype(&llama_memory_seq_cp) memory_seq_cp = nullptr;
    decltype(&llama_n_batch) n_batch = nullptr;
    decltype(&llama_model_get_vocab) model_get_vocab = nullptr;
    decltype(&llama_vocab_n_tokens) vocab_n_tokens = nullptr;
    decltype(&llama_vocab_is_eog) vocab_is_eog = nullptr;
    decltype(&llama_token_to_piece) token_to_piece = nullptr;
    decltype(&llama_sampler_chain_default_params) sampler_chain_default_params = nullptr;
    decltype(&llama_sampler_chain_init) sampler_chain_init = nullptr;
    decltype(&llama_sampler_chain_add) sampler_chain_add = nullptr;
    decltype(&llama_sampler_init_greedy) sampler_init_greedy = nullptr;
    decltype(&llama_sampler_init_dist) sampler_init_dist = nullptr;
    decltype(&llama_sampler_init_top_k) sampler_init_top_k = nullptr;
    decltype(&llama_sampler_init_top_p) sampler_init_top_p = nullptr;
    decltype(&llama_sampler_init_min_p) sampler_init_min_p = nullptr;
    decltype(&llama_sampler_init_temp) sampler_init_temp = nullptr;
    decltype(&llama_sampler_init_penalties) sampler_init_penalties = nullptr;
    decltype(&llama_sampler_init_logit_bias) sampler_init_logit_bias = nullptr;
    decltype(&llama_sampler_apply) sampler_apply = nullptr;
    decltype(&llama_sampler_accept) sampler_accept = nullptr;
    decltype(&llama_sampler_free) sampler_free = nullptr;
};

// The linked functions once the hook is installed (trackContexts() succeeded), else nullptr.
const LinkedLlama * linked_llama();

// A context node-llama-cpp created after the hook was installed, and is still alive, by its serial number; else nullptr.
// The caller must keep node-llama-cpp from freeing it while in use (Promptscope leases the context's only sequence).
llama_context * tracked_context(uint32_t id);

// unifyMultiSequenceKv() -> string | null: null once node-llama-cpp's contexts of more than one sequence get one unified
// KV stream (from the next one created); otherwise why not (they keep one stream per sequence).
napi_value unify_multi_sequence_kv(napi_env env, napi_callback_info info);

// trackContexts() -> string | null: null once contexts node-llama-cpp creates are recorded; otherwise why not.
napi_value track_contexts(napi_env env, napi_callback_info info);

// contextSerial() -> number: the serial number of the last context recorded (0: none yet).
napi_value context_serial(napi_env env, napi_callback_info info);

// contextsSince(serial) -> number[]: serial numbers of the live contexts recorded after `serial`.
napi_value contexts_since(napi_env env, napi_callback_info info);

}  // namespace promptscope
