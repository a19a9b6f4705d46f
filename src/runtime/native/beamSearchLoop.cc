// Beam search (src/core/decoding/beamSearch.ts: the same search, step for step) run inside the addon: each step
// evaluates every open beam's newest token in one llama_batch, reduces each row to its top k + |end tokens| raw
// log-probabilities (rowStatistics.cc), ranks the extensions group by group (diverse beam search's Hamming penalty),
// and forks and prunes the sequences (llama_memory_seq_cp / seq_rm: metadata in contextHook.cc's unified KV stream)
// before the next step, without going back to JavaScript. Driven from JavaScript step by step (sequenceStep.cc's
// decodeStep), beam search on the 100m fixture cost 2.27× greedy generation on 2 cores against ~1.4× for the batches
// alone: each step's return to the main thread, with ggml's compute threads and Node's thread on two cores, cost as
// much as a third of a step. BENCHMARKS.md "Beam search" has the breakdown.
//
// The result is the search tree, node by node in the order the search made them (step by step, group by group, down
// each group's ranking); JavaScript builds the hypotheses and scores from it (core/decoding/beamSearch.ts's own
// functions), so the numbers are the ones the TypeScript search computes: cumulative log-probabilities are summed in
// double from the float log-probabilities the rows give, the ranking is log P − λ × count, ties to the earlier beam,
// then the lower token id.
//
// Runs in slices on the thread pool like the other loops (at most kSliceMs each, then the main thread queues the
// next), cancelled between steps. The prompt but its last token is in the first sequence when it starts, the others
// are empty; on return every sequence holds some beam's cells, which the caller removes.
#include "beamSearchLoop.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "contextHook.h"
#include "decodeSupport.h"
#include "llama.h"
#include "napiArgs.h"
#include "rowStatistics.h"

namespace promptscope {

namespace {

enum NodeKind : int32_t { kKept = 0, kFinished = 1, kPruned = 2 };

struct Beam {
    llama_seq_id parent_slot = 0;  // the sequence holding this beam's cells but its newest token's
    int32_t group = -1;            // -1: the empty beam of step 1, which every group extends
    double logprob = 0;
    llama_token newest = 0;
    int32_t length = 0;            // tokens after the prompt
};

struct Extension {
    int32_t parent = 0;
    llama_token token = 0;
    float token_logprob = 0;
    double logprob = 0;
    double penalty = 0;
};

struct Job {
    const LinkedLlama * api = nullptr;
    llama_context * ctx = nullptr;
    std::vector<llama_seq_id> slots;
    int32_t prompt_length = 0;
    int32_t beams = 0;
    int32_t max_tokens = 0;
    int32_t groups = 1;
    double lambda = 0;
    std::vector<llama_token> end_tokens;

    std::vector<Beam> open;
    int32_t step = 0;
    bool started = false;
    llama_batch batch{};
    std::vector<int32_t> order;
    std::vector<int32_t> top_ids;
    std::vector<float> top_logprobs;

    // The tree, one entry per node.
    std::vector<int32_t> node_step, node_kind, node_parent, node_token, node_group;
    std::vector<double> node_logprob, node_penalty;
    std::vector<float> node_token_logprob;

