// Token generation on several sequences of one node-llama-cpp context at once (self-consistency's paths), in one
// native loop: every step decodes one llama_batch holding the next token of every live sequence, with logits for each,
// then samples each sequence with its own chain (node-llama-cpp's, nodeLlamaSampler.cc) and seed.
//
// node-llama-cpp's own loop needs a JavaScript sampling round per sequence and step and two thread-pool round trips per
// step; on 2 cores 8 paths ran at 0.57× llama-batched-bench's generation speed (issue 16). The loop runs like the
// single-sequence one (generationLoop.cc): napi async work on the thread pool in slices of about 50 ms, tokens handed
// to JavaScript without waiting for it (a thread-safe function call per step when asked to stream, tagged with each
// sequence's index; else all at the end). JavaScript cancels the whole run, or stops one sequence (a stop sequence it
// matched in that sequence's text); both are checked before every decode.
//
// A stop sequence must stop its sequence before its next decode, as node-llama-cpp's loop does: a sequence that went on
// would take KV cells the others' tokens then miss, and the attention sums over other cells in another order (~1e-5 on
// log-probabilities). So after a step that sampled a token whose text could end a stop sequence (its piece holds the
// last byte of one), the loop waits for JavaScript's verdict (`resume()`) before the next decode; other steps do not.
//
// Each sequence starts from its own position with its own prompt tokens (self-consistency: the shared prompt's last
// token, its other cells copied from one sequence). All prompt tokens but each sequence's last are evaluated first,
// without logits; then step one holds every sequence's last prompt token, so that every step, the first included,
// decodes exactly one token per live sequence — the arrangement node-llama-cpp's loop reaches for the same request,
// which keeps the logits, and so the tokens, the same. A token that ends a sequence (end of generation, a stop token,
// its token limit) is not decoded, as in node-llama-cpp's loop; what each sequence added to the KV cache comes back as
// `decoded` for JavaScript to record in node-llama-cpp's sequence state.
//
// The context is node-llama-cpp's own (contextHook.cc), used only while JavaScript holds all the sequences named.
#include "multiSequenceLoop.h"

#include <algorithm>
#include <atomic>
#include <cmath>
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

struct Path {
    llama_seq_id seq = 0;
    llama_pos pos = 0;
    std::vector<llama_token> prompt;
    ChainSettings sampling;
    int32_t max_tokens = 0;
    std::vector<llama_token> stop_tokens;
    std::atomic<bool> stop_requested{false};

    // Loop state.
    int32_t prompt_done = 0;
    bool live = true;
    llama_token next = -1;  // the token the next step decodes
    int32_t row = -1;       // its index in the step's batch
    llama_sampler * chain = nullptr;
    llama_sampler * penalties = nullptr;

    // Results.
    std::vector<llama_token> sampled;
    std::vector<double> logprobs;
    int32_t decoded = 0;
    std::string reason;
    double first_token_ms = 0;
    double last_token_ms = 0;
};

struct Job {
    const LinkedLlama * api = nullptr;
    llama_context * ctx = nullptr;
    std::vector<std::unique_ptr<Path>> paths;
    // The paths by increasing sequence id: the order of each step's batch (see run_slice).
    std::vector<size_t> order;
    bool stream = false;
    // Bytes that end a stop sequence (see the top of this file); all of them when one holds U+FFFD, which JavaScript
    // writes for bytes that are no text.
    bool watched[256] = {};
    bool watching = false;
    // Waiting for JavaScript's verdict on a step: set by the slice that posted it; the rest only on the main thread.
    std::atomic<bool> await_verdict{false};
    bool verdict = false;
    std::shared_ptr<Job> * parked = nullptr;
    std::atomic<bool> cancelled{false};
    napi_threadsafe_function events = nullptr;
    napi_async_work work = nullptr;

    bool started = false;
    bool finished = false;
    bool prefilled = false;
    llama_batch batch{};
    int32_t batch_capacity = 0;
    std::vector<llama_token_data> candidates;

