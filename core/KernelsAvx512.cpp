// The AVX-512 kernels (Simd.h's table): compiled with -mavx512f/vl/dq/bw
// whatever the build's target, called only on CPUs that have them. As in
// KernelsAvx2.cpp, everything but the table has internal linkage and no
// library templates are used: the linker must never keep an AVX-512 copy of a
// function a plain CPU also calls.
//
// What the wider registers buy: 32 registers of 16 floats hold a 32 x 12 tile
// of C (24 accumulators) with room for A's two vectors and a broadcast, and
// the SiLU is applied to the finished tile in registers before its one store
// (the AVX2 kernel stores, then re-reads the block for its SiLU pass).
#include "core/Simd.h"

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512DQ__) && defined(__AVX512BW__) && \
    defined(__FMA__)
#include "core/AdamLoop.h"
#include "core/GradientSumLoop.h"

// GCC 12's AVX-512 headers warn of an uninitialised value in their own
// masked intrinsics (GCC bug 105593); the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstddef>

namespace ss::simd {

namespace {

// exp(-x), the same polynomial and evaluation order as SiluAvx2.h's
// expNegApprox (Cephes' degree-6 exp2f by Estrin's scheme, 2^n in the
// exponent bits), on sixteen lanes.
inline __m512 expNegApprox(__m512 x)
{
    const __m512 magic = _mm512_set1_ps(12582912.0f); // 1.5 * 2^23
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(87.0f));
    const __m512 t = _mm512_mul_ps(x, _mm512_set1_ps(-1.44269504088896341f));
    const __m512 shifted = _mm512_add_ps(t, magic);
    const __m512 f = _mm512_sub_ps(t, _mm512_sub_ps(shifted, magic));
    const __m512 f2 = _mm512_mul_ps(f, f);
    const __m512 q0 = _mm512_fmadd_ps(_mm512_set1_ps(6.931472028550421e-1f), f, _mm512_set1_ps(1.0f));
    const __m512 q1 = _mm512_fmadd_ps(_mm512_set1_ps(5.550332471162809e-2f), f, _mm512_set1_ps(2.402264791363012e-1f));
    const __m512 q2 = _mm512_fmadd_ps(_mm512_set1_ps(1.339887440266574e-3f), f, _mm512_set1_ps(9.618437357674640e-3f));
    const __m512 q3 = _mm512_fmadd_ps(_mm512_set1_ps(1.535336188319500e-4f), f2, q2);
    const __m512 f4 = _mm512_mul_ps(f2, f2);
    const __m512 p = _mm512_fmadd_ps(q3, f4, _mm512_fmadd_ps(q1, f2, q0));
    const __m512i scale = _mm512_slli_epi32(_mm512_castps_si512(shifted), 23);
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(p), scale));
}

// 1/d: the 14-bit estimate and one Newton step. AVX2's estimate has 12 bits,
// so the two paths' SiLU can differ in the last bit (tst_gemm's tolerance).
inline __m512 reciprocal(__m512 d)
{
    const __m512 r = _mm512_rcp14_ps(d);
    return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}

// silu(x); silu'(x) into *d1, silu''(x) into *d2 when not null (SiluAvx2.h's formulas).
inline __m512 silu(__m512 x, __m512* d1, __m512* d2)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 e = expNegApprox(x);
    const __m512 s = reciprocal(_mm512_add_ps(one, e));
    const __m512 oneMinusS = _mm512_mul_ps(e, s);
    if (d1) *d1 = _mm512_mul_ps(s, _mm512_fmadd_ps(x, oneMinusS, one));
    if (d2) {
        const __m512 two = _mm512_set1_ps(2.0f);
        const __m512 inner = _mm512_fmadd_ps(x, _mm512_fnmadd_ps(two, s, one), two);
        *d2 = _mm512_mul_ps(_mm512_mul_ps(s, oneMinusS), inner);
    }
    return _mm512_mul_ps(x, s);
}

