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
// Speculative decoding (options.speculative): each round a drafter (tokenDrafters.cc: a draft model, or prompt lookup)
// proposes up to k tokens after the last sampled one, the target evaluates that token and the k drafts in one batch, and
// then samples position by position from those logits with its own chain, exactly as the plain loop would: while the
// sampled token is the draft token the next position's logits are already there (an evaluation saved); the first
// token that differs is kept (it is what the target sampled) and the rest of the batch leaves the KV cache. The chain
// sees the same tokens and spends the same draws, so a seed gives the plain loop's tokens; only the float rounding of a
// batch of several rows against one row can differ, as it does between any two batch sizes.
//
// A watermark (options.watermark) biases the green tokens' logits (or bans the red ones) before the chain runs, with
// the green lists of src/core/watermark/greenList.ts (the hash is specified there; detection runs in TypeScript).
//
// The context is node-llama-cpp's own (see contextHook.cc), used only while JavaScript holds the context's only
// sequence, and afterwards JavaScript records what was evaluated in node-llama-cpp's sequence state. Every llama.cpp call
// goes through the library that created the context (LinkedLlama).
#include "generationLoop.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "contextHook.h"
#include "decodeSupport.h"
#include "llama.h"
#include "napiArgs.h"
#include "nodeLlamaSampler.h"
#include "tokenDrafters.h"

namespace promptscope {

namespace {

// The watermark's settings and the token its next green list hangs on (see src/core/watermark/greenList.ts).
struct Watermark {
    bool on = false;
    uint32_t key_hash = 0;
    uint32_t threshold = 0;
    float delta = 0;
    bool hard = false;
    llama_token previous = 0;
};

uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

// Adds δ to the green candidates (or bans the red ones) of the step after `previous`.
void apply_watermark(const Watermark & w, std::vector<llama_token_data> & candidates) {
    const uint32_t seed = fmix32(w.key_hash ^ fmix32(static_cast<uint32_t>(w.previous) ^ 0x9E3779B9u));
    for (llama_token_data & candidate : candidates) {
        const bool green = fmix32(seed ^ fmix32(static_cast<uint32_t>(candidate.id) + 0x85EBCA6Bu)) < w.threshold;
        if (w.hard) {
            if (!green) candidate.logit = -INFINITY;
        } else if (green) {
            candidate.logit += w.delta;
        }
    }
}

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

    // Speculative decoding, when draft_max > 0 (see run_speculative).
    int32_t draft_max = 0;
    bool use_draft_model = false;
    DraftModelDrafter draft;
    LookupDrafter lookup;
    bool have_next = false;
    llama_token next = 0;       // the last sampled token, which the target has not evaluated yet
    std::vector<llama_token> drafts;
    int32_t drafted = 0;
    int32_t accepted = 0;
    int32_t rounds = 0;
    double draft_ms = 0;
    double verify_ms = 0;
    std::vector<int32_t> sources;   // per sampled token: 1 when it was a draft token the target sampled too
    std::vector<int32_t> rejected;  // pairs: the index of the sampled token that replaced a draft token, that draft token

