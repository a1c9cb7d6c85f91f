#pragma once
// Which vector instructions the hot kernels use, chosen once at run time from
// the CPU (one binary runs everywhere: the package is built without
// -march=native). Three paths: portable (Eigen and scalar loops, any CPU),
// AVX2+FMA, and AVX-512 (F, VL, DQ, BW). Each lives in its own translation
// unit compiled for its instruction set (KernelsAvx2.cpp, KernelsAvx512.cpp);
// Gemm.cpp, FastSilu.cpp and Optimizer.cpp call through kernels().
//
// SCORESCOPE_SIMD=portable|avx2|avx512 in the environment caps the level
// (for comparing paths; a level the CPU lacks falls back to the best below).
#include "core/AdamStep.h"

namespace ss::simd {

enum class Level { Portable = 0, Avx2 = 1, Avx512 = 2 };

const char* name(Level level);

// The best level this CPU and this build can run.
Level best();

// The level in use: best(), capped by SCORESCOPE_SIMD, or what setActive chose.
Level active();

// Selects a level for this process (tests run every path this way). Returns
// false, changing nothing, when the CPU or the build lacks it.
bool setActive(Level level);

// One instruction set's kernels. Every pointer is set.
struct Kernels {
    // C (M x N) = [C +] A B (+ bias), M a multiple of 16; as gemm::multiplyAB,
    // with the SiLU epilogue (silu: d1, d2, ldd; null for none).
    // silu: apply it to C (not with accumulate), its derivatives into d1, d2
    // (column stride ldd) when they are not null.
    void (*multiplyAB16)(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c,
                         int ldc, bool accumulate, const float* bias, bool silu, float* d1, float* d2, int ldd);
    // C (M x N) [+]= A^T B as dot products of contiguous columns, K >= 8.
    void (*multiplyAtB)(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                        bool accumulate);
    // z = silu(z) in place, with silu' and silu'' into d1, d2 when not null.
    void (*silu)(float* z, float* d1, float* d2, long n);
    // Adam's fused pass (Adam::applyRange) over [begin, end) of the arrays.
    void (*adam)(const AdamStep& s, float* params, float* grads, float* m, float* v, float* ema, long begin,
                 long end);
    // GradientSumLoop.h's pass: g0 += others[0..count) over [begin, end),
    // warming warm[0..warmCount) there; returns the squared norm of the sum.
    double (*sumGradients)(float* g0, const float* const* others, int count, const float* const* warm, int warmCount,
                           long begin, long end);
};

// The kernels of the active level (the portable level has none: null).
const Kernels* kernels();

// Each instruction set's table, or null when this build has none for it.
const Kernels* avx2Kernels();
const Kernels* avx512Kernels();

} // namespace ss::simd