// Stores v (lanes under mask) at p, its SiLU when asked, with the derivatives.
inline void finish(__m512 v, float* p, __mmask16 mask, bool act, float* d1, float* d2)
{
    if (act) {
        __m512 d1v, d2v;
        v = silu(v, d1 ? &d1v : nullptr, d2 ? &d2v : nullptr);
        if (d1) _mm512_mask_storeu_ps(d1, mask, d1v);
        if (d2) _mm512_mask_storeu_ps(d2, mask, d2v);
    }
    _mm512_mask_storeu_ps(p, mask, v);
}

// (16 MV) rows x NC columns of C, MV * NC accumulators; each sum runs
// k = 0..K-1 by fused multiply-adds from the bias (or 0), then adds C's old
// value when accumulating (the AVX2 kernel's order: the two agree bit for bit
// without the SiLU). The SiLU is applied in registers.
template <int MV, int NC>
inline void kernelAB(int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc, bool accumulate,
                     const float* bias, bool act, float* d1, float* d2, int ldd)
{
    __m512 acc[MV][NC];
    for (int v = 0; v < MV; ++v) {
        const __m512 b0 = bias ? _mm512_loadu_ps(bias + 16 * v) : _mm512_setzero_ps();
        for (int j = 0; j < NC; ++j) acc[v][j] = b0;
    }
    for (int k = 0; k < K; ++k) {
        const float* ak = a + std::ptrdiff_t(k) * lda;
        __m512 av[MV];
        for (int v = 0; v < MV; ++v) av[v] = _mm512_loadu_ps(ak + 16 * v);
        const float* bk0 = b + std::ptrdiff_t(k) * bk;
        for (int j = 0; j < NC; ++j) {
            const __m512 bj = _mm512_set1_ps(bk0[std::ptrdiff_t(j) * bc]);
            for (int v = 0; v < MV; ++v) acc[v][j] = _mm512_fmadd_ps(av[v], bj, acc[v][j]);
        }
    }
    for (int j = 0; j < NC; ++j) {
        float* cj = c + std::ptrdiff_t(j) * ldc;
        const std::ptrdiff_t dj = std::ptrdiff_t(j) * ldd;
        for (int v = 0; v < MV; ++v) {
            __m512 x = acc[v][j];
            if (accumulate) x = _mm512_add_ps(x, _mm512_loadu_ps(cj + 16 * v));
            finish(x, cj + 16 * v, 0xFFFF, act, d1 ? d1 + dj + 16 * v : nullptr, d2 ? d2 + dj + 16 * v : nullptr);
        }
    }
}

template <int NC>
void columnBlock(int M, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                 bool accumulate, const float* bias, bool act, float* d1, float* d2, int ldd)
{
    int i = 0;
    for (; i + 32 <= M; i += 32)
        kernelAB<2, NC>(K, a + i, lda, b, bk, bc, c + i, ldc, accumulate, bias ? bias + i : nullptr, act,
                        d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr, ldd);
    if (i < M) // M is a multiple of 16
        kernelAB<1, NC>(K, a + i, lda, b, bk, bc, c + i, ldc, accumulate, bias ? bias + i : nullptr, act,
                        d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr, ldd);
}

void multiplyAB16(int M, int N, int K, const float* a, int lda, const float* b, int bk, int bc, float* c, int ldc,
                  bool accumulate, const float* bias, bool act, float* d1, float* d2, int ldd)
{
    // Column blocks outside: a block of B (12 columns x K) stays in L1 while
    // A streams through once per block.
    constexpr int kCols = 12;
    const auto at = [&](int j0, auto block) {
        const std::ptrdiff_t dj = std::ptrdiff_t(j0) * ldd;
        block(M, K, a, lda, b + std::ptrdiff_t(j0) * bc, bk, bc, c + std::ptrdiff_t(j0) * ldc, ldc, accumulate, bias,
              act, d1 ? d1 + dj : nullptr, d2 ? d2 + dj : nullptr, ldd);
    };
    int j = 0;
    for (; j + kCols <= N; j += kCols) at(j, columnBlock<kCols>);
    switch (N - j) {
    case 11: at(j, columnBlock<11>); break;
    case 10: at(j, columnBlock<10>); break;
    case 9: at(j, columnBlock<9>); break;
    case 8: at(j, columnBlock<8>); break;
    case 7: at(j, columnBlock<7>); break;
    case 6: at(j, columnBlock<6>); break;
    case 5: at(j, columnBlock<5>); break;
    case 4: at(j, columnBlock<4>); break;
    case 3: at(j, columnBlock<3>); break;
    case 2: at(j, columnBlock<2>); break;
    case 1: at(j, columnBlock<1>); break;
    default: break;
    }
}

