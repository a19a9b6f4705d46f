// node-llama-cpp's contexts, seen from inside its native addon: one KV stream for its multi-sequence contexts, and
// the `llama_context` of each context it creates, for Promptscope's native generation loop (generationLoop.cc).
//
// node-llama-cpp 3.22.1 creates every context with `kv_unified = false` (hard-coded in AddonContext.cpp), which gives
// each sequence its own KV stream. Promptscope's only multi-sequence contexts are the self-consistency ones, whose
// sequences all continue one prompt: with separate streams, the prompt's cells are copied into every stream and each
// path's decode reads its own copy (8 paths over a 600-token prompt read ~180 MB of K/V per step on the 100m fixture,
// as much as the weights). With one unified stream the copy is metadata only (the cells gain sequence ids) and a
// step's attention reads the shared cells once. Measured on the 100m fixture, 2 threads, 8 paths: a step at depth 600
// took 52–63 ms with separate streams against ~36 ms for llama-bench's pp8 at that depth.
//
// The setting is fixed when llama.cpp creates the context, inside node-llama-cpp's native addon, so this file
// redirects that addon's imports of `llama_init_from_model` and `llama_free` (their GOT slots: ELF relocations of type
// JUMP_SLOT or GLOB_DAT naming the symbol) to wrappers: the first sets `kv_unified` for contexts of more than one
// sequence (once asked to) and records every context it returns under a serial number; the second forgets it before
// freeing it. The real functions, and every llama.cpp function the generation loop calls on those contexts, are found
// with dlsym in the libraries that addon itself links: node-llama-cpp may run a local build of llama.cpp
// (`promptscope build-runtime`) while this addon links the prebuilt one, and a context must only be touched by the
// library that made it. The parameter struct comes from the same llama.h node-llama-cpp was built from (the build
// uses the llama.cpp tag node-llama-cpp ships).
//
// Linux only (glibc's dl_iterate_phdr and ELF64); elsewhere the hook reports that it did nothing: contexts keep
// separate streams (correct, slower) and generation stays on node-llama-cpp's own token loop.
#include "contextHook.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>
#define PROMPTSCOPE_CAN_PATCH_GOT 1
#endif

namespace promptscope {

namespace {

using InitFromModel = llama_context * (*)(llama_model *, llama_context_params);
using FreeContext = void (*)(llama_context *);

InitFromModel real_init_from_model = nullptr;
FreeContext real_free = nullptr;
LinkedLlama linked;

std::atomic<bool> unify_shared_sequences{false};

std::mutex registry_mutex;
uint32_t last_serial = 0;
std::map<uint32_t, llama_context *> live_contexts;

llama_context * init_from_model_hooked(llama_model * model, llama_context_params params) {
    if (params.n_seq_max > 1 && unify_shared_sequences.load()) params.kv_unified = true;
    llama_context * ctx = real_init_from_model(model, params);
    if (ctx != nullptr) {
        std::lock_guard<std::mutex> lock(registry_mutex);
        live_contexts[++last_serial] = ctx;
    }
    return ctx;
}

void free_hooked(llama_context * ctx) {
    {
        std::lock_guard<std::mutex> lock(registry_mutex);
        for (auto it = live_contexts.begin(); it != live_contexts.end(); ++it) {
            if (it->second == ctx) {
                live_contexts.erase(it);
                break;
            }
        }
    }
    real_free(ctx);
}

#ifdef PROMPTSCOPE_CAN_PATCH_GOT

#if defined(__x86_64__)
constexpr uint32_t kJumpSlot = R_X86_64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_X86_64_GLOB_DAT;
#else
constexpr uint32_t kJumpSlot = R_AARCH64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_AARCH64_GLOB_DAT;
#endif

constexpr const char * kAddonFile = "/llama-addon.node";

struct PatchState {
    int init_slots = 0;
    int free_slots = 0;
    std::string object;
    std::string error;
    std::string missing;
};

bool ends_with(const char * s, const char * suffix) {
    const size_t n = std::strlen(s), m = std::strlen(suffix);
    return n >= m && std::strcmp(s + n - m, suffix) == 0;
}

// glibc relocates most d_ptr entries of a loaded object's dynamic section in place; some loaders leave them relative.
uintptr_t dyn_address(const dl_phdr_info * info, ElfW(Addr) value) {
    return value < info->dlpi_addr ? info->dlpi_addr + value : value;
}

bool write_slot(const dl_phdr_info * info, uintptr_t slot, void * value) {
    const uintptr_t page_size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t page = slot & ~(page_size - 1);
    bool in_relro = false;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr) & ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_GNU_RELRO) continue;
        const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (slot >= start && slot < start + ph.p_memsz) in_relro = true;
    }
    if (mprotect(reinterpret_cast<void *>(page), page_size, PROT_READ | PROT_WRITE) != 0) return false;
    std::memcpy(reinterpret_cast<void *>(slot), &value, sizeof value);
    // A slot under RELRO was read-only before: make it so again. Others were writable data all along.
    if (in_relro) mprotect(reinterpret_cast<void *>(page), page_size, PROT_READ);
    return true;
}

