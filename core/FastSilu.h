#pragma once
// SiLU for float in one fused pass: h = z sigmoid(z) written over z, and
// optionally act'(z) and act''(z), for the network's default activation.
// With AVX2 or AVX-512 (Simd.h, chosen at run time) the sigmoid uses a
// polynomial exp (relative error ~2e-7 over the clamped range [-87, 87]) and a
// refined reciprocal, the same arithmetic the matrix kernels apply in their
// epilogue; otherwise a scalar loop. Relative to the Eigen expression it
// replaces, it saves the temporary array and two passes over memory.
#include <cstddef>

namespace ss {

// z: n values, overwritten by silu(z). d1, d2: n values each, or null.
void siluInPlace(float* z, float* d1, float* d2, std::ptrdiff_t n);

} // namespace ss
