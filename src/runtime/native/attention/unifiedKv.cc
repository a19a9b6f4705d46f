// One KV stream shared by every sequence of node-llama-cpp's multi-sequence contexts.
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
// redirects that addon's import of `llama_init_from_model` (its GOT slot: ELF relocations of type JUMP_SLOT or
// GLOB_DAT naming the symbol) to a wrapper that sets `kv_unified` for contexts of more than one sequence and calls the
// real function, found with dlsym in the libraries that addon itself links. The wrapper's parameter struct comes from
// the same llama.h node-llama-cpp was built from (the build uses the llama.cpp tag node-llama-cpp ships).
//
// Linux only (glibc's dl_iterate_phdr and ELF64); elsewhere `unifyMultiSequenceKv` reports that it did nothing and
// contexts keep separate streams (correct, slower).
#include "unifiedKv.h"

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "llama.h"

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

InitFromModel real_init_from_model = nullptr;

llama_context * init_from_model_unified_when_shared(llama_model * model, llama_context_params params) {
    if (params.n_seq_max > 1) params.kv_unified = true;
    return real_init_from_model(model, params);
}

#ifdef PROMPTSCOPE_CAN_PATCH_GOT

#if defined(__x86_64__)
constexpr uint32_t kJumpSlot = R_X86_64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_X86_64_GLOB_DAT;
#else
constexpr uint32_t kJumpSlot = R_AARCH64_JUMP_SLOT;
constexpr uint32_t kGlobDat = R_AARCH64_GLOB_DAT;
#endif

constexpr const char * kSymbol = "llama_init_from_model";
constexpr const char * kAddonFile = "/llama-addon.node";

struct PatchState {
    int slots = 0;
    std::string object;
    std::string error;
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

    // The real function: the one this addon's own dependencies provide (the libllama node-llama-cpp loaded).
    void * handle = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
    void * real = handle != nullptr ? dlsym(handle, kSymbol) : nullptr;
    if (handle != nullptr) dlclose(handle);
    if (real == nullptr) {
        state->error = std::string("dlsym found no ") + kSymbol + " for it";
        return 1;
    }
    real_init_from_model = reinterpret_cast<InitFromModel>(real);

    const auto patch_table = [&](const ElfW(Rela) * relocs, size_t bytes) {
        if (relocs == nullptr) return;
        for (size_t i = 0; i < bytes / sizeof(ElfW(Rela)); ++i) {
            const ElfW(Rela) & r = relocs[i];
            const uint32_t type = ELF64_R_TYPE(r.r_info);
            if (type != kJumpSlot && type != kGlobDat) continue;
            const ElfW(Sym) & sym = symbols[ELF64_R_SYM(r.r_info)];
            if (std::strcmp(strings + sym.st_name, kSymbol) != 0) continue;
            if (!write_slot(info, info->dlpi_addr + r.r_offset, reinterpret_cast<void *>(&init_from_model_unified_when_shared))) {
                state->error = "mprotect refused to make its GOT writable";
                return;
            }
            state->slots++;
        }
    };
    patch_table(jump_relocs, jump_bytes);
    patch_table(data_relocs, data_bytes);
    if (state->slots == 0 && state->error.empty()) state->error = std::string("it imports no ") + kSymbol;
    return 1;
}

#endif  // PROMPTSCOPE_CAN_PATCH_GOT

}  // namespace

// unifyMultiSequenceKv() -> string | null: null once node-llama-cpp's contexts of more than one sequence get one unified
// KV stream (idempotent); otherwise why not (they keep one stream per sequence).
napi_value unify_multi_sequence_kv(napi_env env, napi_callback_info) {
    static std::mutex mutex;
    static bool done = false;
    static std::string failure;
    std::lock_guard<std::mutex> lock(mutex);
#ifdef PROMPTSCOPE_CAN_PATCH_GOT
    if (!done) {
        PatchState state;
        dl_iterate_phdr(patch_object, &state);
        if (state.object.empty()) {
            // Not loaded yet: say so and try again next time (node-llama-cpp loads its addon with the first model).
            napi_value message;
            napi_create_string_utf8(env, "node-llama-cpp's llama-addon.node is not loaded yet", NAPI_AUTO_LENGTH, &message);
            return message;
        }
        done = true;
        if (state.slots == 0) failure = state.object + ": " + state.error;
    }
#else
    done = true;
    failure = "only supported on Linux x86-64 and arm64";
#endif
    napi_value result;
    if (failure.empty()) {
        napi_get_null(env, &result);
    } else {
        napi_create_string_utf8(env, failure.c_str(), NAPI_AUTO_LENGTH, &result);
    }
    return result;
}

}  // namespace promptscope