    std::atomic<bool> cancelled{false};
    bool finished = false;
    std::string reason;
    std::string error;
    int32_t decode_calls = 0;
    // Where the loop's time went, in ms: llama_decode, the rows' top-k reduction, the rest of the steps (ranking, forks).
    double decode_ms = 0, reduce_ms = 0, loop_ms = 0;
    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
};

bool is_end(const Job & job, llama_token token) {
    return std::find(job.end_tokens.begin(), job.end_tokens.end(), token) != job.end_tokens.end();
}

void record(Job & job, NodeKind kind, int32_t parent, const Extension & e, int32_t group) {
    job.node_step.push_back(job.step);
    job.node_kind.push_back(kind);
    job.node_parent.push_back(parent);
    job.node_token.push_back(e.token);
    job.node_group.push_back(group);
    job.node_logprob.push_back(e.logprob);
    job.node_penalty.push_back(e.penalty);
    job.node_token_logprob.push_back(e.token_logprob);
}

// The sequences of this step: a parent's first child keeps its sequence, further children get a freed one, emptied and
// given the parent's cells (runBeamSearch's rule before this loop).
bool assign_slots(Job & job, std::vector<llama_seq_id> & assigned) {
    const LinkedLlama & api = *job.api;
    llama_memory_t memory = api.get_memory(job.ctx);
    std::vector<bool> taken(job.open.size(), false);
    std::vector<llama_seq_id> used;
    for (size_t i = 0; i < job.open.size(); ++i) {
        const llama_seq_id slot = job.open[i].parent_slot;
        if (std::find(used.begin(), used.end(), slot) == used.end()) {
            used.push_back(slot);
            assigned[i] = slot;
            taken[i] = true;
        }
    }
    std::vector<llama_seq_id> free;
    for (llama_seq_id slot : job.slots) {
        if (std::find(used.begin(), used.end(), slot) != used.end()) continue;
        api.memory_seq_rm(memory, slot, 0, -1);
        free.push_back(slot);
    }
    size_t next_free = 0;
    for (size_t i = 0; i < job.open.size(); ++i) {
        if (taken[i]) continue;
        if (next_free >= free.size()) {
            job.error = "beam search ran out of sequences";
            return false;
        }
        assigned[i] = free[next_free++];
        api.memory_seq_cp(memory, job.open[i].parent_slot, assigned[i], 0, -1);
    }
    return true;
}

// One step: decode the open beams' newest tokens, rank, keep, prune. False on a failure (job.error says which).
bool run_step(Job & job) {
    const LinkedLlama & api = *job.api;
    ++job.step;
    const int32_t n = static_cast<int32_t>(job.open.size());
    std::vector<llama_seq_id> assigned(n);
    if (!assign_slots(job, assigned)) return false;

    const int32_t n_vocab = api.vocab_n_tokens(api.model_get_vocab(api.get_model(job.ctx)));
    const int32_t k = std::min<int32_t>(job.beams + static_cast<int32_t>(job.end_tokens.size()), n_vocab);
    job.top_ids.assign(static_cast<size_t>(n) * k, 0);
    job.top_logprobs.assign(static_cast<size_t>(n) * k, 0);
    const int32_t n_batch = std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(job.ctx)));
    for (int32_t done = 0; done < n;) {
        const int32_t count = std::min(n_batch, n - done);
        job.batch.n_tokens = count;
        for (int32_t i = 0; i < count; ++i) {
            const Beam & beam = job.open[done + i];
            job.batch.token[i] = beam.newest;
            job.batch.pos[i] = job.prompt_length - 1 + beam.length;
            job.batch.n_seq_id[i] = 1;
            job.batch.seq_id[i][0] = assigned[done + i];
            job.batch.logits[i] = true;
        }
        const double decode_start = monotonic_ms();
        const int32_t code = api.decode(job.ctx, job.batch);
        const double decode_end = monotonic_ms();
        job.decode_ms += decode_end - decode_start;
        ++job.decode_calls;
        if (code != 0) {
            job.error = decode_failure(code);
            return false;
        }
        for (int32_t i = 0; i < count; ++i) {
            const float * logits = api.get_logits_ith(job.ctx, i);
            if (logits == nullptr) {
                job.error = "llama.cpp returned no logits for a beam";
                return false;
            }
            const size_t row = static_cast<size_t>(done + i) * k;
            row_top_logprobs(logits, n_vocab, k, job.top_ids.data() + row, job.top_logprobs.data() + row, job.order);
        }
        job.reduce_ms += monotonic_ms() - decode_end;
        done += count;
    }

