#pragma once
// SiLU for float in one fused pass: h = z sigmoid(z) written over z, and
// optionally act'(z) and act''(z), for the network's default activation.
// With AVX2+FMA the sigmoid uses a polynomial exp (relative error ~2e-7 over
// the clamped range [-87, 87]) and a refined reciprocal (SiluAvx2.h, which the
// matrix kernels also apply in their epilogue); otherwise a scalar loop. Relative to the Eigen expression it replaces, it saves the temporary
// array and two passes over memory.
#include <cstddef>

namespace ss {

// z: n values, overwritten by silu(z). d1, d2: n values each, or null.
void siluInPlace(float* z, float* d1, float* d2, std::ptrdiff_t n);

} // namespace ss
