// Prompt evaluation and token generation on one sequence of a node-llama-cpp context, in one native loop.
//
// node-llama-cpp's token loop costs two libuv thread-pool round trips per token (a decode worker, then a separate
// sampling worker) plus ~0.35 ms of JavaScript between them; on a 2-core machine a round trip is 120–350 µs, which kept
// generation 7–13% behind llama.cpp's own llama-bench. Here the prompt's rest is evaluated, then tokens are sampled and
// decoded one after another like llama-bench does, and handed to JavaScript without waiting for it: as they come when
// asked to stream (a thread-safe function call per token), else all at the end. JavaScript stops it through `cancel()`,
// checked before every decode.
//
// The loop runs as napi async work on the libuv thread pool, in slices of about 50 ms, each queued again by the last
// one's completion: node-llama-cpp's own evaluations run on that pool too, and the runtime host limits it to one thread
// (UV_THREADPOOL_SIZE=1). So every llama.cpp evaluation in the host has the same calling thread. That matters with an
// OpenMP build (a local `promptscope build-runtime` build): each calling thread owns an OpenMP team, and once libgomp
// manages more threads than there are cores it stops spinning at barriers and sleeps instead, at every graph node —
// a second calling thread made generation 1.5–2.5× slower on 2 cores. Slicing lets other queued work (another
// context's evaluation, an attention capture) take its turn between slices instead of waiting for a whole generation.
//
// The sampler chain is node-llama-cpp's (nodeLlamaSampler.cc), so a seed gives the same tokens either way. Grammars and
// per-token probabilities stay on node-llama-cpp's loop. Which sampler serves which path: README.md, "Samplers".
//
// The context is node-llama-cpp's own (see contextHook.cc), used only while JavaScript holds the context's only
// sequence, and afterwards JavaScript records what was evaluated in node-llama-cpp's sequence state. Every llama.cpp call
// goes through the library that created the context (LinkedLlama).
#include "generationLoop.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "contextHook.h"
#include "decodeSupport.h"
#include "llama.h"
#include "napiArgs.h"
#include "nodeLlamaSampler.h"

namespace promptscope {

namespace {

struct Job {
    const LinkedLlama * api = nullptr;
    llama_context * ctx = nullptr;
    llama_seq_id seq = 0;
    llama_pos start = 0;
    std::vector<llama_token> prompt;
    ChainSettings sampling;
    int32_t max_tokens = 0;
    std::vector<llama_token> stop_tokens;
    bool stream = false;
    std::atomic<bool> cancelled{false};
    napi_threadsafe_function events = nullptr;
    napi_async_work work = nullptr;

    // Loop state, kept between slices.
    bool started = false;
    bool finished = false;
    llama_batch batch{};
    llama_pos pos = 0;
    int32_t prompt_done = 0;
    llama_sampler * chain = nullptr;
    llama_sampler * penalties = nullptr;
    std::vector<llama_token_data> candidates;

    // Results, written by the slices before the final event.
    std::vector<llama_token> sampled;
    int32_t decoded = 0;
    std::string reason;
    std::string error;
    double first_token_ms = 0;
    double last_token_ms = 0;
};

struct Event {
    std::shared_ptr<Job> job;
    bool done = false;
    std::vector<llama_token> tokens;
};

void post(const std::shared_ptr<Job> & job, bool done, std::vector<llama_token> tokens = {}) {
    auto * event = new Event{job, done, std::move(tokens)};
    if (napi_call_threadsafe_function(job->events, event, napi_tsfn_nonblocking) != napi_ok) delete event;
}

void fill(Job & job, const llama_token * tokens, int32_t count, bool logits_for_last) {
    job.batch.n_tokens = count;
    for (int32_t i = 0; i < count; ++i) {
        job.batch.token[i] = tokens[i];
        job.batch.pos[i] = job.pos + i;
        job.batch.n_seq_id[i] = 1;
        job.batch.seq_id[i][0] = job.seq;
        job.batch.logits[i] = logits_for_last && i == count - 1;
    }
}

// Frees the loop's llama.cpp objects and sends the result (after any token events: the same channel keeps the order).
void finish(const std::shared_ptr<Job> & job, const char * reason) {
    const LinkedLlama & api = *job->api;
    if (job->chain != nullptr) api.sampler_free(job->chain);
    job->chain = nullptr;
    if (job->started) api.batch_free(job->batch);
    job->started = false;
    job->reason = job->error.empty() ? reason : "error";
    job->finished = true;
    post(job, true);
    napi_release_threadsafe_function(job->events, napi_tsfn_release);
}

bool decode(const std::shared_ptr<Job> & job, int32_t count) {
    const LinkedLlama & api = *job->api;
    const int32_t code = api.decode(job->ctx, job->batch);
    if (code != 0) {
        // What this call may have left behind is not in node-llama-cpp's record of the sequence: drop it.
        api.memory_seq_rm(api.get_memory(job->ctx), job->seq, job->pos, -1);
        job->error = decode_failure(code);
        return false;
    }
    job->pos += count;
    job->decoded += count;
    return true;
}

// One slice: runs until the loop ends or the slice's time is up (then the job is queued again).
void run_slice(const std::shared_ptr<Job> & job) {
    const LinkedLlama & api = *job->api;
    llama_context * ctx = job->ctx;
    const double deadline = monotonic_ms() + kSliceMs;
    if (job->cancelled.load()) return finish(job, "cancelled");
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(ctx)));
    if (!job->started) {
        job->batch = api.batch_init(n_batch, 0, 1);
        job->pos = job->start;
        job->started = true;
    }

