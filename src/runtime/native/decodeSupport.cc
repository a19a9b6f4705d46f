#include "decodeSupport.h"

#include <time.h>

namespace promptscope {

double monotonic_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::string decode_failure(int32_t code) {
    if (code == 1) return "llama_decode found no KV slot for the batch (the context is full)";
    if (code == 2) return "llama_decode was aborted";
    return "llama_decode failed with code " + std::to_string(code);
}

}  // namespace promptscope