    int32_t decode_calls = 0;
    int32_t steps = 0;
    std::string reason;
    std::string error;
};

// One step's samples, for streaming: parallel arrays.
struct Event {
    std::shared_ptr<Job> job;
    bool done = false;
    bool awaiting = false;
    std::vector<int32_t> paths;
    std::vector<llama_token> tokens;
    std::vector<double> logprobs;
};

void post(const std::shared_ptr<Job> & job, Event * event) {
    if (napi_call_threadsafe_function(job->events, event, napi_tsfn_nonblocking) != napi_ok) delete event;
}

void finish(const std::shared_ptr<Job> & job, const char * reason) {
    const LinkedLlama & api = *job->api;
    for (auto & path : job->paths) {
        if (path->chain != nullptr) api.sampler_free(path->chain);
        path->chain = nullptr;
        if (path->reason.empty()) path->reason = job->error.empty() ? reason : "error";
    }
    if (job->started) api.batch_free(job->batch);
    job->started = false;
    job->reason = job->error.empty() ? reason : "error";
    job->finished = true;
    post(job, new Event{job, true, false, {}, {}, {}});
    napi_release_threadsafe_function(job->events, napi_tsfn_release);
}

void add(llama_batch & batch, llama_token token, llama_pos pos, llama_seq_id seq, bool logits) {
    const int32_t i = batch.n_tokens++;
    batch.token[i] = token;
    batch.pos[i] = pos;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = seq;
    batch.logits[i] = logits;
}

// Decodes the batch; each path with a token in it (row ≥ 0) moves on by its tokens there (`counts`, per path).
bool decode(Job & job, const std::vector<int32_t> & counts) {
    const LinkedLlama & api = *job.api;
    const int32_t code = api.decode(job.ctx, job.batch);
    ++job.decode_calls;
    if (code != 0) {
        // What this call may have left behind is not in node-llama-cpp's record of the sequences: drop it.
        for (size_t i = 0; i < job.paths.size(); ++i) {
            if (counts[i] > 0) api.memory_seq_rm(api.get_memory(job.ctx), job.paths[i]->seq, job.paths[i]->pos, -1);
        }
        job.error = decode_failure(code);
        return false;
    }
    for (size_t i = 0; i < job.paths.size(); ++i) {
        job.paths[i]->pos += counts[i];
        job.paths[i]->decoded += counts[i];
    }
    return true;
}

// Every prompt token but each path's last, in batches of n_batch, without logits.
bool prefill(Job & job, int32_t n_batch, double deadline) {
    while (true) {
        job.batch.n_tokens = 0;
        std::vector<int32_t> counts(job.paths.size(), 0);
        for (size_t i = 0; i < job.paths.size() && job.batch.n_tokens < n_batch; ++i) {
            Path & path = *job.paths[i];
            const int32_t until = static_cast<int32_t>(path.prompt.size()) - 1;
            while (path.prompt_done < until && job.batch.n_tokens < n_batch) {
                add(job.batch, path.prompt[path.prompt_done], path.pos + counts[i], path.seq, false);
                ++path.prompt_done;
                ++counts[i];
            }
        }
        if (job.batch.n_tokens == 0) {
            job.prefilled = true;
            return true;
        }
        if (!decode(job, counts)) return false;
        if (job.cancelled.load() || monotonic_ms() > deadline) return true;
    }
}