// Every function the generation loop needs, from the library the addon links; false names the first one missing.
template <typename F>
bool resolve(void * handle, const char * name, F & slot, std::string & missing) {
    slot = reinterpret_cast<F>(dlsym(handle, name));
    if (slot == nullptr && missing.empty()) missing = name;
    return slot != nullptr;
}

std::string resolve_linked(void * handle) {
    std::string missing;
    resolve(handle, "llama_decode", linked.decode, missing);
    resolve(handle, "llama_batch_init", linked.batch_init, missing);
    resolve(handle, "llama_batch_free", linked.batch_free, missing);
    resolve(handle, "llama_get_logits_ith", linked.get_logits_ith, missing);
    resolve(handle, "llama_get_model", linked.get_model, missing);
    resolve(handle, "llama_get_memory", linked.get_memory, missing);
    resolve(handle, "llama_memory_seq_rm", linked.memory_seq_rm, missing);
    resolve(handle, "llama_memory_seq_cp", linked.memory_seq_cp, missing);
    resolve(handle, "llama_n_batch", linked.n_batch, missing);
    resolve(handle, "llama_model_get_vocab", linked.model_get_vocab, missing);
    resolve(handle, "llama_vocab_n_tokens", linked.vocab_n_tokens, missing);
    resolve(handle, "llama_vocab_is_eog", linked.vocab_is_eog, missing);
    resolve(handle, "llama_token_to_piece", linked.token_to_piece, missing);
    resolve(handle, "llama_sampler_chain_default_params", linked.sampler_chain_default_params, missing);
    resolve(handle, "llama_sampler_chain_init", linked.sampler_chain_init, missing);
    resolve(handle, "llama_sampler_chain_add", linked.sampler_chain_add, missing);
    resolve(handle, "llama_sampler_init_greedy", linked.sampler_init_greedy, missing);
    resolve(handle, "llama_sampler_init_dist", linked.sampler_init_dist, missing);
    resolve(handle, "llama_sampler_init_top_k", linked.sampler_init_top_k, missing);
    resolve(handle, "llama_sampler_init_top_p", linked.sampler_init_top_p, missing);
    resolve(handle, "llama_sampler_init_min_p", linked.sampler_init_min_p, missing);
    resolve(handle, "llama_sampler_init_temp", linked.sampler_init_temp, missing);
    resolve(handle, "llama_sampler_init_penalties", linked.sampler_init_penalties, missing);
    resolve(handle, "llama_sampler_init_logit_bias", linked.sampler_init_logit_bias, missing);
    resolve(handle, "llama_sampler_apply", linked.sampler_apply, missing);
    resolve(handle, "llama_sampler_accept", linked.sampler_accept, missing);
    resolve(handle, "llama_sampler_free", linked.sampler_free, missing);
    return missing;
}

int patch_object(dl_phdr_info * info, size_t, void * data) {
    auto * state = static_cast<PatchState *>(data);
    if (info->dlpi_name == nullptr || !ends_with(info->dlpi_name, kAddonFile)) return 0;
    state->object = info->dlpi_name;

    const ElfW(Dyn) * dynamic = nullptr;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
            dynamic = reinterpret_cast<const ElfW(Dyn) *>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
        }
    }
    if (dynamic == nullptr) {
        state->error = "it has no dynamic section";
        return 1;
    }
    const ElfW(Sym) * symbols = nullptr;
    const char * strings = nullptr;
    const ElfW(Rela) * jump_relocs = nullptr;
    const ElfW(Rela) * data_relocs = nullptr;
    size_t jump_bytes = 0, data_bytes = 0;
    for (const ElfW(Dyn) * d = dynamic; d->d_tag != DT_NULL; ++d) {
        switch (d->d_tag) {
            case DT_SYMTAB: symbols = reinterpret_cast<const ElfW(Sym) *>(dyn_address(info, d->d_un.d_ptr)); break;
            case DT_STRTAB: strings = reinterpret_cast<const char *>(dyn_address(info, d->d_un.d_ptr)); break;
            case DT_JMPREL: jump_relocs = reinterpret_cast<const ElfW(Rela) *>(dyn_address(info, d->d_un.d_ptr)); break;
            case DT_PLTRELSZ: jump_bytes = d->d_un.d_val; break;
            case DT_RELA: data_relocs = reinterpret_cast<const ElfW(Rela) *>(dyn_address(info, d->d_un.d_ptr)); break;
            case DT_RELASZ: data_bytes = d->d_un.d_val; break;
            default: break;
        }
    }
    if (symbols == nullptr || strings == nullptr) {
        state->error = "it has no dynamic symbol table";
        return 1;
    }

    // The real functions: the ones this addon's own dependencies provide (the libllama node-llama-cpp loaded).
    void * handle = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
    if (handle == nullptr) {
        state->error = "dlopen could not reopen it";
        return 1;
    }
    real_init_from_model = reinterpret_cast<InitFromModel>(dlsym(handle, "llama_init_from_model"));
    real_free = reinterpret_cast<FreeContext>(dlsym(handle, "llama_free"));
    const std::string missing = resolve_linked(handle);
    dlclose(handle);
    if (real_init_from_model == nullptr || real_free == nullptr) {
        state->error = "dlsym found no llama_init_from_model or llama_free for it";
        return 1;
    }

    const auto patch_table = [&](const ElfW(Rela) * relocs, size_t bytes) {
        if (relocs == nullptr) return;
        for (size_t i = 0; i < bytes / sizeof(ElfW(Rela)); ++i) {
            const ElfW(Rela) & r = relocs[i];
            const uint32_t type = ELF64_R_TYPE(r.r_info);
            if (type != kJumpSlot && type != kGlobDat) continue;
            const char * name = strings + symbols[ELF64_R_SYM(r.r_info)].st_name;
            const bool is_init = std::strcmp(name, "llama_init_from_model") == 0;
            const bool is_free = !is_init && std::strcmp(name, "llama_free") == 0;
            if (!is_init && !is_free) continue;
            void * target = is_init ? reinterpret_cast<void *>(&init_from_model_hooked) : reinterpret_cast<void *>(&free_hooked);
            if (!write_slot(info, info->dlpi_addr + r.r_offset, target)) {
                state->error = "mprotect refused to make its GOT writable";
                return;
            }
            (is_init ? state->init_slots : state->free_slots)++;
        }
    };
    patch_table(jump_relocs, jump_bytes);
    patch_table(data_relocs, data_bytes);
    if (state->error.empty() && (state->init_slots == 0 || state->free_slots == 0)) {
        state->error = "it imports no llama_init_from_model or no llama_free";
    }
    if (!missing.empty()) state->missing = "its llama.cpp has no " + missing;
    return 1;
}

