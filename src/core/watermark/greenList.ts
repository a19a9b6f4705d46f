// The green lists of the watermark (Kirchenbauer et al. 2023, "A Watermark for Large Language Models"), as one
// exactly specified hash so that any implementation reproduces them (the native sampler in
// src/runtime/native/generationLoop.cc computes the same):
//
//   keyHash        = FNV-1a 32-bit of the key's UTF-8 bytes (offset basis 0x811C9DC5, prime 0x01000193)
//   fmix32(h)      = MurmurHash3's finalizer: h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16
//                    (all arithmetic on unsigned 32-bit integers, products modulo 2^32)
//   seed(prev)     = fmix32(keyHash XOR fmix32(prev XOR 0x9E3779B9))       prev: the id of the token before
//   green(prev, t) ⇔ fmix32(seed(prev) XOR fmix32(t + 0x85EBCA6B mod 2^32)) < floor(γ · 2^32)
//
// So each token is green with probability γ, independently of the others, for a given previous token (a context
// width of one token, the paper's h = 1). The paper permutes the vocabulary and takes its first γ|V| ids; per-token
// hashing gives the same expected fraction and the same null distribution for the z-test, and costs two hashes a token.

/** FNV-1a 32-bit hash of the key's UTF-8 bytes. */
export function watermarkKeyHash(key: string): number {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(key)) {
        hash ^= byte;
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
}

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(value: number): number {
    let h = value >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    return h >>> 0;
}

/** floor(γ · 2^32): a token is green when its hash is below it. */
export function greenThreshold(gamma: number): number {
    return Math.floor(gamma * 4294967296);
}

/** The per-step seed after token `previous`. */
export function stepSeed(keyHash: number, previous: number): number {
    return fmix32((keyHash ^ fmix32((previous ^ 0x9e3779b9) >>> 0)) >>> 0);
}

/** Whether `token` is green after the step seeded `seed`. */
export function isGreen(seed: number, token: number, threshold: number): boolean {
    return fmix32((seed ^ fmix32((token + 0x85ebca6b) >>> 0)) >>> 0) < threshold;
}
