#include "core/FastSilu.h"

#include "core/Simd.h"

#include <algorithm>
#include <cmath>

namespace ss {

namespace {

inline void siluScalar(float& z, float* d1, float* d2)
{
    const float x = z;
    // Clamped like the vector paths: exp(88.8) is inf and inf * 0 would be NaN.
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
    if (const simd::Kernels* k = simd::kernels()) {
        k->silu(z, d1, d2, long(n));
        return;
    }
    for (std::ptrdiff_t i = 0; i < n; ++i) siluScalar(z[i], d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr);
}

} // namespace ss