#endif  // PROMPTSCOPE_CAN_PATCH_GOT

std::mutex install_mutex;
bool installed = false;
// Why the hook is not in place; why the generation loop cannot run although it is.
std::string hook_failure;
std::string loop_failure;

// Installs the hook once node-llama-cpp's addon is loaded; false (and why) while that addon is not loaded yet.
bool install(std::string & not_yet) {
#ifdef PROMPTSCOPE_CAN_PATCH_GOT
    if (!installed) {
        PatchState state;
        dl_iterate_phdr(patch_object, &state);
        // Not loaded yet: say so and try again next time (node-llama-cpp loads its addon with the first model).
        if (state.object.empty()) {
            not_yet = "node-llama-cpp's llama-addon.node is not loaded yet";
            return false;
        }
        installed = true;
        if (!state.error.empty()) hook_failure = state.object + ": " + state.error;
        else if (!state.missing.empty()) loop_failure = state.object + ": " + state.missing;
    }
#else
    installed = true;
    hook_failure = "only supported on Linux x86-64 and arm64";
#endif
    return true;
}

napi_value string_or_null(napi_env env, const std::string & failure) {
    napi_value result;
    if (failure.empty()) {
        napi_get_null(env, &result);
    } else {
        napi_create_string_utf8(env, failure.c_str(), NAPI_AUTO_LENGTH, &result);
    }
    return result;
}

}  // namespace

const LinkedLlama * linked_llama() {
    std::lock_guard<std::mutex> lock(install_mutex);
    return installed && hook_failure.empty() && loop_failure.empty() ? &linked : nullptr;
}

llama_context * tracked_context(uint32_t id) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto it = live_contexts.find(id);
    return it == live_contexts.end() ? nullptr : it->second;
}

napi_value unify_multi_sequence_kv(napi_env env, napi_callback_info) {
    std::lock_guard<std::mutex> lock(install_mutex);
    std::string not_yet;
    if (!install(not_yet)) return string_or_null(env, not_yet);
    if (hook_failure.empty()) unify_shared_sequences = true;
    return string_or_null(env, hook_failure);
}

napi_value track_contexts(napi_env env, napi_callback_info) {
    std::lock_guard<std::mutex> lock(install_mutex);
    std::string not_yet;
    if (!install(not_yet)) return string_or_null(env, not_yet);
    return string_or_null(env, hook_failure.empty() ? loop_failure : hook_failure);
}

napi_value context_serial(napi_env env, napi_callback_info) {
    uint32_t serial;
    {
        std::lock_guard<std::mutex> lock(registry_mutex);
        serial = last_serial;
    }
    napi_value result;
    napi_create_uint32(env, serial, &result);
    return result;
}

napi_value contexts_since(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    uint32_t since = 0;
    if (argc < 1 || napi_get_value_uint32(env, argv[0], &since) != napi_ok) {
        napi_throw_type_error(env, nullptr, "contextsSince expects a serial number");
        return nullptr;
    }
    std::vector<uint32_t> ids;
    {
        std::lock_guard<std::mutex> lock(registry_mutex);
        for (auto it = live_contexts.upper_bound(since); it != live_contexts.end(); ++it) ids.push_back(it->first);
    }
    napi_value result;
    napi_create_array_with_length(env, ids.size(), &result);
    for (size_t i = 0; i < ids.size(); ++i) {
        napi_value id;
        napi_create_uint32(env, ids[i], &id);
        napi_set_element(env, result, static_cast<uint32_t>(i), id);
    }
    return result;
}

}  // namespace promptscope