// Samples path `path` from its row of the last decode; false when the loop must end with an error.
bool sample(Job & job, Path & path, Event * event, size_t index) {
    const LinkedLlama & api = *job.api;
    const llama_vocab * vocab = api.model_get_vocab(api.get_model(job.ctx));
    const int32_t n_vocab = api.vocab_n_tokens(vocab);
    const float * logits = api.get_logits_ith(job.ctx, path.row);
    if (logits == nullptr) {
        job.error = "llama.cpp returned no logits for a sequence's token";
        return false;
    }
    std::vector<llama_token_data> & candidates = job.candidates;
    for (llama_token id = 0; id < n_vocab; ++id) candidates[id] = llama_token_data{id, logits[id], 0.0f};
    llama_token_data_array cur{candidates.data(), candidates.size(), -1, false};
    api.sampler_apply(path.chain, &cur);
    if (cur.selected < 0 || cur.selected >= static_cast<int64_t>(cur.size)) {
        job.error = "the sampler chain selected no token";
        return false;
    }
    const llama_token token = cur.data[cur.selected].id;
    const double logprob = std::log(static_cast<double>(chosen_confidence(cur)));
    const double now = monotonic_ms();
    if (path.sampled.empty()) path.first_token_ms = now;
    path.last_token_ms = now;
    path.sampled.push_back(token);
    path.logprobs.push_back(logprob);
    if (event != nullptr) {
        event->paths.push_back(static_cast<int32_t>(index));
        event->tokens.push_back(token);
        event->logprobs.push_back(logprob);
    }
    if (api.vocab_is_eog(vocab, token) || std::find(path.stop_tokens.begin(), path.stop_tokens.end(), token) != path.stop_tokens.end()) {
        path.live = false;
        path.reason = "eos";
        return true;
    }
    if (path.penalties != nullptr) api.sampler_accept(path.penalties, token);
    if (static_cast<int32_t>(path.sampled.size()) >= path.max_tokens) {
        path.live = false;
        path.reason = "maxTokens";
        return true;
    }
    path.next = token;
    return true;
}

// Whether `token`'s text holds a byte that ends a stop sequence.
bool may_end_stop(const Job & job, const llama_vocab * vocab, llama_token token) {
    char piece[256];
    const int32_t n = job.api->token_to_piece(vocab, token, piece, sizeof piece, 0, false);
    if (n < 0) return true;  // longer than any piece we expect: let JavaScript look
    for (int32_t i = 0; i < n; ++i) if (job.watched[static_cast<unsigned char>(piece[i])]) return true;
    return false;
}

void run_slice(const std::shared_ptr<Job> & job) {
    const LinkedLlama & api = *job->api;
    const double deadline = monotonic_ms() + kSliceMs;
    if (job->cancelled.load()) return finish(job, "cancelled");
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(job->ctx)));
    if (!job->started) {
        job->batch_capacity = std::max<int32_t>(n_batch, static_cast<int32_t>(job->paths.size()));
        job->batch = api.batch_init(job->batch_capacity, 0, 1);
        const llama_vocab * vocab = api.model_get_vocab(api.get_model(job->ctx));
        job->candidates.resize(static_cast<size_t>(api.vocab_n_tokens(vocab)));
        for (auto & path : job->paths) {
            path->chain = build_chain(api, vocab, path->sampling, &path->penalties);
            path->next = path->prompt.back();
        }
        job->order.resize(job->paths.size());
        for (size_t i = 0; i < job->order.size(); ++i) job->order[i] = i;
        std::sort(job->order.begin(), job->order.end(), [&job](size_t a, size_t b) { return job->paths[a]->seq < job->paths[b]->seq; });
        job->started = true;
    }
    if (!job->prefilled) {
        if (!prefill(*job, n_batch, deadline)) return finish(job, "error");
        if (!job->prefilled) return;
        if (job->cancelled.load()) return finish(job, "cancelled");
    }

    while (true) {
        // One token of every live path, by increasing sequence id as node-llama-cpp's loop batches them
        // (batchInSequenceOrder.ts): the order places the tokens in the KV cells, and so what the attention sums, in
        // which order; another order moves log-probabilities by ~1e-5.
        job->batch.n_tokens = 0;
        std::vector<int32_t> counts(job->paths.size(), 0);
        for (size_t i : job->order) {
            Path & path = *job->paths[i];
            path.row = -1;
            if (!path.live) continue;
            if (path.stop_requested.load()) {
                path.live = false;
                path.reason = "stopped";
                continue;
            }
            path.row = job->batch.n_tokens;
            add(job->batch, path.next, path.pos, path.seq, true);
            counts[i] = 1;
        }
        if (job->batch.n_tokens == 0) return finish(job, "done");
        if (job->batch.n_tokens > n_batch) {
            job->error = "more sequences than the context's batch size (n_batch)";
            return finish(job, "error");
        }
        if (!decode(*job, counts)) return finish(job, "error");
        ++job->steps;
        Event * event = job->stream ? new Event{job, false, false, {}, {}, {}} : nullptr;
        const llama_vocab * vocab = api.model_get_vocab(api.get_model(job->ctx));
        bool wait = false;
        for (size_t i : job->order) {
            Path & path = *job->paths[i];
            if (path.row < 0) continue;
            if (!sample(*job, path, event, i)) {
                delete event;
                return finish(job, "error");
            }
            if (job->watching && path.live && !wait) wait = may_end_stop(*job, vocab, path.next);
        }
        if (event != nullptr) {
            event->awaiting = wait;
            // Before the post: JavaScript's verdict may come before this slice has returned.
            if (wait) job->await_verdict = true;
            post(job, event);
            if (wait) return;
        }
        if (job->cancelled.load()) return finish(job, "cancelled");
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
    Job & job = **held;
    if (job.finished) {
        delete held;
    } else if (job.await_verdict && !job.verdict && !job.cancelled.load()) {
        job.parked = held;
    } else {
        job.await_verdict = job.verdict = false;
        queue_slice(env, held);
    }
}

