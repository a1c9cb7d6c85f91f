#include "core/FastSilu.h"

#include <algorithm>
#include <cmath>

#if defined(__AVX2__) && defined(__FMA__)
#include "core/SiluAvx2.h"
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

} // namespace

void siluInPlace(float* z, float* d1, float* d2, std::ptrdiff_t n)
{
    std::ptrdiff_t i = 0;
#ifdef SS_SILU_AVX2
    for (; i + 8 <= n; i += 8) {
        __m256 d1v, d2v;
        _mm256_storeu_ps(z + i, avx2::silu(_mm256_loadu_ps(z + i), d1 ? &d1v : nullptr, d2 ? &d2v : nullptr));
        if (d1) _mm256_storeu_ps(d1 + i, d1v);
        if (d2) _mm256_storeu_ps(d2 + i, d2v);
    }
#endif
    for (; i < n; ++i) siluScalar(z[i], d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr);
}

} // namespace ss