inline float horizontalSum(__m512 v)
{
    // By halves (not _mm512_reduce_add_ps, whose GCC 12 header warns of an
    // uninitialised value).
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// Sums by 128-bit block: block k of the result holds, in lanes 0..3, the
// sums of block k of a, b, c and d.
inline __m512 blockSums(__m512 a, __m512 b, __m512 c, __m512 d)
{
    const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b)); // a02 b02 a13 b13
    const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
    const __m512d abd = _mm512_castps_pd(ab), cdd = _mm512_castps_pd(cd);
    return _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(abd, cdd)), _mm512_castpd_ps(_mm512_unpackhi_pd(abd, cdd)));
}

// Block j of the result: the sums of v_j's four blocks (lane by lane).
inline __m512 blockTotals(__m512 v0, __m512 v1, __m512 v2, __m512 v3)
{
    const __m512 y01 = _mm512_add_ps(_mm512_shuffle_f32x4(v0, v1, 0x44), _mm512_shuffle_f32x4(v0, v1, 0xEE));
    const __m512 y23 = _mm512_add_ps(_mm512_shuffle_f32x4(v2, v3, 0x44), _mm512_shuffle_f32x4(v2, v3, 0xEE));
    return _mm512_add_ps(_mm512_shuffle_f32x4(y01, y23, 0x88), _mm512_shuffle_f32x4(y01, y23, 0xDD));
}

// MR x NR dot products of length K: sixteen lanes, the tail by a masked load.
template <int MR, int NR>
inline void kernelAtB(int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc, bool accumulate)
{
    __m512 acc[MR][NR];
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
    for (int k = 0; k < K; k += 16) {
        const __mmask16 mask = K - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (K - k)) - 1);
        __m512 bv[NR];
        for (int j = 0; j < NR; ++j) bv[j] = _mm512_maskz_loadu_ps(mask, b + std::ptrdiff_t(j) * ldb + k);
        for (int i = 0; i < MR; ++i) {
            const __m512 av = _mm512_maskz_loadu_ps(mask, a + std::ptrdiff_t(i) * lda + k);
            for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) {
            const float s = horizontalSum(acc[i][j]);
            float& out = c[std::ptrdiff_t(j) * ldc + i];
            out = accumulate ? out + s : s;
        }
}

// One row of a tile of A^T B: its four columns' accumulators.
struct TileRow {
    __m512 c0, c1, c2, c3;
};

inline void multiplyAddRow(TileRow& r, const float* ai, __mmask16 mask, __m512 v0, __m512 v1, __m512 v2, __m512 v3)
{
    const __m512 u = _mm512_maskz_loadu_ps(mask, ai);
    r.c0 = _mm512_fmadd_ps(u, v0, r.c0);
    r.c1 = _mm512_fmadd_ps(u, v1, r.c1);
    r.c2 = _mm512_fmadd_ps(u, v2, r.c2);
    r.c3 = _mm512_fmadd_ps(u, v3, r.c3);
}

