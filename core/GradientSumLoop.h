#pragma once
// The trainer's pass between the workers' backward passes and Adam
// (Trainer::step), written once and compiled once per instruction set like
// AdamLoop.h (static, no library templates: see there). Over [begin, end) it
//   - adds the other workers' gradients into the first, in worker order;
//   - returns the squared norm of that sum, in double;
//   - warms the arrays Adam is about to update over the same range (prefetch
//     for writing). Measured on the 2-core VMs, whose cores sit far apart (a
//     cache line takes ~200 ns between them): after the forward and backward
//     passes Adam found its moments evicted to L3 and the weights shared with
//     the other core, and waited on them one miss at a time, 3x as long as the
//     same pass on warm arrays. Asked for here, the misses overlap with this
//     pass's own reads of the other worker's gradient.
// The squared norm goes to 32 partial sums (element begin + i to partial
// i mod 32) added in order at the end: the vector paths keep the same order,
// so every path gives the same bits (the build is ISO C++: no contraction into
// FMAs). One running sum would wait on the adder's latency at every element.
#include <cstddef>

namespace ss {

static inline __attribute__((always_inline)) double gradientSumLoop(float* __restrict g0,
                                                                     const float* const* others, int count,
                                                                     const float* const* warm, int warmCount, long begin,
                                                                     long end)
{
    constexpr long kBlock = 64;     // floats: four cache lines
    constexpr int kLanes = 32;      // partial sums
    constexpr long kLine = 16;      // floats in a cache line
    double partial[kLanes] = {};
    long i = begin;
    for (; i + kBlock <= end; i += kBlock) {
        float* __restrict block = g0 + i;
        for (int w = 0; w < count; ++w) {
            const float* __restrict other = others[w] + i;
            for (long k = 0; k < kBlock; ++k) block[k] += other[k];
        }
        for (long k = 0; k < kBlock; k += kLanes)
            for (int lane = 0; lane < kLanes; ++lane)
                partial[lane] += double(block[k + lane]) * double(block[k + lane]);
        for (int a = 0; a < warmCount; ++a)
            for (long k = 0; k < kBlock; k += kLine) __builtin_prefetch(warm[a] + i + k, 1, 3);
    }
    for (long lane = 0; i < end; ++i, ++lane) {
        for (int w = 0; w < count; ++w) g0[i] += others[w][i];
        partial[lane % kLanes] += double(g0[i]) * double(g0[i]);
    }
    double total = 0;
    for (double p : partial) total += p;
    return total;
}

} // namespace ss