    const int32_t per_group = job.beams / job.groups;
    std::vector<Beam> next;
    std::vector<llama_token> chosen;  // the tokens the groups so far kept this step, once per beam
    std::vector<Extension> extensions;
    std::vector<llama_token> kept_tokens;
    for (int32_t group = 0; group < job.groups; ++group) {
        extensions.clear();
        for (int32_t i = 0; i < n; ++i) {
            const Beam & beam = job.open[i];
            if (beam.group != group && beam.group != -1) continue;
            for (int32_t j = 0; j < k; ++j) {
                Extension e;
                e.parent = i;
                e.token = job.top_ids[static_cast<size_t>(i) * k + j];
                e.token_logprob = job.top_logprobs[static_cast<size_t>(i) * k + j];
                e.logprob = beam.logprob + static_cast<double>(e.token_logprob);
                const auto times = std::count(chosen.begin(), chosen.end(), e.token);
                e.penalty = job.lambda * static_cast<double>(times);
                extensions.push_back(e);
            }
        }
        std::sort(extensions.begin(), extensions.end(), [](const Extension & a, const Extension & b) {
            const double ra = a.logprob - a.penalty, rb = b.logprob - b.penalty;
            if (ra != rb) return ra > rb;
            if (a.parent != b.parent) return a.parent < b.parent;
            return a.token < b.token;
        });
        kept_tokens.clear();
        for (const Extension & e : extensions) {
            const int32_t parent = job.step == 1 ? -1 : e.parent;
            if (static_cast<int32_t>(kept_tokens.size()) >= per_group) {
                record(job, kPruned, parent, e, group);
            } else if (is_end(job, e.token)) {
                record(job, kFinished, parent, e, group);
            } else {
                record(job, kKept, parent, e, group);
                Beam child;
                child.parent_slot = assigned[e.parent];
                child.group = group;
                child.logprob = e.logprob;
                child.newest = e.token;
                child.length = job.open[e.parent].length + 1;
                next.push_back(child);
                kept_tokens.push_back(e.token);
            }
        }
        chosen.insert(chosen.end(), kept_tokens.begin(), kept_tokens.end());
    }
    job.open = std::move(next);
    return true;
}

void run_slice(Job & job) {
    const LinkedLlama & api = *job.api;
    if (!job.started) {
        job.batch = api.batch_init(std::min<int32_t>(job.beams, std::max<int32_t>(1, static_cast<int32_t>(api.n_batch(job.ctx)))), 0, 1);
        job.started = true;
    }
    const double deadline = monotonic_ms() + kSliceMs;
    for (;;) {
        if (job.cancelled.load()) {
            job.reason = "cancelled";
            break;
        }
        if (job.step >= job.max_tokens || job.open.empty()) {
            job.reason = "done";
            break;
        }
        const double step_start = monotonic_ms();
        const bool ok = run_step(job);
        job.loop_ms += monotonic_ms() - step_start;
        if (!ok) {
            job.reason = "error";
            break;
        }
        if (monotonic_ms() > deadline) return;
    }
    api.batch_free(job.batch);
    job.started = false;
    job.finished = true;
}

void execute_slice(napi_env, void * data) {
    run_slice(**static_cast<std::shared_ptr<Job> *>(data));
}

void resolve(napi_env env, Job & job) {
    if (!job.error.empty()) {
        napi_value message, error;
        napi_create_string_utf8(env, job.error.c_str(), NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, nullptr, message, &error);
        napi_reject_deferred(env, job.deferred, error);
        return;
    }
    napi_value result;
    napi_create_object(env, &result);
    const size_t nodes = job.node_step.size();
    set_typed(env, result, "step", napi_int32_array, job.node_step.data(), nodes, sizeof(int32_t));
    set_typed(env, result, "kind", napi_int32_array, job.node_kind.data(), nodes, sizeof(int32_t));
    set_typed(env, result, "parent", napi_int32_array, job.node_parent.data(), nodes, sizeof(int32_t));
    set_typed(env, result, "token", napi_int32_array, job.node_token.data(), nodes, sizeof(int32_t));
    set_typed(env, result, "group", napi_int32_array, job.node_group.data(), nodes, sizeof(int32_t));
    set_typed(env, result, "logprob", napi_float64_array, job.node_logprob.data(), nodes, sizeof(double));
    set_typed(env, result, "penalty", napi_float64_array, job.node_penalty.data(), nodes, sizeof(double));
    set_typed(env, result, "tokenLogprob", napi_float32_array, job.node_token_logprob.data(), nodes, sizeof(float));
    set_number(env, result, "steps", job.step);
    set_number(env, result, "decodeCalls", job.decode_calls);
    set_number(env, result, "decodeMs", job.decode_ms);
    set_number(env, result, "reduceMs", job.reduce_ms);
    set_number(env, result, "loopMs", job.loop_ms);
    set_bool(env, result, "cancelled", job.reason == "cancelled");
    napi_resolve_deferred(env, job.deferred, result);
}

void queue_slice(napi_env env, std::shared_ptr<Job> * held);

