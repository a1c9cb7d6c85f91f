// The AVX2+FMA kernels (Simd.h's table): compiled with -mavx2 -mfma whatever
// the build's target, called only on CPUs that have them. Nothing here may be
// an inline function or template with external linkage shared with other
// units (no std containers, no Eigen): the linker could keep this unit's copy
// for a CPU without AVX2. Hence the anonymous namespace around everything but
// the table.
#include "core/Simd.h"

#if defined(__AVX2__) && defined(__FMA__)
#include "core/AdamLoop.h"
#include "core/GradientSumLoop.h"
#include "core/SiluAvx2.h"

#include <immintrin.h>

#include <cstddef>

namespace ss::simd {

namespace {

// 16 rows x NC columns of C: 2*NC accumulators, A's two 8-row vectors loaded
// once per k, B's NC scalars broadcast. Each sum runs k = 0..K-1 by fused
// multiply-adds from the bias (or 0), then adds C's old value when
// accumulating: the order tst_gemm's plain reference follows, bit for bit.
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

void siluAvx2(float* z, float* d1, float* d2, long n)
{
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 d1v, d2v;
        _mm256_storeu_ps(z + i, avx2::silu(_mm256_loadu_ps(z + i), d1 ? &d1v : nullptr, d2 ? &d2v : nullptr));
        if (d1) _mm256_storeu_ps(d1 + i, d1v);
        if (d2) _mm256_storeu_ps(d2 + i, d2v);
    }
    if (i == n) return;
    // The tail through a padded vector, so every value gets the same arithmetic.
    alignas(32) float zt[8] = {}, d1t[8], d2t[8];
    for (long r = i; r < n; ++r) zt[r - i] = z[r];
    siluAvx2(zt, d1 ? d1t : nullptr, d2 ? d2t : nullptr, 8);
    for (long r = i; r < n; ++r) {
        z[r] = zt[r - i];
        if (d1) d1[r] = d1t[r - i];
        if (d2) d2[r] = d2t[r - i];
    }
}

// The SiLU on the M x n block of C just stored (still in L1), derivatives to
// d1/d2 (column stride ldd). Kept out of the kernel: inlined there, its
// registers made the compiler spill the accumulators.
__attribute__((noinline)) void siluBlock(int M, int n, float* c, int ldc, float* d1, float* d2, int ldd)
{
    for (int j = 0; j < n; ++j)
        siluAvx2(c + std::ptrdiff_t(j) * ldc, d1 ? d1 + std::ptrdiff_t(j) * ldd : nullptr,
                 d2 ? d2 + std::ptrdiff_t(j) * ldd : nullptr, M);
}

template <int NC>
void columnBlock(int M, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                 bool accumulate, const float* bias, bool silu, float* d1, float* d2, int ldd)
{
    for (int i = 0; i < M; i += 16)
        kernelAB<NC>(K, a + i, lda, b, bk, bc, c + i, ldc, accumulate, bias ? bias + i : nullptr);
    if (silu) siluBlock(M, NC, c, ldc, d1, d2, ldd);
}

void multiplyAB16(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                  bool accumulate, const float* bias, bool silu, float* d1, float* d2, int ldd)
{
    // Column blocks outside: a block of B (6 columns x K) stays in L1 while
    // all of A streams through once per block.
    int j = 0;
    const auto at = [&](int j0, auto block) {
        const std::ptrdiff_t dj = std::ptrdiff_t(j0) * ldd;
        block(M, K, a, lda, b + std::ptrdiff_t(j0) * bc, bk, bc, c + std::ptrdiff_t(j0) * ldc, ldc, accumulate, bias,
              silu, d1 ? d1 + dj : nullptr, d2 ? d2 + dj : nullptr, ldd);
    };
    for (; j + 6 <= N; j += 6) at(j, columnBlock<6>);
    switch (N - j) {
    case 5: at(j, columnBlock<5>); break;
    case 4: at(j, columnBlock<4>); break;
    case 3: at(j, columnBlock<3>); break;
    case 2: at(j, columnBlock<2>); break;
    case 1: at(j, columnBlock<1>); break;
    default: break;
    }
}

inline float horizontalSum(__m256 v)
{
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// MR x NR dot products of length K (eight lanes, then a scalar tail).
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

void multiplyAtB(int M, int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                 bool accumulate)
{
    int i = 0;
    for (; i + 4 <= M; i += 4) rowBlockAtB<4>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
    for (; i + 2 <= M; i += 2) rowBlockAtB<2>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
    for (; i < M; ++i) rowBlockAtB<1>(N, K, a + std::ptrdiff_t(i) * lda, lda, b, ldb, c + i, ldc, accumulate);
}

void adam(const AdamStep& s, float* p, float* g, float* m, float* v, float* e, long begin, long end)
{
    adamLoop(s, p, g, m, v, e, begin, end);
}

double sumGradients(float* g0, const float* const* others, int count, const float* const* warm, int warmCount, long begin,
                    long end)
{
    return gradientSumLoop(g0, others, count, warm, warmCount, begin, end);
}

constexpr Kernels kTable{multiplyAB16, multiplyAtB, siluAvx2, adam, sumGradients};

} // namespace

const Kernels* avx2Kernels() { return &kTable; }

} // namespace ss::simd

#else

const ss::simd::Kernels* ss::simd::avx2Kernels() { return nullptr; }

#endif
