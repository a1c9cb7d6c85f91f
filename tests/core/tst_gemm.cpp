// The product kernels (core/Gemm.h), the fused SiLU, Adam's pass and the
// trainer's gradient sum on every instruction-set path (core/Simd.h:
// portable, AVX2, AVX-512), each against
// plain Eigen/std references, on the shapes the network produces (multiples
// of 16, the output layer's 2 rows, the input layer's 3 columns) and on ragged
// ones that exercise every remainder path. Every test runs once per path; a
// path this CPU lacks is skipped, saying so.
//   - bit for bit where the order of operations is the same: the vector
//     paths' products against a plain k-ordered fused multiply-add loop, and
//     Adam's pass and the gradient sum on every path against the portable one;
//   - within a stated tolerance otherwise (Eigen's blocked sums, dot products
//     summed by lanes, the SiLU's polynomial exp).
// How to add a case: a row in multiplyAB_data() / multiplyAtB_data().
#include "core/FastSilu.h"
#include "core/GradientSum.h"
#include "core/Gemm.h"
#include "core/Mlp.h"
#include "core/Optimizer.h"
#include "core/Simd.h"

#include <Eigen/Core>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

using MatrixF = Eigen::MatrixXf;

class TestGemm : public QObject {
    Q_OBJECT
private slots:
    void cleanup();
    void bestPathFollowsTheCpu();
    void multiplyAB_data();
    void multiplyAB();
    void vectorPathsMatchPlainSums_data();
    void vectorPathsMatchPlainSums();
    void multiplyAtB_data();
    void multiplyAtB();
    void biasFolded_data();
    void biasFolded();
    void silu_data();
    void silu();
    void siluAgreesAcrossPaths();
    void siluEpilogue_data();
    void siluEpilogue();
    void siluEpilogueRefusesAccumulate_data();
    void siluEpilogueRefusesAccumulate();
    void adamBitForBitOnEveryPath_data();
    void adamBitForBitOnEveryPath();
    void gradientSumBitForBitOnEveryPath_data();
    void gradientSumBitForBitOnEveryPath();
    void networkAgreesAcrossPaths_data();
    void networkAgreesAcrossPaths();
};

namespace {

using ss::simd::Level;
constexpr Level kLevels[] = {Level::Portable, Level::Avx2, Level::Avx512};

// Float sums of K products of values in [-1, 1]: rounding grows like sqrt(K) eps.
double tolerance(int K) { return 1e-5 * (1 + std::sqrt(double(K))) * 4; }

// The first column of every data table: the path the row runs on.
void addPathColumn() { QTest::addColumn<int>("path"); }

// A row per path: "avx512: hidden forward".
QTestData& pathRow(Level level, const char* name)
{
    return QTest::newRow(qPrintable(QString("%1: %2").arg(ss::simd::name(level), name))) << int(level);
}

// A product's shape: C (M x N) = A (M x K) B, B read in place as its
// transpose or not, added to C or not; after the path column.
void addProductColumns()
{
    addPathColumn();
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<bool>("transposedB");
    QTest::addColumn<bool>("accumulate");
}

// The row's product (addProductColumns) with random A and B; B is stored as
// K x N, or as N x K read transposed, and addressed B(k, j) = Bstore[k bk + j bc].
struct Product {
    int M, N, K;
    bool transposedB, accumulate;
    MatrixF A, Bstore;
    int bk, bc;
};
Product fetchProduct()
{
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(bool, transposedB);
    QFETCH(bool, accumulate);
    MatrixF A = MatrixF::Random(M, K);
    MatrixF Bstore = transposedB ? MatrixF::Random(N, K) : MatrixF::Random(K, N);
    return {M, N, K, transposedB, accumulate, std::move(A), std::move(Bstore), transposedB ? N : 1, transposedB ? 1 : K};
}

// Selects the row's path, or skips the row when this CPU (or build) lacks it.
#define USE_PATH()                                                                                                    \
    do {                                                                                                              \
        QFETCH(int, path);                                                                                            \
        if (!ss::simd::setActive(Level(path)))                                                                        \
            QSKIP(qPrintable(QString("this CPU or build has no %1 path").arg(ss::simd::name(Level(path)))));         \
    } while (0)

// The CPU's feature flags as the kernel lists them (Linux), read without
// the code under test's own detection.
std::set<std::string> cpuFlags()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0) {
            std::istringstream words(line.substr(line.find(':') + 1));
            return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
        }
    return {};
}

} // namespace