// On the main thread: JavaScript has judged the step the loop waits on (or cancelled the run): go on.
void release_verdict(napi_env env, Job & job) {
    job.verdict = true;
    if (job.parked == nullptr) return;
    std::shared_ptr<Job> * held = job.parked;
    job.parked = nullptr;
    job.await_verdict = job.verdict = false;
    queue_slice(env, held);
}

void queue_slice(napi_env env, std::shared_ptr<Job> * held) {
    napi_value name;
    napi_create_string_utf8(env, "promptscope.generateMany", NAPI_AUTO_LENGTH, &name);
    napi_async_work work = nullptr;
    if (napi_create_async_work(env, nullptr, name, execute_slice, slice_done, held, &work) != napi_ok
        || napi_queue_async_work(env, work) != napi_ok) {
        if (work != nullptr) napi_delete_async_work(env, work);
        (*held)->error = "could not queue the generation on the thread pool";
        finish(*held, "error");
        delete held;
        return;
    }
    (*held)->work = work;
}

napi_value make_float64_array(napi_env env, const std::vector<double> & values) {
    napi_value buffer, array;
    void * data = nullptr;
    napi_create_arraybuffer(env, values.size() * sizeof(double), &data, &buffer);
    if (!values.empty()) std::copy(values.begin(), values.end(), static_cast<double *>(data));
    napi_create_typedarray(env, napi_float64_array, values.size(), buffer, 0, &array);
    return array;
}

// On the main thread: onEvent('tokens', {paths, tokens, logprobs}) per step, or onEvent('done', {sequences: [{tokens,
// logprobs, decoded, reason, firstTokenMs, lastTokenMs}], decodeCalls, steps, reason, error?}).
void deliver(napi_env env, napi_value callback, void *, void * data) {
    std::unique_ptr<Event> event(static_cast<Event *>(data));
    if (env == nullptr) return;
    napi_value kind, payload, undefined;
    napi_get_undefined(env, &undefined);
    napi_create_object(env, &payload);
    if (!event->done) {
        napi_create_string_utf8(env, "tokens", NAPI_AUTO_LENGTH, &kind);
        napi_set_named_property(env, payload, "paths", make_int32_array(env, event->paths));
        napi_set_named_property(env, payload, "tokens", make_int32_array(env, event->tokens));
        napi_set_named_property(env, payload, "logprobs", make_float64_array(env, event->logprobs));
        set_bool(env, payload, "awaiting", event->awaiting);
    } else {
        const Job & job = *event->job;
        napi_create_string_utf8(env, "done", NAPI_AUTO_LENGTH, &kind);
        napi_value sequences;
        napi_create_array_with_length(env, job.paths.size(), &sequences);
        for (size_t i = 0; i < job.paths.size(); ++i) {
            const Path & path = *job.paths[i];
            napi_value entry;
            napi_create_object(env, &entry);
            napi_set_named_property(env, entry, "tokens", make_int32_array(env, path.sampled));
            napi_set_named_property(env, entry, "logprobs", make_float64_array(env, path.logprobs));
            set_number(env, entry, "decoded", path.decoded);
            set_string(env, entry, "reason", path.reason);
            set_number(env, entry, "firstTokenMs", path.first_token_ms);
            set_number(env, entry, "lastTokenMs", path.last_token_ms);
            napi_set_element(env, sequences, static_cast<uint32_t>(i), entry);
        }
        napi_set_named_property(env, payload, "sequences", sequences);
        set_number(env, payload, "decodeCalls", job.decode_calls);
        set_number(env, payload, "steps", job.steps);
        set_string(env, payload, "reason", job.reason);
        if (!job.error.empty()) set_string(env, payload, "error", job.error);
    }
    napi_value argv[2] = {kind, payload};
    napi_call_function(env, undefined, callback, 2, argv, nullptr);
}

