#pragma once
// Adam's fused pass over the five arrays (clip, moments, step, EMA), written
// once and compiled once per instruction set: Optimizer.cpp (portable) and the
// KernelsAvx*.cpp units include it, each vectorising it for its own registers.
// static and free of library templates on purpose: an inline function with
// external linkage compiled for AVX-512 could be the copy the linker keeps for
// a CPU without it.
#include "core/AdamStep.h"

namespace ss {

// The update is memory-bound: one pass reads and writes each array once. The
// arrays never overlap; saying so (restrict) is what lets the compiler
// vectorise the loop (without it GCC emits scalar sqrt/div, ~8x slower).
static inline __attribute__((always_inline)) void adamLoop(const AdamStep& s, float* __restrict p,
                                                            float* __restrict g, float* __restrict m,
                                                            float* __restrict v, float* __restrict e, long begin,
                                                            long end)
{
    const float ob1 = 1 - s.beta1, ob2 = 1 - s.beta2, od = 1 - s.emaDecay;
    const float scale = s.scale, beta1 = s.beta1, beta2 = s.beta2, stepSize = s.stepSize;
    const float invSqrtC2 = s.invSqrtC2, epsilon = s.epsilon, emaDecay = s.emaDecay;
    constexpr float kMax = 3.40282347e38f; // FLT_MAX
    for (long i = begin; i < end; ++i) {
        const float gi = g[i] * scale;
        g[i] = gi;
        const float mi = beta1 * m[i] + ob1 * gi;
        // Clamped: with clipping off a gradient above ~1.8e19 would make v inf
        // for good and freeze the weight without any non-finite loss to report.
        const float vRaw = beta2 * v[i] + ob2 * gi * gi;
        const float vi = kMax < vRaw ? kMax : vRaw; // std::min: NaN stays NaN
        m[i] = mi;
        v[i] = vi;
        const float pi = p[i] - stepSize * mi / (__builtin_sqrtf(vi) * invSqrtC2 + epsilon);
        p[i] = pi;
        e[i] = emaDecay * e[i] + od * pi;
    }
}

} // namespace ss