void TestGemm::cleanup() { ss::simd::setActive(ss::simd::best()); }

void TestGemm::bestPathFollowsTheCpu()
{
#if defined(__x86_64__) && defined(__linux__)
    const auto flags = cpuFlags();
    if (flags.empty()) QSKIP("no /proc/cpuinfo flags to compare with");
    const auto has = [&](const char* f) { return flags.count(f) > 0; };
    const Level expected = has("avx512f") && has("avx512vl") && has("avx512dq") && has("avx512bw") && has("fma")
                               ? Level::Avx512
                           : has("avx2") && has("fma") ? Level::Avx2
                                                       : Level::Portable;
    QCOMPARE(ss::simd::name(ss::simd::best()), ss::simd::name(expected));
    // Unless SCORESCOPE_SIMD caps it, the best path is the one in use.
    if (!qEnvironmentVariableIsSet("SCORESCOPE_SIMD"))
        QCOMPARE(ss::simd::name(ss::simd::active()), ss::simd::name(expected));
    QCOMPARE(ss::gemm::vectorised(), ss::simd::active() != Level::Portable);
#else
    QSKIP("the vector paths are x86-64 (Linux) only");
#endif
}

void TestGemm::multiplyAB_data()
{
    addProductColumns();
    for (Level l : kLevels) {
        pathRow(l, "hidden forward") << 128 << 128 << 128 << false << false;
        pathRow(l, "input layer") << 128 << 77 << 3 << false << false;
        pathRow(l, "weight gradient") << 128 << 128 << 64 << true << true;
        pathRow(l, "first weight gradient") << 128 << 3 << 50 << true << true;
        pathRow(l, "output layer (few rows)") << 2 << 131 << 128 << false << false;
        pathRow(l, "output layer accumulate") << 2 << 9 << 64 << false << true;
        pathRow(l, "four rows accumulate") << 4 << 10 << 40 << false << true;
        pathRow(l, "ragged") << 48 << 13 << 29 << false << true;
        pathRow(l, "odd rows (Eigen path)") << 37 << 11 << 5 << true << false;
    }
}

void TestGemm::multiplyAB()
{
    USE_PATH();
    const auto [M, N, K, transposedB, accumulate, A, Bstore, bk, bc] = fetchProduct();
    const MatrixF B = transposedB ? MatrixF(Bstore.transpose()) : Bstore;
    MatrixF C = MatrixF::Random(M, N);
    const MatrixF expected = (accumulate ? C : MatrixF::Zero(M, N)) + A * B;
    ss::gemm::multiplyAB(M, N, K, A.data(), M, Bstore.data(), bk, bc, C.data(), M, accumulate);
    QVERIFY((C - expected).cwiseAbs().maxCoeff() < tolerance(K));
}

void TestGemm::vectorPathsMatchPlainSums_data()
{
    addProductColumns();
    for (Level l : {Level::Avx2, Level::Avx512}) {
        pathRow(l, "hidden forward, every column block") << 128 << 131 << 128 << false << false;
        pathRow(l, "input layer") << 128 << 77 << 3 << false << false;
        pathRow(l, "weight gradient (B read transposed)") << 128 << 128 << 64 << true << true;
        pathRow(l, "16-row remainder") << 48 << 13 << 29 << false << true;
        pathRow(l, "16 rows, one column") << 16 << 1 << 40 << true << false;
    }
}

void TestGemm::vectorPathsMatchPlainSums()
{
    // The vector kernels sum each entry from the bias over k = 0..K-1 by fused
    // multiply-adds, then add C's old value when accumulating: the plain loop
    // below, bit for bit.
    USE_PATH();
    const auto [M, N, K, transposedB, accumulate, A, Bstore, bk, bc] = fetchProduct();
    const Eigen::VectorXf bias = Eigen::VectorXf::Random(M);
    const MatrixF C0 = MatrixF::Random(M, N);
    MatrixF expected(M, N);
    for (int j = 0; j < N; ++j)
        for (int i = 0; i < M; ++i) {
            float sum = bias[i];
            for (int k = 0; k < K; ++k) sum = std::fma(A(i, k), Bstore.data()[k * bk + j * bc], sum);
            expected(i, j) = accumulate ? sum + C0(i, j) : sum;
        }
    MatrixF C = C0;
    ss::gemm::multiplyAB(M, N, K, A.data(), M, Bstore.data(), bk, bc, C.data(), M, accumulate, bias.data());
    QCOMPARE(C, expected);
}

