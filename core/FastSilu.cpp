#include "FastSilu.h"

#include <algorithm>
#include <cmath>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define SS_SILU_AVX2 1
#endif

namespace ss {

namespace {

inline void siluScalar(float& z, float* d1, float* d2)
{
    const float x = z;
    // Clamped like the vector path: exp(88.8) is inf and inf * 0 would be NaN.
    const float e = std::exp(-std::clamp(x, -87.0f, 87.0f));
    const float s = 1.0f / (1.0f + e);
    const float oneMinusS = e * s; // not 1 - s: no cancellation for large z
    if (d1) *d1 = s * (1.0f + x * oneMinusS);
    if (d2) *d2 = s * oneMinusS * (2.0f + x * (1.0f - 2.0f * s));
    z = x * s;
}

#ifdef SS_SILU_AVX2
// exp(x) for x in [-87, 87]: x = n ln2 + r, |r| <= ln2/2, e^r by a degree-6
// Taylor/minimax polynomial, 2^n through the exponent bits.
inline __m256 expApprox(__m256 x)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(87.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// 1/d by the hardware estimate plus one Newton step (~23 bits).
inline __m256 reciprocal(__m256 d)
{
    const __m256 r = _mm256_rcp_ps(d);
    return _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f)));
}
#endif

} // namespace

void siluInPlace(float* z, float* d1, float* d2, std::ptrdiff_t n)
{
    std::ptrdiff_t i = 0;
#ifdef SS_SILU_AVX2
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(z + i);
        const __m256 e = expApprox(_mm256_sub_ps(_mm256_setzero_ps(), x));
        const __m256 s = reciprocal(_mm256_add_ps(one, e));
        const __m256 oneMinusS = _mm256_mul_ps(e, s); // not 1 - s: no cancellation for large z
        if (d1) _mm256_storeu_ps(d1 + i, _mm256_mul_ps(s, _mm256_fmadd_ps(x, oneMinusS, one)));
        if (d2) {
            const __m256 inner = _mm256_fmadd_ps(x, _mm256_fnmadd_ps(two, s, one), two);
            _mm256_storeu_ps(d2 + i, _mm256_mul_ps(_mm256_mul_ps(s, oneMinusS), inner));
        }
        _mm256_storeu_ps(z + i, _mm256_mul_ps(x, s));
    }
#endif
    for (; i < n; ++i) siluScalar(z[i], d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr);
}

} // namespace ss