    // The prompt, in batches of the context's n_batch; only its last token's logits are computed.
    const int32_t n_prompt = static_cast<int32_t>(job->prompt.size());
    while (job->prompt_done < n_prompt) {
        if (job->prompt_done > 0 && job->cancelled.load()) return finish(job, "cancelled");
        const int32_t count = std::min(n_batch, n_prompt - job->prompt_done);
        fill(*job, job->prompt.data() + job->prompt_done, count, job->prompt_done + count == n_prompt);
        if (!decode(job, count)) return finish(job, "error");
        job->prompt_done += count;
        if (job->prompt_done < n_prompt && monotonic_ms() > deadline) return;
    }

    const llama_vocab * vocab = api.model_get_vocab(api.get_model(ctx));
    const int32_t n_vocab = api.vocab_n_tokens(vocab);
    if (job->chain == nullptr) {
        job->chain = build_chain(api, vocab, job->sampling, &job->penalties);
        job->candidates.resize(static_cast<size_t>(n_vocab));
    }
    std::vector<llama_token_data> & candidates = job->candidates;
    while (true) {
        const float * logits = api.get_logits_ith(ctx, -1);
        if (logits == nullptr) {
            job->error = "llama.cpp returned no logits for the last token";
            return finish(job, "error");
        }
        for (llama_token id = 0; id < n_vocab; ++id) candidates[id] = llama_token_data{id, logits[id], 0.0f};
        llama_token_data_array cur{candidates.data(), candidates.size(), -1, false};
        api.sampler_apply(job->chain, &cur);
        if (cur.selected < 0 || cur.selected >= static_cast<int64_t>(cur.size)) {
            job->error = "the sampler chain selected no token";
            return finish(job, "error");
        }
        const llama_token token = cur.data[cur.selected].id;
        const double now = monotonic_ms();
        if (job->sampled.empty()) job->first_token_ms = now;
        job->last_token_ms = now;
        job->sampled.push_back(token);
        if (job->stream) post(job, false, {token});
        if (api.vocab_is_eog(vocab, token) || std::find(job->stop_tokens.begin(), job->stop_tokens.end(), token) != job->stop_tokens.end()) {
            return finish(job, "eos");
        }
        if (job->penalties != nullptr) api.sampler_accept(job->penalties, token);
        if (static_cast<int32_t>(job->sampled.size()) >= job->max_tokens) return finish(job, "maxTokens");
        if (job->cancelled.load()) return finish(job, "cancelled");
        fill(*job, &token, 1, true);
        if (!decode(job, 1)) return finish(job, "error");
        if (monotonic_ms() > deadline) return;
    }
}

void execute_slice(napi_env, void * data) {
    run_slice(*static_cast<std::shared_ptr<Job> *>(data));
}

void queue_slice(napi_env env, std::shared_ptr<Job> * held);

void slice_done(napi_env env, napi_status, void * data) {
    auto * held = static_cast<std::shared_ptr<Job> *>(data);
    napi_delete_async_work(env, (*held)->work);
    (*held)->work = nullptr;
    if ((*held)->finished) {
        delete held;
    } else {
        queue_slice(env, held);
    }
}

void queue_slice(napi_env env, std::shared_ptr<Job> * held) {
    napi_value name;
    napi_create_string_utf8(env, "promptscope.generate", NAPI_AUTO_LENGTH, &name);
    napi_async_work work = nullptr;
    if (napi_create_async_work(env, nullptr, name, execute_slice, slice_done, held, &work) != napi_ok
        || napi_queue_async_work(env, work) != napi_ok) {
        // Not expected outside environment teardown; end the job so JavaScript is not left waiting.
        if (work != nullptr) napi_delete_async_work(env, work);
        (*held)->error = "could not queue the generation on the thread pool";
        finish(*held, "error");
        delete held;
        return;
    }
    (*held)->work = work;
}

void set_named(napi_env env, napi_value object, const char * name, napi_value value) {
    napi_set_named_property(env, object, name, value);
}