void TestGemm::multiplyAtB_data()
{
    addPathColumn();
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    for (Level l : kLevels) {
        pathRow(l, "hidden backward") << 128 << 16 << 128;
        pathRow(l, "ragged") << 7 << 5 << 37;
        pathRow(l, "short K (Eigen path)") << 9 << 4 << 3;
    }
}

void TestGemm::multiplyAtB()
{
    USE_PATH();
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    const MatrixF A = MatrixF::Random(K, M), B = MatrixF::Random(K, N);
    MatrixF C(M, N);
    ss::gemm::multiplyAtB(M, N, K, A.data(), K, B.data(), K, C.data(), M);
    QVERIFY((C - A.transpose() * B).cwiseAbs().maxCoeff() < tolerance(K));
}

void TestGemm::biasFolded_data()
{
    addPathColumn();
    for (Level l : kLevels) pathRow(l, "bias");
}

void TestGemm::biasFolded()
{
    USE_PATH();
    // The bias enters the kernel's accumulators (M = 32), the few-rows path
    // (M = 2, the output layer) or the Eigen path (M = 3 with K < 8).
    for (auto [M, K] : {std::pair{32, 20}, std::pair{2, 20}, std::pair{3, 5}}) {
        const int N = 10;
        const MatrixF A = MatrixF::Random(M, K), B = MatrixF::Random(K, N);
        const Eigen::VectorXf bias = Eigen::VectorXf::Random(M);
        MatrixF C(M, N);
        ss::gemm::multiplyAB(M, N, K, A.data(), M, B.data(), 1, K, C.data(), M, false, bias.data());
        const MatrixF expected = (A * B).colwise() + bias;
        QVERIFY((C - expected).cwiseAbs().maxCoeff() < tolerance(K));
    }
}

void TestGemm::silu_data()
{
    addPathColumn();
    for (Level l : kLevels) pathRow(l, "silu");
}

void TestGemm::silu()
{
    USE_PATH();
    // Values across the whole float range the network meets, and beyond the
    // clamp of the exponential (+-87) where silu(z) -> z or 0.
    // Descending, so the scalar tail (2003 = 8 * 250 + 3) meets the most
    // negative values, where exp(-z) overflows without the clamp.
    std::vector<float> z, d1(2003), d2(2003);
    for (int i = 0; i < 2003; ++i) z.push_back(120.0f - 240.0f * float(i) / 2002.0f);
    std::vector<float> h = z;
    ss::siluInPlace(h.data(), d1.data(), d2.data(), std::ptrdiff_t(h.size()));
    for (size_t i = 0; i < z.size(); ++i) {
        const double x = z[i], s = 1 / (1 + std::exp(-x));
        const double hh = x * s, dd1 = s * (1 + x * (1 - s)), dd2 = s * (1 - s) * (2 + x * (1 - 2 * s));
        QVERIFY2(std::abs(h[i] - hh) <= 1e-6 * (1 + std::abs(hh)), qPrintable(QString::number(x)));
        QVERIFY(std::abs(d1[i] - dd1) <= 1e-6 * (1 + std::abs(dd1)));
        QVERIFY(std::abs(d2[i] - dd2) <= 1e-6 * (1 + std::abs(dd2)));
    }
}

void TestGemm::siluAgreesAcrossPaths()
{
    // The vector paths share the polynomial exp; their reciprocal estimates
    // differ (AVX2's 12 bits, AVX-512's 14, each refined by one Newton step),
    // so they agree within a few units in the last place, not bit for bit.
    if (!ss::simd::setActive(Level::Avx2) || !ss::simd::setActive(Level::Avx512))
        QSKIP("this CPU lacks AVX2 or AVX-512: nothing to compare");
    std::vector<float> z;
    for (int i = 0; i < 4001; ++i) z.push_back(100.0f - 200.0f * float(i) / 4000.0f);
    std::vector<float> h[2] = {z, z}, d1[2] = {z, z}, d2[2] = {z, z};
    for (int p = 0; p < 2; ++p) {
        ss::simd::setActive(p == 0 ? Level::Avx2 : Level::Avx512);
        ss::siluInPlace(h[p].data(), d1[p].data(), d2[p].data(), std::ptrdiff_t(z.size()));
    }
    for (size_t i = 0; i < z.size(); ++i) {
        QVERIFY2(std::abs(h[0][i] - h[1][i]) <= 4e-7f * (1 + std::abs(h[0][i])), qPrintable(QString::number(z[i])));
        QVERIFY(std::abs(d1[0][i] - d1[1][i]) <= 4e-7f * (1 + std::abs(d1[0][i])));
        QVERIFY(std::abs(d2[0][i] - d2[1][i]) <= 4e-7f * (1 + std::abs(d2[0][i])));
    }
}

