#pragma once
// SiLU on eight floats at once with AVX2+FMA: the one definition shared by the
// standalone pass (FastSilu.cpp) and the matrix kernels' epilogue (Gemm.cpp),
// so a fused and an unfused layer give bit-identical results.
// Only for translation units compiled with AVX2 and FMA.
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace ss::avx2 {

// exp(-x) for x clamped to [-87, 87], written for a short dependency chain:
// a SiLU pass is latency-bound (its ~25 operations per vector fill the FP
// scheduler before the ports), so the evaluation order matters more than the
// operation count. exp(-x) = 2^t, t = -x log2(e) = n + f with n = round(t)
// by the 1.5 * 2^23 trick and |f| <= 1/2; 2^f by Cephes' degree-6 exp2f
// polynomial (relative error ~2e-7) evaluated by Estrin's scheme; 2^n added
// to the exponent bits.
inline __m256 expNegApprox(__m256 x)
{
    const __m256 magic = _mm256_set1_ps(12582912.0f); // 1.5 * 2^23
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(87.0f));
    const __m256 t = _mm256_mul_ps(x, _mm256_set1_ps(-1.44269504088896341f));
    const __m256 shifted = _mm256_add_ps(t, magic); // n in the low mantissa bits
    const __m256 f = _mm256_sub_ps(t, _mm256_sub_ps(shifted, magic));
    const __m256 f2 = _mm256_mul_ps(f, f);
    const __m256 q0 = _mm256_fmadd_ps(_mm256_set1_ps(6.931472028550421e-1f), f, _mm256_set1_ps(1.0f));
    const __m256 q1 = _mm256_fmadd_ps(_mm256_set1_ps(5.550332471162809e-2f), f, _mm256_set1_ps(2.402264791363012e-1f));
    const __m256 q2 = _mm256_fmadd_ps(_mm256_set1_ps(1.339887440266574e-3f), f, _mm256_set1_ps(9.618437357674640e-3f));
    const __m256 q3 = _mm256_fmadd_ps(_mm256_set1_ps(1.535336188319500e-4f), f2, q2);
    const __m256 f4 = _mm256_mul_ps(f2, f2);
    const __m256 p = _mm256_fmadd_ps(q3, f4, _mm256_fmadd_ps(q1, f2, q0));
    const __m256i scale = _mm256_slli_epi32(_mm256_castps_si256(shifted), 23); // n << 23
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), scale));
}

// 1/d by the hardware estimate plus one Newton step (~23 bits).
inline __m256 reciprocal(__m256 d)
{
    const __m256 r = _mm256_rcp_ps(d);
    return _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f)));
}

// Returns silu(x) = x sigmoid(x); writes silu'(x) to *d1 and silu''(x) to *d2
// when they are not null.
inline __m256 silu(__m256 x, __m256* d1, __m256* d2)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 e = expNegApprox(x);
    const __m256 s = reciprocal(_mm256_add_ps(one, e));
    const __m256 oneMinusS = _mm256_mul_ps(e, s); // not 1 - s: no cancellation for large x
    if (d1) *d1 = _mm256_mul_ps(s, _mm256_fmadd_ps(x, oneMinusS, one));
    if (d2) {
        const __m256 two = _mm256_set1_ps(2.0f);
        const __m256 inner = _mm256_fmadd_ps(x, _mm256_fnmadd_ps(two, s, one), two);
        *d2 = _mm256_mul_ps(_mm256_mul_ps(s, oneMinusS), inner);
    }
    return _mm256_mul_ps(x, s);
}

} // namespace ss::avx2
#endif