// On the main thread: onEvent('tokens', Int32Array) or onEvent('done', {tokens, decoded, reason, error?, firstTokenMs, lastTokenMs}).
void deliver(napi_env env, napi_value callback, void *, void * data) {
    std::unique_ptr<Event> event(static_cast<Event *>(data));
    if (env == nullptr) return;
    napi_value kind, payload, undefined;
    napi_get_undefined(env, &undefined);
    if (!event->done) {
        napi_create_string_utf8(env, "tokens", NAPI_AUTO_LENGTH, &kind);
        payload = make_int32_array(env, event->tokens);
    } else {
        const Job & job = *event->job;
        napi_create_string_utf8(env, "done", NAPI_AUTO_LENGTH, &kind);
        napi_create_object(env, &payload);
        napi_value value;
        set_named(env, payload, "tokens", make_int32_array(env, job.sampled));
        napi_create_int32(env, job.decoded, &value);
        set_named(env, payload, "decoded", value);
        napi_create_string_utf8(env, job.reason.c_str(), NAPI_AUTO_LENGTH, &value);
        set_named(env, payload, "reason", value);
        if (!job.error.empty()) {
            napi_create_string_utf8(env, job.error.c_str(), NAPI_AUTO_LENGTH, &value);
            set_named(env, payload, "error", value);
        }
        napi_create_double(env, job.first_token_ms, &value);
        set_named(env, payload, "firstTokenMs", value);
        napi_create_double(env, job.last_token_ms, &value);
        set_named(env, payload, "lastTokenMs", value);
    }
    napi_value argv[2] = {kind, payload};
    napi_call_function(env, undefined, callback, 2, argv, nullptr);
}

napi_value cancel(napi_env env, napi_callback_info info) {
    void * data = nullptr;
    napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
    (*static_cast<std::shared_ptr<Job> *>(data))->cancelled = true;
    return nullptr;
}

void release_handle(napi_env, void * data, void *) {
    delete static_cast<std::shared_ptr<Job> *>(data);
}

}  // namespace

// generate(contextId, sequenceId, startPosition, promptTokens, options, onEvent) -> { cancel() }
// options: { maxTokens, stream, stopTokens, temperature, topK, topP, minP, seed, repeatPenalty, repeatLastTokens,
// repeatHistory, biasTokens, biasValues }. Evaluates promptTokens at startPosition… of the sequence, then samples up to
// maxTokens tokens. Throws at once when the context is unknown or an argument is wrong; later failures arrive as
// 'done' with reason 'error'.
napi_value generate(napi_env env, napi_callback_info info) {
    size_t argc = 6;
    napi_value argv[6];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 6) return throw_type_error(env, "generate expects 6 arguments");
    auto job = std::make_shared<Job>();
    job->api = linked_llama();
    if (job->api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    uint32_t context_id = 0, sequence = 0, start = 0;
    if (napi_get_value_uint32(env, argv[0], &context_id) != napi_ok) return throw_type_error(env, "contextId must be a number");
    job->ctx = tracked_context(context_id);
    if (job->ctx == nullptr) return throw_type_error(env, "that context is not alive");
    if (napi_get_value_uint32(env, argv[1], &sequence) != napi_ok) return throw_type_error(env, "sequenceId must be a number");
    if (napi_get_value_uint32(env, argv[2], &start) != napi_ok) return throw_type_error(env, "startPosition must be a number");
    job->seq = static_cast<llama_seq_id>(sequence);
    job->start = static_cast<llama_pos>(start);
    if (!get_int32_array(env, argv[3], job->prompt) || job->prompt.empty()) return throw_type_error(env, "promptTokens must be a non-empty array of token ids");

    napi_value options = argv[4];
    double max_tokens = 0;
    if (!get_optional_double(env, options, "maxTokens", max_tokens)) return throw_type_error(env, "maxTokens must be a number");
    if (max_tokens < 1) return throw_type_error(env, "maxTokens must be at least 1");
    job->max_tokens = static_cast<int32_t>(max_tokens);
    if (const char * problem = read_chain_settings(env, options, job->sampling)) return throw_type_error(env, problem);
    if (!get_optional_int32_array(env, options, "stopTokens", job->stop_tokens)) return throw_type_error(env, "stopTokens must be an array of token ids");
    napi_value stream;
    if (get_optional_property(env, options, "stream", &stream)) napi_get_value_bool(env, stream, &job->stream);

    napi_valuetype callback_type;
    napi_typeof(env, argv[5], &callback_type);
    if (callback_type != napi_function) return throw_type_error(env, "onEvent must be a function");
    napi_value name;
    napi_create_string_utf8(env, "promptscope.generate", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[5], nullptr, name, 0, 1, nullptr, nullptr, nullptr, deliver, &job->events) != napi_ok) {
        return throw_type_error(env, "could not create the event channel");
    }

    napi_value handle, cancel_function;
    napi_create_object(env, &handle);
    auto * held = new std::shared_ptr<Job>(job);
    napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, cancel, held, &cancel_function);
    napi_add_finalizer(env, cancel_function, held, release_handle, nullptr, nullptr);
    napi_set_named_property(env, handle, "cancel", cancel_function);

    queue_slice(env, new std::shared_ptr<Job>(job));
    return handle;
}

}  // namespace promptscope
