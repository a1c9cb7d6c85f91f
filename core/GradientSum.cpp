#include "core/GradientSum.h"

#include "core/GradientSumLoop.h"
#include "core/Simd.h"

namespace ss {

double sumGradients(float* g0, const float* const* others, int count, const float* const* warm, int warmCount,
                    long begin, long end)
{
    if (const simd::Kernels* k = simd::kernels()) return k->sumGradients(g0, others, count, warm, warmCount, begin, end);
    return gradientSumLoop(g0, others, count, warm, warmCount, begin, end);
}

} // namespace ss
