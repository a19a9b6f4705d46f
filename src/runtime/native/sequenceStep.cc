// The step-level face of the multi-sequence loop (multiSequenceLoop.cc), for callers that decide in JavaScript between
// steps which sequences go on (tree of thoughts branches them; beam search runs its whole loop in beamSearchLoop.cc,
// a return to JavaScript per step being too dear): decodeStep()
// evaluates any set of (sequence, position, token) entries of a node-llama-cpp context as one llama_batch (more only
// past the context's n_batch) and returns, for the entries asked for, the log-softmax of the raw logits reduced to the
// top k tokens; copySequence() forks a sequence (llama_memory_seq_cp: with the unified KV stream of contextHook.cc the
// new sequence shares the cells, no copy) and removeSequence() prunes one (llama_memory_seq_rm).
//
// Like the loops, the decode runs as napi async work on the thread pool (the host's single pool thread is the only one
// evaluating), on node-llama-cpp's own context, used only while JavaScript holds every sequence it names. copySequence and
// removeSequence are metadata operations run at once on the calling thread: call them between steps, never while a
// step or a loop on the same context is in flight. node-llama-cpp's record of its sequences is the caller's to keep.
#include "sequenceStep.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "contextHook.h"
#include "decodeSupport.h"
#include "llama.h"
#include "napiArgs.h"
#include "rowStatistics.h"

namespace promptscope {

namespace {

struct StepJob {
    const LinkedLlama * api = nullptr;
    llama_context * ctx = nullptr;
    std::vector<int32_t> sequences, positions, tokens;
    std::vector<bool> outputs;
    int32_t top_k = 0;

    int32_t k = 0;
    std::vector<int32_t> top_ids;
    std::vector<float> top_logprobs;
    int32_t decode_calls = 0;
    std::string error;

    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
};

// Appends the top `k` tokens of `logits` and their log-softmax values, most likely first (ties: lower id first).
void reduce_row(const float * logits, int32_t n_vocab, int32_t k, std::vector<int32_t> & order, StepJob & job) {
    const size_t first = job.top_ids.size();
    job.top_ids.resize(first + k);
    job.top_logprobs.resize(first + k);
    row_top_logprobs(logits, n_vocab, k, job.top_ids.data() + first, job.top_logprobs.data() + first, order);
}

void execute(napi_env, void * data) {
    StepJob & job = *static_cast<StepJob *>(data);
    const LinkedLlama & api = *job.api;
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(job.ctx)));
    const int32_t n_vocab = api.vocab_n_tokens(api.model_get_vocab(api.get_model(job.ctx)));
    job.k = job.top_k <= 0 ? n_vocab : std::min(job.top_k, n_vocab);
    std::vector<int32_t> order(static_cast<size_t>(n_vocab));
    const int32_t total = static_cast<int32_t>(job.tokens.size());
    llama_batch batch = api.batch_init(std::min(n_batch, total), 0, 1);
    for (int32_t done = 0; done < total;) {
        const int32_t count = std::min(n_batch, total - done);
        batch.n_tokens = count;
        for (int32_t i = 0; i < count; ++i) {
            batch.token[i] = job.tokens[done + i];
            batch.pos[i] = job.positions[done + i];
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = job.sequences[done + i];
            batch.logits[i] = job.outputs[done + i];
        }
        const int32_t code = api.decode(job.ctx, batch);
        ++job.decode_calls;
        if (code != 0) {
            job.error = decode_failure(code);
            break;
        }
        for (int32_t i = 0; i < count; ++i) {
            if (!job.outputs[done + i]) continue;
            const float * logits = api.get_logits_ith(job.ctx, i);
            if (logits == nullptr) {
                job.error = "llama.cpp returned no logits for an entry";
                break;
            }
            reduce_row(logits, n_vocab, job.k, order, job);
        }
        if (!job.error.empty()) break;
        done += count;
    }
    api.batch_free(batch);
}

void complete(napi_env env, napi_status, void * data) {
    std::unique_ptr<StepJob> job(static_cast<StepJob *>(data));
    napi_delete_async_work(env, job->work);
    if (!job->error.empty()) {
        napi_value message, error;
        napi_create_string_utf8(env, job->error.c_str(), NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, nullptr, message, &error);
        napi_reject_deferred(env, job->deferred, error);
        return;
    }
    napi_value result, value;
    napi_create_object(env, &result);
    set_typed(env, result, "topIds", napi_int32_array, job->top_ids.data(), job->top_ids.size(), sizeof(int32_t));
    set_typed(env, result, "topLogprobs", napi_float32_array, job->top_logprobs.data(), job->top_logprobs.size(), sizeof(float));
    napi_create_int32(env, job->k, &value);
    napi_set_named_property(env, result, "k", value);
    napi_create_int32(env, job->decode_calls, &value);
    napi_set_named_property(env, result, "decodeCalls", value);
    napi_resolve_deferred(env, job->deferred, result);
}

