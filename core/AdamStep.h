#pragma once
// One Adam update's coefficients (Adam::beginUpdate makes them), shared by
// the threads that apply it to disjoint ranges of the parameters. A plain
// struct with no includes, so the instruction-set kernels (Simd.h) can take it
// without pulling Eigen into their translation units.
namespace ss {

struct AdamStep {
    float scale = 1;     // gradient clipping factor
    float stepSize = 0;  // learning rate / (1 - beta1^t)
    float invSqrtC2 = 1; // 1 / sqrt(1 - beta2^t)
    float epsilon = 0, beta1 = 0, beta2 = 0, emaDecay = 0;
};

} // namespace ss
