#pragma once
// The trainer's pass between the workers' backward passes and Adam
// (GradientSumLoop.h), on the active instruction set (core/Simd.h): adds
// others[0..count) into g0 over [begin, end) in order, warms the `warm` arrays
// there for the update that follows, and returns the squared norm of the sum
// in double. Every path gives the same bits.
namespace ss {

double sumGradients(float* g0, const float* const* others, int count, const float* const* warm, int warmCount,
                    long begin, long end);

} // namespace ss