void TestGemm::siluEpilogue_data()
{
    addPathColumn();
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("ldc"); // C's column stride (a tape's input has tangent columns beside)
    QTest::addColumn<int>("ldd"); // d1/d2's column stride
    for (Level l : kLevels) {
        pathRow(l, "hidden layer, fused") << 128 << 70 << 128 << 128 << 128;
        pathRow(l, "input layer, fused") << 32 << 13 << 3 << 32 << 32;
        pathRow(l, "strided d") << 16 << 7 << 20 << 16 << 24;
        pathRow(l, "strided C") << 48 << 5 << 9 << 50 << 48;
        pathRow(l, "few rows (separate pass)") << 2 << 11 << 16 << 2 << 2;
        pathRow(l, "odd rows (Eigen path)") << 37 << 6 << 5 << 37 << 37;
    }
}

void TestGemm::siluEpilogue()
{
    USE_PATH();
    // The fused activation must equal the product followed by siluInPlace,
    // bit for bit (evaluate() and forward() must agree whichever path runs),
    // with act' and act'' in their own strided arrays.
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(int, ldc);
    QFETCH(int, ldd);
    const MatrixF A = MatrixF::Random(M, K) * 2, B = MatrixF::Random(K, N) * 2;
    const Eigen::VectorXf bias = Eigen::VectorXf::Random(M);
    MatrixF plain(ldc, N), fused = MatrixF::Constant(ldc, N, -7), d1 = MatrixF::Constant(ldd, N, -7),
                           d2 = MatrixF::Constant(ldd, N, -7);
    ss::gemm::multiplyAB(M, N, K, A.data(), M, B.data(), 1, K, plain.data(), ldc, false, bias.data());
    const ss::gemm::SiluEpilogue silu{d1.data(), d2.data(), ldd};
    ss::gemm::multiplyAB(M, N, K, A.data(), M, B.data(), 1, K, fused.data(), ldc, false, bias.data(), &silu);
    MatrixF z = plain.topRows(M), h = z, e1(M, N), e2(M, N);
    ss::siluInPlace(h.data(), e1.data(), e2.data(), std::ptrdiff_t(M) * N);
    QCOMPARE(MatrixF(fused.topRows(M)), h);
    QCOMPARE(MatrixF(d1.topRows(M)), e1);
    QCOMPARE(MatrixF(d2.topRows(M)), e2);
    // Nothing written outside the M rows of each column.
    if (ldc > M) QVERIFY((fused.bottomRows(ldc - M).array() == -7).all());
    if (ldd > M) QVERIFY((d1.bottomRows(ldd - M).array() == -7).all());
    // And h alone (the inference path) is the same h.
    MatrixF only(ldc, N);
    const ss::gemm::SiluEpilogue hOnly;
    ss::gemm::multiplyAB(M, N, K, A.data(), M, B.data(), 1, K, only.data(), ldc, false, bias.data(), &hOnly);
    QCOMPARE(MatrixF(only.topRows(M)), h);
}

void TestGemm::siluEpilogueRefusesAccumulate_data()
{
    addPathColumn();
    for (Level l : kLevels) pathRow(l, "refuses");
}

void TestGemm::siluEpilogueRefusesAccumulate()
{
    USE_PATH();
    MatrixF A = MatrixF::Random(16, 4), B = MatrixF::Random(4, 3), C = MatrixF::Zero(16, 3);
    const ss::gemm::SiluEpilogue silu;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ss::gemm::multiplyAB(16, 3, 4, A.data(), 16, B.data(), 1, 4,
                                                                         C.data(), 16, true, nullptr, &silu));
}

void TestGemm::adamBitForBitOnEveryPath_data()
{
    addPathColumn();
    for (Level l : {Level::Avx2, Level::Avx512}) pathRow(l, "adam");
}

