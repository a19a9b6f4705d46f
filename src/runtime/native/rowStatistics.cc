// Per-position reductions of raw logits. At real vocabulary sizes (152k–262k) they are a visible share of a generation
// step on small models: with libm's double exp and a partial sort over an index array, one 262k row cost 1.4 ms against
// a ~25 ms decode of the 100m gemma3 fixture, the difference between meeting and missing the probabilities-mode goal
// (≤ 1.15× plain generation). Here the exp runs in eight float lanes (GCC/Clang vector extensions, so the build needs no
// -march flag; on x86-64 Linux an AVX2 clone is picked at load time), and top-k scans blocks of eight against the k-th
// value so far, about 0.3 ms per 262k row. The figures are float noise away from the float64 ones: the sums stay in
// double, each exp is within 1e-7 relative of the true value.
#include "rowStatistics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

namespace promptscope {

namespace {

#if defined(__x86_64__) && defined(__linux__) && !defined(__clang__)
#define PROMPTSCOPE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PROMPTSCOPE_VECTOR_CLONES
#endif

typedef float F8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));

constexpr float kLowest = -87.0f;  // exp below this is under float's smallest normal: counted as 0
constexpr float kLog2E = 1.44269504088896341f;
constexpr float kLn2High = 0.693145751953125f;  // ln 2 split so that n · kLn2High is exact (Cody–Waite)
constexpr float kLn2Low = 1.428606765330187045e-06f;
constexpr float kRoundMagic = 12582912.0f;  // 1.5 · 2^23: adding and subtracting it rounds to the nearest integer

// exp(x) for x in [kLowest, 0]: x = n ln 2 + r with |r| ≤ ln 2 / 2, exp(r) by its degree-7 Taylor polynomial
// (remainder < 5e-9), times 2^n built from the exponent bits.
template <typename V, typename I>
inline V exp_in_range(V x) {
    const V n = (x * kLog2E + kRoundMagic) - kRoundMagic;
    const V r = (x - n * kLn2High) - n * kLn2Low;
    V p = r * (1.0f / 5040) + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    I bits;
    if constexpr (std::is_same_v<V, float>) bits = (static_cast<int32_t>(n) + 127) << 23;
    else bits = (__builtin_convertvector(n, I) + 127) << 23;
    V scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

inline float block_max(const float * x) {
    float m = x[0];
    for (int j = 1; j < 8; ++j) m = x[j] > m ? x[j] : m;
    return m;
}

PROMPTSCOPE_VECTOR_CLONES
float vector_max(const float * logits, int32_t n) {
    float lanes[8];
    for (float & lane : lanes) lane = -INFINITY;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; ++j) lanes[j] = logits[i + j] > lanes[j] ? logits[i + j] : lanes[j];
    }
    float max = -INFINITY;
    for (float lane : lanes) max = lane > max ? lane : max;
    for (; i < n; ++i) max = logits[i] > max ? logits[i] : max;
    return max;
}

// Σ exp(logit − max) and Σ exp(logit − max) · (logit − max). Float lanes are summed over blocks of 64 values (at most
// eight roundings per lane) and each block's lanes added in double.
PROMPTSCOPE_VECTOR_CLONES
void exp_sums(const float * logits, int32_t n, float max, double & sum, double & weighted) {
    const F8 lowest = F8{} + kLowest;
    sum = 0;
    weighted = 0;
    int32_t i = 0;
    while (i + 8 <= n) {
        F8 block_sum = {}, block_weighted = {};
        for (int step = 0; step < 8 && i + 8 <= n; ++step, i += 8) {
            F8 x;
            std::memcpy(&x, logits + i, sizeof x);
            const F8 shifted = x - max;
            const I8 below = shifted < lowest;
            const F8 clamped = below ? lowest : shifted;
            const F8 e = below ? F8{} : exp_in_range<F8, I8>(clamped);
            block_sum += e;
            block_weighted += e * clamped;
        }
        for (int j = 0; j < 8; ++j) {
            sum += block_sum[j];
            weighted += block_weighted[j];
        }
    }
    for (; i < n; ++i) {
        const float shifted = logits[i] - max;
        if (shifted < kLowest) continue;
        const float e = exp_in_range<float, int32_t>(shifted);
        sum += e;
        weighted += static_cast<double>(e) * shifted;
    }
}

}  // namespace

RowNormalizer row_normalizer(const float * logits, int32_t n_vocab) {
    RowNormalizer row;
    row.max = vector_max(logits, n_vocab);
    double sum = 0, weighted = 0;
    exp_sums(logits, n_vocab, row.max, sum, weighted);
    const double log_sum = std::log(sum);
    row.log_normalizer = row.max + log_sum;
    row.entropy = std::max(0.0, log_sum - weighted / sum);
    return row;
}

void row_top_k(const float * logits, int32_t n_vocab, int32_t k, int32_t * top_ids, std::vector<int32_t> & order) {
    k = std::min(k, n_vocab);
    if (k <= 0) return;
    if (k > 64) {
        // Insertion into a sorted buffer is O(n·k) on adversarial rows: a partial sort beats it for large k.
        order.resize(n_vocab);
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [logits](int32_t a, int32_t b) {
            return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
        });
        std::copy(order.begin(), order.begin() + k, top_ids);
        return;
    }
    int32_t filled = 0;
    float threshold = -INFINITY;
    // Strictly greater only: an equal value later in the row has the higher id, so it goes after (or stays out).
    const auto offer = [&](int32_t id) {
        const float value = logits[id];
        if (filled == k && !(value > threshold)) return;
        int32_t slot = filled < k ? filled++ : k - 1;
        while (slot > 0 && value > logits[top_ids[slot - 1]]) {
            top_ids[slot] = top_ids[slot - 1];
            --slot;
        }
        top_ids[slot] = id;
        if (filled == k) threshold = logits[top_ids[k - 1]];
    };
    int32_t i = 0;
    for (; i + 8 <= n_vocab; i += 8) {
        if (filled == k && !(block_max(logits + i) > threshold)) continue;
        for (int32_t j = 0; j < 8; ++j) offer(i + j);
    }
    for (; i < n_vocab; ++i) offer(i);
}

void row_top_logprobs(const float * logits, int32_t n_vocab, int32_t k, int32_t * top_ids, float * top_logprobs, std::vector<int32_t> & order) {
    const double log_normalizer = row_normalizer(logits, n_vocab).log_normalizer;
    k = std::min(k, n_vocab);
    row_top_k(logits, n_vocab, k, top_ids, order);
    for (int32_t i = 0; i < k; ++i) top_logprobs[i] = static_cast<float>(logits[top_ids[i]] - log_normalizer);
}

int32_t row_argmax(const float * logits, int32_t n_vocab) {
    if (n_vocab <= 0) return -1;
    const float max = vector_max(logits, n_vocab);
    for (int32_t i = 0; i < n_vocab; ++i) {
        if (logits[i] == max) return i;
    }
    return 0;  // every logit NaN
}

}  // namespace promptscope
