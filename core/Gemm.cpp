#include "core/Gemm.h"

#include "core/FastSilu.h"
#include "core/Simd.h"

#include <Eigen/Core>

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace ss::gemm {

namespace {

using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Stride = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;

void multiplyABEigen(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                     bool accumulate, const float* bias)
{
    Eigen::Map<const MatrixF, 0, Stride> A(a, M, K, Stride(lda, 1));
    Eigen::Map<const MatrixF, 0, Stride> B(b, K, N, Stride(bc, bk));
    Eigen::Map<MatrixF, 0, Stride> C(c, M, N, Stride(ldc, 1));
    if (accumulate) C.noalias() += A * B;
    else C.noalias() = A * B;
    if (bias) C.colwise() += Eigen::Map<const Eigen::VectorXf>(bias, M);
}

void multiplyAtBEigen(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc)
{
    Eigen::Map<const MatrixF, 0, Stride> A(a, K, M, Stride(lda, 1));
    Eigen::Map<const MatrixF, 0, Stride> B(b, K, N, Stride(ldb, 1));
    Eigen::Map<MatrixF, 0, Stride> C(c, M, N, Stride(ldc, 1));
    C.noalias() = A.transpose() * B;
}

// The SiLU epilogue on columns [0, n) of C, its derivatives to d1/d2 from
// dOffset on, for the paths whose kernels do not apply it themselves: one
// siluInPlace pass when C, d1 and d2 are contiguous, else column by column.
void applySilu(int M, int n, float* c, int ldc, const SiluEpilogue& silu, std::ptrdiff_t dOffset)
{
    float* d1 = silu.d1 ? silu.d1 + dOffset : nullptr;
    float* d2 = silu.d2 ? silu.d2 + dOffset : nullptr;
    if (ldc == M && (silu.ldd == M || (!d1 && !d2))) {
        siluInPlace(c, d1, d2, std::ptrdiff_t(M) * n);
        return;
    }
    for (int j = 0; j < n; ++j) {
        const std::ptrdiff_t cj = std::ptrdiff_t(j) * ldc, dj = std::ptrdiff_t(j) * silu.ldd;
        siluInPlace(c + cj, d1 ? d1 + dj : nullptr, d2 ? d2 + dj : nullptr, M);
    }
}

} // namespace

bool vectorised() { return simd::kernels() != nullptr; }

void multiplyAB(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                bool accumulate, const float* bias, const SiluEpilogue* silu)
{
    if (silu && accumulate) throw std::invalid_argument("gemm::multiplyAB: the SiLU epilogue cannot accumulate");
    if (const simd::Kernels* kernels = simd::kernels()) {
        if (M % 16 == 0) {
            kernels->multiplyAB16(M, N, K, a, lda, b, bk, bc, c, ldc, accumulate, bias, silu != nullptr,
                                  silu ? silu->d1 : nullptr, silu ? silu->d2 : nullptr, silu ? silu->ldd : 0);
            return;
        }
        if (M < 16 && K >= 8 && bk == 1 && std::ptrdiff_t(M) * K <= 65536) {
            // Few rows (the output layer): C = (A^T)^T B as dot products of
            // contiguous columns, through a transposed copy of the small A.
            thread_local std::vector<float> at;
            at.resize(std::size_t(M) * K);
            for (int k = 0; k < K; ++k)
                for (int i = 0; i < M; ++i) at[std::size_t(i) * K + k] = a[std::ptrdiff_t(k) * lda + i];
            kernels->multiplyAtB(M, N, K, at.data(), K, b, bc, c, ldc, accumulate);
            if (bias)
                for (int j = 0; j < N; ++j)
                    for (int i = 0; i < M; ++i) c[std::ptrdiff_t(j) * ldc + i] += bias[i];
            if (silu) applySilu(M, N, c, ldc, *silu, 0);
            return;
        }
    }
    multiplyABEigen(M, N, K, a, lda, b, bk, bc, c, ldc, accumulate, bias);
    if (silu) applySilu(M, N, c, ldc, *silu, 0);
}

void multiplyAtB(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc)
{
    if (const simd::Kernels* kernels = simd::kernels(); kernels && K >= 8) {
        kernels->multiplyAtB(M, N, K, a, lda, b, ldb, c, ldc, false);
        return;
    }
    multiplyAtBEigen(M, N, K, a, lda, b, ldb, c, ldc);
}

} // namespace ss::gemm