void TestGemm::adamBitForBitOnEveryPath()
{
    // The same arithmetic in the same order (no contraction into FMAs: the
    // build is ISO C++), vectorised per path: identical to the portable loop,
    // including the clamp of v and a NaN gradient staying NaN.
    USE_PATH();
    const Level vector = ss::simd::active();
    const int n = 1037; // not a multiple of any vector width
    Eigen::VectorXf grads = Eigen::VectorXf::Random(n) * 3;
    grads[5] = 4e19f; // v would overflow to inf without the clamp
    grads[6] = std::numeric_limits<float>::quiet_NaN();
    ss::OptimizerConfig config;
    config.clipNorm = 0;
    Eigen::VectorXf params[2];
    Eigen::VectorXf ema[2];
    for (int p = 0; p < 2; ++p) {
        QVERIFY(ss::simd::setActive(p == 0 ? Level::Portable : vector));
        ss::Adam adam(config);
        params[p] = Eigen::VectorXf::LinSpaced(n, -1, 1);
        adam.reset(params[p]);
        for (int step = 0; step < 3; ++step) {
            Eigen::VectorXf g = grads * float(step + 1);
            adam.applyRange(adam.beginUpdate(1.0), params[p].data(), g.data(), 0, n);
        }
        ema[p] = adam.state().ema;
    }
    QVERIFY(std::isnan(params[0][6]) && std::isnan(params[1][6]));
    params[0][6] = params[1][6] = 0; // NaN != NaN
    ema[0][6] = ema[1][6] = 0;
    QCOMPARE(params[1], params[0]);
    QCOMPARE(ema[1], ema[0]);
    QVERIFY(std::isfinite(params[1][5]));
}

void TestGemm::gradientSumBitForBitOnEveryPath_data()
{
    addPathColumn();
    for (Level l : {Level::Avx2, Level::Avx512}) pathRow(l, "gradient sum");
}

void TestGemm::gradientSumBitForBitOnEveryPath()
{
    // The trainer's sum of three workers' gradients and its squared norm over
    // a range that starts and ends off every vector width: the vector path
    // gives the portable loop's bits, both within double rounding of a plain
    // sum, and nothing outside the range changes.
    USE_PATH();
    const Level vector = ss::simd::active();
    const int n = 1037, begin = 5, end = 1030;
    const Eigen::VectorXf g1 = Eigen::VectorXf::Random(n), g2 = Eigen::VectorXf::Random(n) * 7;
    const Eigen::VectorXf start = Eigen::VectorXf::Random(n) * 1e3f;
    const float* const others[] = {g1.data(), g2.data()};
    const Eigen::VectorXf warmed = Eigen::VectorXf::Ones(n);
    const float* const warm[] = {warmed.data(), warmed.data()};
    Eigen::VectorXf sum[2];
    double norm2[2];
    for (int p = 0; p < 2; ++p) {
        QVERIFY(ss::simd::setActive(p == 0 ? Level::Portable : vector));
        sum[p] = start;
        norm2[p] = ss::sumGradients(sum[p].data(), others, 2, warm, 2, begin, end);
    }
    QCOMPARE(sum[1], sum[0]);
    QCOMPARE(norm2[1], norm2[0]);
    double plain = 0;
    for (int i = 0; i < n; ++i) {
        const float expected = i < begin || i >= end ? start[i] : start[i] + g1[i] + g2[i];
        QCOMPARE(sum[0][i], expected);
        if (i >= begin && i < end) plain += double(expected) * double(expected);
    }
    QVERIFY(std::abs(norm2[0] - plain) <= 1e-12 * plain);
}

void TestGemm::networkAgreesAcrossPaths_data()
{
    addPathColumn();
    for (Level l : {Level::Avx2, Level::Avx512}) pathRow(l, "3-128-128-128-2 SiLU");
}

void TestGemm::networkAgreesAcrossPaths()
{
    // The whole network (the score model's shape) on 301 points: a vector
    // path within float rounding of the portable one.
    USE_PATH();
    const Level vector = ss::simd::active();
    const ss::MlpT<float> mlp({3, 128, 128, 128, 2}, ss::Activation::SiLU, 7);
    const MatrixF x = MatrixF::Random(3, 301) * 3;
    MatrixF out[2] = {MatrixF(2, 301), MatrixF(2, 301)};
    MatrixF scratch[2];
    for (int p = 0; p < 2; ++p) {
        QVERIFY(ss::simd::setActive(p == 0 ? Level::Portable : vector));
        mlp.evaluate(x, out[p], scratch);
    }
    const double scale = out[0].cwiseAbs().maxCoeff();
    QVERIFY2((out[1] - out[0]).cwiseAbs().maxCoeff() <= 1e-5 * (1 + scale),
             qPrintable(QString("max difference %1").arg((out[1] - out[0]).cwiseAbs().maxCoeff())));
}

QTEST_APPLESS_MAIN(TestGemm)
#include "tst_gemm.moc"
