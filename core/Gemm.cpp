#include "core/Gemm.h"

#include "core/FastSilu.h"

#include <Eigen/Core>

#include <cstddef>
#include <stdexcept>
#include <type_traits>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include "core/SiluAvx2.h"
#include <immintrin.h>
#define SS_GEMM_AVX2 1
#endif

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

#ifdef SS_GEMM_AVX2

// 16 rows x NC columns of C: 2*NC accumulators, A's two 8-row vectors loaded
// once per k, B's NC scalars broadcast.
template <int NC>
inline void kernelAB(int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc, bool accumulate,
                     const float* bias)
{
    __m256 lo[NC], hi[NC];
    const __m256 bias0 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
    const __m256 bias1 = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
    for (int j = 0; j < NC; ++j) {
        lo[j] = bias0;
        hi[j] = bias1;
    }
    for (int k = 0; k < K; ++k) {
        const __m256 a0 = _mm256_loadu_ps(a + std::ptrdiff_t(k) * lda);
        const __m256 a1 = _mm256_loadu_ps(a + std::ptrdiff_t(k) * lda + 8);
        const float* bk0 = b + std::ptrdiff_t(k) * bk;
        for (int j = 0; j < NC; ++j) {
            const __m256 bj = _mm256_broadcast_ss(bk0 + std::ptrdiff_t(j) * bc);
            lo[j] = _mm256_fmadd_ps(a0, bj, lo[j]);
            hi[j] = _mm256_fmadd_ps(a1, bj, hi[j]);
        }
    }
    for (int j = 0; j < NC; ++j) {
        float* cj = c + std::ptrdiff_t(j) * ldc;
        if (accumulate) {
            lo[j] = _mm256_add_ps(lo[j], _mm256_loadu_ps(cj));
            hi[j] = _mm256_add_ps(hi[j], _mm256_loadu_ps(cj + 8));
        }
        _mm256_storeu_ps(cj, lo[j]);
        _mm256_storeu_ps(cj + 8, hi[j]);
    }
}

inline float horizontalSum(__m256 v)
{
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// MR x NR dot products of length K (K a multiple of 8), then a scalar tail.
template <int MR, int NR>
inline void kernelAtB(int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc, bool accumulate)
{
    __m256 acc[MR][NR];
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) acc[i][j] = _mm256_setzero_ps();
    const int K8 = K & ~7;
    for (int k = 0; k < K8; k += 8) {
        __m256 bv[NR];
        for (int j = 0; j < NR; ++j) bv[j] = _mm256_loadu_ps(b + std::ptrdiff_t(j) * ldb + k);
        for (int i = 0; i < MR; ++i) {
            const __m256 av = _mm256_loadu_ps(a + std::ptrdiff_t(i) * lda + k);
            for (int j = 0; j < NR; ++j) acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) {
            float s = horizontalSum(acc[i][j]);
            for (int k = K8; k < K; ++k) s += a[std::ptrdiff_t(i) * lda + k] * b[std::ptrdiff_t(j) * ldb + k];
            float& out = c[std::ptrdiff_t(j) * ldc + i];
            out = accumulate ? out + s : s;
        }
}

template <int MR>
inline void rowBlockAtB(int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                        bool accumulate)
{
    int j = 0;
    for (; j + 3 <= N; j += 3)
        kernelAtB<MR, 3>(K, a, lda, b + std::ptrdiff_t(j) * ldb, ldb, c + std::ptrdiff_t(j) * ldc, ldc, accumulate);
    for (; j < N; ++j)
        kernelAtB<MR, 1>(K, a, lda, b + std::ptrdiff_t(j) * ldb, ldb, c + std::ptrdiff_t(j) * ldc, ldc, accumulate);
}

void atb(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc, bool accumulate)
{
    int i = 0;
    for (; i + 4 <= M; i += 4) rowBlockAtB<4>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
    for (; i + 2 <= M; i += 2) rowBlockAtB<2>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
    for (; i < M; ++i) rowBlockAtB<1>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
}

#endif

} // namespace

bool vectorised()
{
#ifdef SS_GEMM_AVX2
    return true;
#else
    return false;
#endif
}

namespace {

// The SiLU epilogue on columns [0, n) of C, its derivatives to d1/d2 from
// dOffset on: one siluInPlace pass when C, d1 and d2 are contiguous, else
// column by column. The AVX2 path calls it on each M x 6 column block the
// kernels have just stored (still in L1); the others on the whole result. Kept
// out of the kernel: inlined there, its registers made the compiler spill the
// accumulators.
__attribute__((noinline)) void applySilu(int M, int n, float* c, int ldc, const SiluEpilogue& silu,
                                         std::ptrdiff_t dOffset)
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

void multiplyAB(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                bool accumulate, const float* bias, const SiluEpilogue* silu)
{
    if (silu && accumulate) throw std::invalid_argument("gemm::multiplyAB: the SiLU epilogue cannot accumulate");
#ifdef SS_GEMM_AVX2
    if (M % 16 == 0) {
        // Column blocks outside: a block of B (6 columns x K) stays in L1 while
        // all of A streams through once per block.
        int j = 0;
        auto block = [&](auto nc, int j0) {
            constexpr int NC = decltype(nc)::value;
            for (int i = 0; i < M; i += 16)
                kernelAB<NC>(K, a + i, lda, b + std::ptrdiff_t(j0) * bc, bk, bc, c + i + std::ptrdiff_t(j0) * ldc, ldc,
                             accumulate, bias ? bias + i : nullptr);
            if (silu) applySilu(M, NC, c + std::ptrdiff_t(j0) * ldc, ldc, *silu, std::ptrdiff_t(j0) * silu->ldd);
        };
        for (; j + 6 <= N; j += 6) block(std::integral_constant<int, 6>{}, j);
        switch (N - j) {
        case 5: block(std::integral_constant<int, 5>{}, j); break;
        case 4: block(std::integral_constant<int, 4>{}, j); break;
        case 3: block(std::integral_constant<int, 3>{}, j); break;
        case 2: block(std::integral_constant<int, 2>{}, j); break;
        case 1: block(std::integral_constant<int, 1>{}, j); break;
        default: break;
        }
        return;
    }
    if (M < 16 && K >= 8 && bk == 1 && std::ptrdiff_t(M) * K <= 65536) {
        // Few rows (the output layer): C = (A^T)^T B as dot products of
        // contiguous columns, through a transposed copy of the small A.
        thread_local std::vector<float> at;
        at.resize(std::size_t(M) * K);
        for (int k = 0; k < K; ++k)
            for (int i = 0; i < M; ++i) at[std::size_t(i) * K + k] = a[std::ptrdiff_t(k) * lda + i];
        atb(M, N, K, at.data(), K, b, bc, c, ldc, accumulate);
        if (bias)
            for (int j = 0; j < N; ++j)
                for (int i = 0; i < M; ++i) c[std::ptrdiff_t(j) * ldc + i] += bias[i];
        if (silu) applySilu(M, N, c, ldc, *silu, 0);
        return;
    }
#endif
    multiplyABEigen(M, N, K, a, lda, b, bk, bc, c, ldc, accumulate, bias);
    if (silu) applySilu(M, N, c, ldc, *silu, 0);
}

void multiplyAtB(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc)
{
#ifdef SS_GEMM_AVX2
    if (K >= 8) {
        atb(M, N, K, a, lda, b, ldb, c, ldc, false);
        return;
    }
#endif
    multiplyAtBEigen(M, N, K, a, lda, b, ldb, c, ldc);
}

} // namespace ss::gemm
