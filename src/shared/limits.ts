/**
 * Limits the runtime enforces on requests, in one place: the runtime host checks them, and the CLI, the extension and
 * the webview pages state them in flags, messages and forms without restating the numbers.
 */

/** Longest prompt (with any generated tokens after it) an attention map is made for: beyond it the maps are too large to send and draw. */
export const maxAttentionTokens = 512;

/** Most paths of one multi-sample request: each path holds a full context's worth of KV cells. */
export const maxSamplePaths = 64;

/** Most alternatives a token probabilities request lists per position. */
export const maxProbabilityAlternatives = 100;

/** Largest sampling seed: llama.cpp's seeds are unsigned 32-bit integers. */
export const maxSeed = 2 ** 32 - 1;
