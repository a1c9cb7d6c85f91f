#pragma once
// Small single-precision matrix products for the network's hot loop (layers of
// ~128 units times cache-sized chunks of ~128 examples), by AVX-512 or AVX2
// kernels without packing (Simd.h picks the instruction set at run time): at
// these sizes Eigen's general product spends a large share of its time packing
// and blocking. On a CPU with neither, or for a shape the kernels do not cover
// (rows not a multiple of 16), they fall back to Eigen, so results never
// depend on the path except for rounding order.
//
// Both products are single-threaded; callers split work over threads.
// All matrices are column-major with explicit leading dimensions.
namespace ss::gemm {

// An activation applied to the finished product, C = silu(C), with silu'(C)
// into d1 and silu''(C) into d2 when they are given (same shape as C, column
// stride ldd). The kernels apply it to each block while it is still in
// registers (FastSilu's arithmetic, bit for bit), which saves the separate
// pass over C and overlaps the exp with the next block's multiply-adds.
struct SiluEpilogue {
    float* d1 = nullptr;
    float* d2 = nullptr;
    int ldd = 0;
};

// C (M x N) = [C +] A (M x K, column stride lda) * B, where B(k, c) is
// b[k * bk + c * bc] (so B or B^T can be read in place). accumulate: add to C.
// bias (M values, or null): added to every column of the result (folded into
// the kernel's accumulators, saving a pass over C). silu (or null): applied
// last, after the bias; not with accumulate.
void multiplyAB(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                bool accumulate, const float* bias = nullptr, const SiluEpilogue* silu = nullptr);

// C (M x N) = A^T (A is K x M, column stride lda) * B (K x N, column stride ldb):
// each entry is a dot product of two contiguous columns.
void multiplyAtB(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc);

// True when a vector path (AVX2 or AVX-512) is in use.
bool vectorised();

} // namespace ss::gemm