napi_value cancel(napi_env env, napi_callback_info info) {
    void * data = nullptr;
    napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
    Job & job = **static_cast<std::shared_ptr<Job> *>(data);
    job.cancelled = true;
    if (job.await_verdict) release_verdict(env, job);
    return nullptr;
}

napi_value resume(napi_env env, napi_callback_info info) {
    void * data = nullptr;
    napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
    Job & job = **static_cast<std::shared_ptr<Job> *>(data);
    if (job.await_verdict) release_verdict(env, job);
    return nullptr;
}

napi_value stop_sequence(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    void * data = nullptr;
    napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
    const Job & job = **static_cast<std::shared_ptr<Job> *>(data);
    uint32_t index = 0;
    if (argc < 1 || napi_get_value_uint32(env, argv[0], &index) != napi_ok || index >= job.paths.size()) {
        return throw_type_error(env, "stopSequence expects the index of one of the run's sequences");
    }
    job.paths[index]->stop_requested = true;
    return nullptr;
}

void release_handle(napi_env, void * data, void *) {
    delete static_cast<std::shared_ptr<Job> *>(data);
}

}  // namespace

// generateMany(contextId, sequences, stream, stopSequences, onEvent) -> { cancel(), stopSequence(index), resume() }
// sequences: [{ sequenceId, startPosition, promptTokens, maxTokens, stopTokens?, ...sampler options (nodeLlamaSampler.h) }]:
// each evaluates its promptTokens (at least one) from startPosition, then samples up to maxTokens tokens. With `stream`,
// each step's tokens come as an event; one with `awaiting` (a token's text may end one of `stopSequences`) holds the
// loop until resume(). Throws at once when the context is unknown or an argument is wrong; later failures arrive as
// 'done' with reason 'error'.
napi_value generate_many(napi_env env, napi_callback_info info) {
    size_t argc = 5;
    napi_value argv[5];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 5) return throw_type_error(env, "generateMany expects 5 arguments");
    auto job = std::make_shared<Job>();
    job->api = linked_llama();
    if (job->api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    uint32_t context_id = 0;
    if (napi_get_value_uint32(env, argv[0], &context_id) != napi_ok) return throw_type_error(env, "contextId must be a number");
    job->ctx = tracked_context(context_id);
    if (job->ctx == nullptr) return throw_type_error(env, "that context is not alive");

    bool is_array = false;
    uint32_t count = 0;
    if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[1], &count) != napi_ok || count == 0) {
        return throw_type_error(env, "sequences must be a non-empty array");
    }
    for (uint32_t i = 0; i < count; ++i) {
        napi_value entry;
        napi_get_element(env, argv[1], i, &entry);
        auto path = std::make_unique<Path>();
        double sequence = -1, start = -1, max_tokens = 0;
        if (!get_optional_double(env, entry, "sequenceId", sequence) || !get_optional_double(env, entry, "startPosition", start)
            || !get_optional_double(env, entry, "maxTokens", max_tokens) || sequence < 0 || start < 0) {
            return throw_type_error(env, "each sequence needs a sequenceId, a startPosition and maxTokens");
        }
        if (max_tokens < 1) return throw_type_error(env, "maxTokens must be at least 1");
        for (const auto & other : job->paths) {
            if (other->seq == static_cast<llama_seq_id>(sequence)) return throw_type_error(env, "a sequence id is named twice");
        }
        path->seq = static_cast<llama_seq_id>(sequence);
        path->pos = static_cast<llama_pos>(start);
        path->max_tokens = static_cast<int32_t>(max_tokens);
        napi_value prompt;
        if (!get_optional_property(env, entry, "promptTokens", &prompt) || !get_int32_array(env, prompt, path->prompt) || path->prompt.empty()) {
            return throw_type_error(env, "promptTokens must be a non-empty array of token ids");
        }
        if (!get_optional_int32_array(env, entry, "stopTokens", path->stop_tokens)) return throw_type_error(env, "stopTokens must be an array of token ids");
        if (const char * problem = read_chain_settings(env, entry, path->sampling)) return throw_type_error(env, problem);
        job->paths.push_back(std::move(path));
    }
    if (napi_get_value_bool(env, argv[2], &job->stream) != napi_ok) return throw_type_error(env, "stream must be a boolean");
    uint32_t stop_count = 0;
    if (napi_is_array(env, argv[3], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[3], &stop_count) != napi_ok) {
        return throw_type_error(env, "stopSequences must be an array of strings");
    }
    for (uint32_t i = 0; i < stop_count; ++i) {
        napi_value element;
        std::string stop;
        napi_get_element(env, argv[3], i, &element);
        if (!get_string(env, element, stop)) return throw_type_error(env, "stopSequences must be an array of strings");
        if (stop.empty()) continue;
        job->watching = true;
        if (stop.find("\xEF\xBF\xBD") != std::string::npos) std::fill(std::begin(job->watched), std::end(job->watched), true);
        job->watched[static_cast<unsigned char>(stop.back())] = true;
    }
    if (job->watching && !job->stream) return throw_type_error(env, "stopSequences need stream: JavaScript watches the text");

    napi_valuetype callback_type;
    napi_typeof(env, argv[4], &callback_type);
    if (callback_type != napi_function) return throw_type_error(env, "onEvent must be a function");
    napi_value name;
    napi_create_string_utf8(env, "promptscope.generateMany", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[4], nullptr, name, 0, 1, nullptr, nullptr, nullptr, deliver, &job->events) != napi_ok) {
        return throw_type_error(env, "could not create the event channel");
    }

    napi_value handle, cancel_function, stop_function;
    napi_create_object(env, &handle);
    auto * held = new std::shared_ptr<Job>(job);
    napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, cancel, held, &cancel_function);
    napi_add_finalizer(env, cancel_function, held, release_handle, nullptr, nullptr);
    napi_set_named_property(env, handle, "cancel", cancel_function);
    auto * held_for_stop = new std::shared_ptr<Job>(job);
    napi_create_function(env, "stopSequence", NAPI_AUTO_LENGTH, stop_sequence, held_for_stop, &stop_function);
    napi_add_finalizer(env, stop_function, held_for_stop, release_handle, nullptr, nullptr);
    napi_set_named_property(env, handle, "stopSequence", stop_function);
    napi_value resume_function;
    auto * held_for_resume = new std::shared_ptr<Job>(job);
    napi_create_function(env, "resume", NAPI_AUTO_LENGTH, resume, held_for_resume, &resume_function);
    napi_add_finalizer(env, resume_function, held_for_resume, release_handle, nullptr, nullptr);
    napi_set_named_property(env, handle, "resume", resume_function);

    queue_slice(env, new std::shared_ptr<Job>(job));
    return handle;
}

}  // namespace promptscope