    Watermark watermark;
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
    job->draft.release(api);
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

// Samples from the logits of row `index` of the last batch (-1: its last row) with the job's chain.
bool sample_token(Job & job, int32_t index, llama_token & token) {
    const LinkedLlama & api = *job.api;
    const float * logits = api.get_logits_ith(job.ctx, index);
    if (logits == nullptr) {
        job.error = "llama.cpp returned no logits for the last token";
        return false;
    }
    std::vector<llama_token_data> & candidates = job.candidates;
    const llama_token n_vocab = static_cast<llama_token>(candidates.size());
    for (llama_token id = 0; id < n_vocab; ++id) candidates[id] = llama_token_data{id, logits[id], 0.0f};
    if (job.watermark.on) apply_watermark(job.watermark, candidates);
    llama_token_data_array cur{candidates.data(), candidates.size(), -1, false};
    api.sampler_apply(job.chain, &cur);
    if (cur.selected < 0 || cur.selected >= static_cast<int64_t>(cur.size)) {
        job.error = "the sampler chain selected no token";
        return false;
    }
    token = cur.data[cur.selected].id;
    job.watermark.previous = token;
    return true;
}

// Records a sampled token (of the speculative loop); the reason the loop ends with it, or nullptr to go on.
const char * emit(const std::shared_ptr<Job> & job, llama_token token, int32_t source) {
    const LinkedLlama & api = *job->api;
    const double now = monotonic_ms();
    if (job->sampled.empty()) job->first_token_ms = now;
    job->last_token_ms = now;
    job->sampled.push_back(token);
    job->sources.push_back(source);
    if (!job->use_draft_model) job->lookup.history.push_back(token);
    if (job->stream) post(job, false, {token});
    const llama_vocab * vocab = api.model_get_vocab(api.get_model(job->ctx));
    if (api.vocab_is_eog(vocab, token) || std::find(job->stop_tokens.begin(), job->stop_tokens.end(), token) != job->stop_tokens.end()) {
        return "eos";
    }
    if (job->penalties != nullptr) api.sampler_accept(job->penalties, token);
    if (static_cast<int32_t>(job->sampled.size()) >= job->max_tokens) return "maxTokens";
    return nullptr;
}

// The speculative rounds (see the top of this file), from the prompt's last logits on, until the slice's time is up.
void run_speculative(const std::shared_ptr<Job> & job, double deadline) {
    Job & j = *job;
    const LinkedLlama & api = *j.api;
    if (!j.have_next) {
        llama_token token = 0;
        if (!sample_token(j, -1, token)) return finish(job, "error");
        if (const char * reason = emit(job, token, 0)) return finish(job, reason);
        j.next = token;
        j.have_next = true;
    }
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(j.ctx)));
    while (true) {
        if (j.cancelled.load()) return finish(job, "cancelled");
        // Never evaluates past what the plain loop would: it evaluates at most max_tokens − 1 sampled tokens.
        const int32_t remaining = j.max_tokens - static_cast<int32_t>(j.sampled.size());
        const int32_t room = std::max(0, std::min({remaining - 1, j.draft_max, n_batch - 1}));
        const double started = monotonic_ms();
        if (j.use_draft_model) {
            if (!j.draft.propose(api, j.next, room, j.drafts, j.error)) return finish(job, "error");
        } else {
            j.lookup.propose(room, j.drafts);
        }
        const double drafted_at = monotonic_ms();
        j.draft_ms += drafted_at - started;
        const int32_t k = static_cast<int32_t>(j.drafts.size());
        j.batch.n_tokens = k + 1;
        for (int32_t i = 0; i <= k; ++i) {
            j.batch.token[i] = i == 0 ? j.next : j.drafts[i - 1];
            j.batch.pos[i] = j.pos + i;
            j.batch.n_seq_id[i] = 1;
            j.batch.seq_id[i][0] = j.seq;
            j.batch.logits[i] = true;
        }
        const llama_pos base = j.pos;
        if (!decode(job, k + 1)) return finish(job, "error");
        ++j.rounds;
        j.drafted += k;
        int32_t last_index = 0;
        int32_t hits = 0;
        const char * reason = nullptr;
        for (int32_t i = 0; i <= k; ++i) {
            llama_token token = 0;
            if (!sample_token(j, i, token)) return finish(job, "error");
            const bool hit = i < k && token == j.drafts[i];
            if (i < k && !hit) {
                j.rejected.push_back(static_cast<int32_t>(j.sampled.size()));
                j.rejected.push_back(j.drafts[i]);
            }
            last_index = i;
            hits += hit ? 1 : 0;
            reason = emit(job, token, hit ? 1 : 0);
            j.next = token;
            if (reason != nullptr || !hit) break;
        }
        j.verify_ms += monotonic_ms() - drafted_at;
        j.accepted += hits;
        // Kept: the token the round started from and the drafts sampled before the last sampled token.
        const int32_t valid = 1 + last_index;
        j.pos = base + valid;
        api.memory_seq_rm(api.get_memory(j.ctx), j.seq, j.pos, -1);
        j.decoded = j.pos - j.start;
        if (j.use_draft_model) j.draft.settle(api, j.drafts, valid - 1);
        if (reason != nullptr) return finish(job, reason);
        if (monotonic_ms() > deadline) return;
    }
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
    if (job->draft_max > 0) return run_speculative(job, deadline);
    while (true) {
        llama_token token = 0;
        if (!sample_token(*job, -1, token)) return finish(job, "error");
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
        set_named(env, payload, "tokens", make_int32_array(env, job.sampled));
        set_number(env, payload, "decoded", job.decoded);
        set_string(env, payload, "reason", job.reason);
        if (!job.error.empty()) set_string(env, payload, "error", job.error);
        set_number(env, payload, "firstTokenMs", job.first_token_ms);
        set_number(env, payload, "lastTokenMs", job.last_token_ms);
        if (job.draft_max > 0) {
            napi_value speculative;
            napi_create_object(env, &speculative);
            const std::pair<const char *, double> numbers[] = {
                {"drafted", job.drafted}, {"accepted", job.accepted}, {"rounds", job.rounds}, {"draftMs", job.draft_ms},
                {"verifyMs", job.verify_ms}, {"draftDecoded", static_cast<double>(job.draft.pos - job.draft.start)},
            };
            for (const auto & [name, number] : numbers) set_number(env, speculative, name, number);
            set_named(env, speculative, "sources", make_int32_array(env, job.sources));
            set_named(env, speculative, "rejected", make_int32_array(env, job.rejected));
            set_named(env, payload, "speculative", speculative);
        }
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

// options.speculative: { maxDraft, draft?: { contextId, sequenceId, startPosition, pending, minProbability },
// lookup?: { history, ngramMin, ngramMax } } (exactly one of draft and lookup); nullptr or the TypeError's message.
const char * read_speculative(napi_env env, napi_value options, Job & job) {
    double max_draft = 0;
    if (!get_optional_double(env, options, "maxDraft", max_draft) || max_draft < 1) return "speculative.maxDraft must be a number ≥ 1";
    job.draft_max = static_cast<int32_t>(max_draft);
    napi_value draft, lookup;
    const bool has_draft = get_optional_property(env, options, "draft", &draft);
    const bool has_lookup = get_optional_property(env, options, "lookup", &lookup);
    if (has_draft == has_lookup) return "speculative needs exactly one of draft and lookup";
    if (has_draft) {
        double context_id = -1, sequence = -1, start = -1, min_probability = 0.75;
        if (!get_optional_double(env, draft, "contextId", context_id) || context_id < 0) return "speculative.draft.contextId must be a number";
        job.draft.ctx = tracked_context(static_cast<uint32_t>(context_id));
        if (job.draft.ctx == nullptr) return "the draft model's context is not alive";
        if (!get_optional_double(env, draft, "sequenceId", sequence) || sequence < 0) return "speculative.draft.sequenceId must be a number";
        if (!get_optional_double(env, draft, "startPosition", start) || start < 0) return "speculative.draft.startPosition must be a number";
        if (!get_optional_double(env, draft, "minProbability", min_probability)) return "speculative.draft.minProbability must be a number";
        if (!get_optional_int32_array(env, draft, "pending", job.draft.pending)) return "speculative.draft.pending must be an array of token ids";
        job.draft.seq = static_cast<llama_seq_id>(sequence);
        job.draft.start = job.draft.pos = static_cast<llama_pos>(start);
        job.draft.min_probability = static_cast<float>(min_probability);
        job.use_draft_model = true;
        return nullptr;
    }
    double ngram_min = 1, ngram_max = 3;
    if (!get_optional_double(env, lookup, "ngramMin", ngram_min) || ngram_min < 1) return "speculative.lookup.ngramMin must be a number ≥ 1";
    if (!get_optional_double(env, lookup, "ngramMax", ngram_max) || ngram_max < ngram_min) return "speculative.lookup.ngramMax must be ≥ ngramMin";
    if (!get_optional_int32_array(env, lookup, "history", job.lookup.history)) return "speculative.lookup.history must be an array of token ids";
    job.lookup.ngram_min = static_cast<int32_t>(ngram_min);
    job.lookup.ngram_max = static_cast<int32_t>(ngram_max);
    return nullptr;
}

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
    napi_value watermark;
    if (get_optional_property(env, options, "watermark", &watermark)) {
        double key_hash = 0, threshold = 0, delta = 0, previous = 0;
        if (!get_optional_double(env, watermark, "keyHash", key_hash) || !get_optional_double(env, watermark, "threshold", threshold)
            || !get_optional_double(env, watermark, "delta", delta) || !get_optional_double(env, watermark, "previous", previous)) {
            return throw_type_error(env, "watermark needs numbers keyHash, threshold, delta, previous");
        }
        napi_value hard;
        if (get_optional_property(env, watermark, "hard", &hard)) napi_get_value_bool(env, hard, &job->watermark.hard);
        job->watermark.on = true;
        job->watermark.key_hash = static_cast<uint32_t>(key_hash);
        job->watermark.threshold = static_cast<uint32_t>(threshold);
        job->watermark.delta = static_cast<float>(delta);
        job->watermark.previous = static_cast<llama_token>(previous);
    }
    napi_value speculative;
    if (get_optional_property(env, options, "speculative", &speculative)) {
        if (const char * problem = read_speculative(env, speculative, *job)) return throw_type_error(env, problem);
    }

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
