// What the addon's loops on node-llama-cpp contexts (generationLoop.cc, multiSequenceLoop.cc, sequenceStep.cc) share
// besides the sampler chain: their clock and how a failed llama_decode reads.
#pragma once

#include <cstdint>
#include <string>

namespace promptscope {

// Milliseconds on CLOCK_MONOTONIC, the clock of process.hrtime (JavaScript converts).
double monotonic_ms();

// What llama_decode's return `code` means, for an error message.
std::string decode_failure(int32_t code);

// How long one slice of a loop may hold the thread pool before it lets other work in (see generationLoop.cc).
constexpr double kSliceMs = 50;

}  // namespace promptscope