llama_context * context_arg(napi_env env, napi_value value) {
    uint32_t id = 0;
    return napi_get_value_uint32(env, value, &id) == napi_ok ? tracked_context(id) : nullptr;
}

}  // namespace

// decodeStep(contextId, sequenceIds, positions, tokens, outputs, topK) -> Promise<{ topIds, topLogprobs, k, decodeCalls }>:
// entry i is `tokens[i]` at `positions[i]` of sequence `sequenceIds[i]`; for each entry with `outputs[i]`, in order, the
// k = topK (all tokens when 0) most likely next tokens and their log-probabilities under the raw logits.
napi_value decode_step(napi_env env, napi_callback_info info) {
    size_t argc = 6;
    napi_value argv[6];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 6) return throw_type_error(env, "decodeStep expects 6 arguments");
    auto job = std::make_unique<StepJob>();
    job->api = linked_llama();
    if (job->api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    job->ctx = context_arg(env, argv[0]);
    if (job->ctx == nullptr) return throw_type_error(env, "that context is not alive");
    std::vector<double> outputs;
    if (!get_int32_array(env, argv[1], job->sequences) || !get_int32_array(env, argv[2], job->positions)
        || !get_int32_array(env, argv[3], job->tokens) || !get_number_array(env, argv[4], outputs)) {
        return throw_type_error(env, "sequenceIds, positions, tokens and outputs must be arrays of numbers");
    }
    const size_t n = job->tokens.size();
    if (n == 0 || job->sequences.size() != n || job->positions.size() != n || outputs.size() != n) {
        return throw_type_error(env, "sequenceIds, positions, tokens and outputs must be non-empty and of one length");
    }
    for (double o : outputs) job->outputs.push_back(o != 0);
    double top_k = 0;
    if (napi_get_value_double(env, argv[5], &top_k) != napi_ok || top_k < 0) return throw_type_error(env, "topK must be a number ≥ 0");
    job->top_k = static_cast<int32_t>(top_k);

    napi_value promise, name;
    napi_create_promise(env, &job->deferred, &promise);
    napi_create_string_utf8(env, "promptscope.decodeStep", NAPI_AUTO_LENGTH, &name);
    if (napi_create_async_work(env, nullptr, name, execute, complete, job.get(), &job->work) != napi_ok
        || napi_queue_async_work(env, job->work) != napi_ok) {
        return throw_type_error(env, "could not queue the step on the thread pool");
    }
    job.release();
    return promise;
}

// copySequence(contextId, source, target, fromPosition, toPosition): target gets source's cells in [from, to) (to −1: all).
napi_value copy_sequence(napi_env env, napi_callback_info info) {
    size_t argc = 5;
    napi_value argv[5];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    const LinkedLlama * api = linked_llama();
    if (api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    llama_context * ctx = argc == 5 ? context_arg(env, argv[0]) : nullptr;
    if (ctx == nullptr) return throw_type_error(env, "copySequence expects a live context and 4 numbers");
    int32_t source = 0, target = 0, from = 0, to = 0;
    if (napi_get_value_int32(env, argv[1], &source) != napi_ok || napi_get_value_int32(env, argv[2], &target) != napi_ok
        || napi_get_value_int32(env, argv[3], &from) != napi_ok || napi_get_value_int32(env, argv[4], &to) != napi_ok) {
        return throw_type_error(env, "copySequence expects source, target, fromPosition and toPosition as numbers");
    }
    api->memory_seq_cp(api->get_memory(ctx), source, target, from, to);
    return nullptr;
}

// removeSequence(contextId, sequence, fromPosition, toPosition) -> boolean: drops the sequence's cells in [from, to).
napi_value remove_sequence(napi_env env, napi_callback_info info) {
    size_t argc = 4;
    napi_value argv[4];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    const LinkedLlama * api = linked_llama();
    if (api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    llama_context * ctx = argc == 4 ? context_arg(env, argv[0]) : nullptr;
    if (ctx == nullptr) return throw_type_error(env, "removeSequence expects a live context and 3 numbers");
    int32_t sequence = 0, from = 0, to = 0;
    if (napi_get_value_int32(env, argv[1], &sequence) != napi_ok || napi_get_value_int32(env, argv[2], &from) != napi_ok
        || napi_get_value_int32(env, argv[3], &to) != napi_ok) {
        return throw_type_error(env, "removeSequence expects sequence, fromPosition and toPosition as numbers");
    }
    napi_value result;
    napi_get_boolean(env, api->memory_seq_rm(api->get_memory(ctx), sequence, from, to), &result);
    return result;
}

}  // namespace promptscope