// An MR x 4 tile (MR = 4, the hot one: at batch 16 W^T G was a third of a
// training step; MR = 2, the output layer's rows). The accumulators are named
// rows, not an array: as an array GCC kept them on the stack, one store for
// every multiply-add. The sixteen are reduced together (45 shuffles and adds,
// against sixteen horizontal sums of eight each); with two rows, rows 2 and 3
// stay zero and are not stored.
template <int MR>
inline void kernelAtBTile(int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc, bool accumulate)
{
    static_assert(MR == 2 || MR == 4);
    const __m512 zero = _mm512_setzero_ps();
    TileRow r0{zero, zero, zero, zero}, r1 = r0, r2 = r0, r3 = r0;
    const float* bj[4] = {b, b + ldb, b + 2 * std::ptrdiff_t(ldb), b + 3 * std::ptrdiff_t(ldb)};
    for (int k = 0; k < K; k += 16) {
        const __mmask16 mask = K - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (K - k)) - 1);
        const __m512 v0 = _mm512_maskz_loadu_ps(mask, bj[0] + k), v1 = _mm512_maskz_loadu_ps(mask, bj[1] + k),
                     v2 = _mm512_maskz_loadu_ps(mask, bj[2] + k), v3 = _mm512_maskz_loadu_ps(mask, bj[3] + k);
        multiplyAddRow(r0, a + k, mask, v0, v1, v2, v3);
        multiplyAddRow(r1, a + lda + k, mask, v0, v1, v2, v3);
        if constexpr (MR == 4) {
            multiplyAddRow(r2, a + 2 * std::ptrdiff_t(lda) + k, mask, v0, v1, v2, v3);
            multiplyAddRow(r3, a + 3 * std::ptrdiff_t(lda) + k, mask, v0, v1, v2, v3);
        }
    }
    // Column j of the tile (rows 0..MR-1) is block j of t.
    const __m512 t = blockTotals(blockSums(r0.c0, r1.c0, r2.c0, r3.c0), blockSums(r0.c1, r1.c1, r2.c1, r3.c1),
                                 blockSums(r0.c2, r1.c2, r2.c2, r3.c2), blockSums(r0.c3, r1.c3, r2.c3, r3.c3));
    constexpr __mmask8 rows = (1u << MR) - 1;
    const auto store = [&](__m128 s, float* out) {
        if (accumulate) s = _mm_add_ps(s, _mm_maskz_loadu_ps(rows, out));
        _mm_mask_storeu_ps(out, rows, s);
    };
    store(_mm512_extractf32x4_ps(t, 0), c);
    store(_mm512_extractf32x4_ps(t, 1), c + std::ptrdiff_t(ldc));
    store(_mm512_extractf32x4_ps(t, 2), c + 2 * std::ptrdiff_t(ldc));
    store(_mm512_extractf32x4_ps(t, 3), c + 3 * std::ptrdiff_t(ldc));
}

template <int MR>
inline void rowBlockAtB(int N, int K, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                        bool accumulate)
{
    int j = 0;
    for (; j + 4 <= N; j += 4) {
        const float* bj = b + std::ptrdiff_t(j) * ldb;
        float* cj = c + std::ptrdiff_t(j) * ldc;
        if constexpr (MR == 1) kernelAtB<1, 4>(K, a, lda, bj, ldb, cj, ldc, accumulate);
        else kernelAtBTile<MR>(K, a, lda, bj, ldb, cj, ldc, accumulate);
    }
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

void siluAvx512(float* z, float* d1, float* d2, long n)
{
    for (long i = 0; i < n; i += 16) {
        const __mmask16 mask = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
        finish(_mm512_maskz_loadu_ps(mask, z + i), z + i, mask, true, d1 ? d1 + i : nullptr, d2 ? d2 + i : nullptr);
    }
}

void adam(const AdamStep& s, float* p, float* g, float* m, float* v, float* e, long begin, long end)
{
    adamLoop(s, p, g, m, v, e, begin, end);
}

double sumGradients(float* g0, const float* const* others, int count, const float* const* warm, int warmCount,
                    long begin, long end)
{
    return gradientSumLoop(g0, others, count, warm, warmCount, begin, end);
}

constexpr Kernels kTable{multiplyAB16, multiplyAtB, siluAvx512, adam, sumGradients};

} // namespace

const Kernels* avx512Kernels() { return &kTable; }

} // namespace ss::simd

#else

const ss::simd::Kernels* ss::simd::avx512Kernels() { return nullptr; }

#endif