void slice_done(napi_env env, napi_status, void * data) {
    auto * held = static_cast<std::shared_ptr<Job> *>(data);
    napi_delete_async_work(env, (*held)->work);
    (*held)->work = nullptr;
    if ((*held)->finished) {
        resolve(env, **held);
        delete held;
    } else {
        queue_slice(env, held);
    }
}

void queue_slice(napi_env env, std::shared_ptr<Job> * held) {
    napi_value name;
    napi_create_string_utf8(env, "promptscope.beamSearch", NAPI_AUTO_LENGTH, &name);
    napi_async_work work = nullptr;
    if (napi_create_async_work(env, nullptr, name, execute_slice, slice_done, held, &work) != napi_ok
        || napi_queue_async_work(env, work) != napi_ok) {
        if (work != nullptr) napi_delete_async_work(env, work);
        Job & job = **held;
        if (job.started) job.api->batch_free(job.batch);
        job.error = "could not queue the beam search on the thread pool";
        resolve(env, job);
        delete held;
        return;
    }
    (*held)->work = work;
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

// beamSearch(contextId, sequenceIds, promptLength, lastPromptToken, beams, maxTokens, groups, diversityPenalty, endTokens)
//   -> { result: Promise<{ step, kind, parent, token, group, logprob, penalty, tokenLogprob, steps, decodeCalls, decodeMs,
//   reduceMs, loopMs, cancelled }>, cancel() }
// sequenceIds: the `beams` sequences the search may use, the first holding the prompt's first promptLength − 1 tokens.
// kind: 0 kept, 1 ended, 2 pruned; parent: the index among the previous step's kept nodes (−1 at step 1).
napi_value beam_search(napi_env env, napi_callback_info info) {
    size_t argc = 9;
    napi_value argv[9];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 9) return throw_type_error(env, "beamSearch expects 9 arguments");
    auto job = std::make_shared<Job>();
    job->api = linked_llama();
    if (job->api == nullptr) return throw_type_error(env, "the context hook is not installed (call trackContexts first)");
    uint32_t context_id = 0;
    if (napi_get_value_uint32(env, argv[0], &context_id) != napi_ok) return throw_type_error(env, "contextId must be a number");
    job->ctx = tracked_context(context_id);
    if (job->ctx == nullptr) return throw_type_error(env, "that context is not alive");
    std::vector<int32_t> slots;
    if (!get_int32_array(env, argv[1], slots)) return throw_type_error(env, "sequenceIds must be an array of numbers");
    job->slots.assign(slots.begin(), slots.end());
    int32_t last_token = 0;
    if (napi_get_value_int32(env, argv[2], &job->prompt_length) != napi_ok || napi_get_value_int32(env, argv[3], &last_token) != napi_ok
        || napi_get_value_int32(env, argv[4], &job->beams) != napi_ok || napi_get_value_int32(env, argv[5], &job->max_tokens) != napi_ok
        || napi_get_value_int32(env, argv[6], &job->groups) != napi_ok || napi_get_value_double(env, argv[7], &job->lambda) != napi_ok) {
        return throw_type_error(env, "promptLength, lastPromptToken, beams, maxTokens, groups and diversityPenalty must be numbers");
    }
    if (!get_int32_array(env, argv[8], job->end_tokens)) return throw_type_error(env, "endTokens must be an array of token ids");
    if (job->prompt_length < 1 || job->beams < 1 || job->max_tokens < 1 || job->groups < 1 || job->beams % job->groups != 0
        || !(job->lambda >= 0) || static_cast<int32_t>(job->slots.size()) != job->beams) {
        return throw_type_error(env, "beamSearch needs promptLength ≥ 1, beams ≥ 1 sequences, maxTokens ≥ 1, groups dividing beams, diversityPenalty ≥ 0");
    }
    Beam root;
    root.parent_slot = job->slots[0];
    root.newest = last_token;
    job->open.push_back(root);

    napi_value handle, promise, cancel_function;
    napi_create_object(env, &handle);
    napi_create_promise(env, &job->deferred, &promise);
    napi_set_named_property(env, handle, "result", promise);
    auto * held = new std::shared_ptr<Job>(job);
    napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, cancel, held, &cancel_function);
    napi_add_finalizer(env, cancel_function, held, release_handle, nullptr, nullptr);
    napi_set_named_property(env, handle, "cancel", cancel_function);
    queue_slice(env, new std::shared_ptr<Job>(job));
    return handle;
}

}  // namespace promptscope
