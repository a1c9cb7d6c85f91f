// The AVX2 product kernels (core/Gemm.h) and the fused SiLU against plain
// Eigen/std references, on the shapes the network produces (multiples of 16,
// the output layer's 2 rows, the input layer's 3 columns) and on ragged ones
// that exercise every remainder path. How to add a case: a row in
// multiplyAB_data() / multiplyAtB_data().
#include "core/FastSilu.h"
#include "core/Gemm.h"

#include <Eigen/Core>
#include <QtTest>

#include <cmath>

using MatrixF = Eigen::MatrixXf;

class TestGemm : public QObject {
    Q_OBJECT
private slots:
    void multiplyAB_data();
    void multiplyAB();
    void multiplyAtB_data();
    void multiplyAtB();
    void biasFolded();
    void silu();
    void siluEpilogue_data();
    void siluEpilogue();
    void siluEpilogueRefusesAccumulate();
};

namespace {
// Float sums of K products of values in [-1, 1]: rounding grows like sqrt(K) eps.
double tolerance(int K) { return 1e-5 * (1 + std::sqrt(double(K))) * 4; }
} // namespace

void TestGemm::multiplyAB_data()
{
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<bool>("transposedB");
    QTest::addColumn<bool>("accumulate");
    QTest::newRow("hidden forward") << 128 << 128 << 128 << false << false;
    QTest::newRow("input layer") << 128 << 77 << 3 << false << false;
    QTest::newRow("weight gradient") << 128 << 128 << 64 << true << true;
    QTest::newRow("first weight gradient") << 128 << 3 << 50 << true << true;
    QTest::newRow("output layer (few rows)") << 2 << 131 << 128 << false << false;
    QTest::newRow("output layer accumulate") << 2 << 9 << 64 << false << true;
    QTest::newRow("ragged") << 48 << 13 << 29 << false << true;
    QTest::newRow("odd rows (Eigen path)") << 37 << 11 << 5 << true << false;
}

void TestGemm::multiplyAB()
{
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    QFETCH(bool, transposedB);
    QFETCH(bool, accumulate);
    const MatrixF A = MatrixF::Random(M, K);
    // B is read in place either as a K x N matrix or as the transpose of N x K.
    const MatrixF Bstore = transposedB ? MatrixF::Random(N, K) : MatrixF::Random(K, N);
    const MatrixF B = transposedB ? MatrixF(Bstore.transpose()) : Bstore;
    const int bk = transposedB ? N : 1, bc = transposedB ? 1 : K;
    MatrixF C = MatrixF::Random(M, N);
    const MatrixF expected = (accumulate ? C : MatrixF::Zero(M, N)) + A * B;
    ss::gemm::multiplyAB(M, N, K, A.data(), M, Bstore.data(), bk, bc, C.data(), M, accumulate);
    QVERIFY((C - expected).cwiseAbs().maxCoeff() < tolerance(K));
}

void TestGemm::multiplyAtB_data()
{
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::newRow("hidden backward") << 128 << 16 << 128;
    QTest::newRow("ragged") << 7 << 5 << 37;
    QTest::newRow("short K (Eigen path)") << 9 << 4 << 3;
}

void TestGemm::multiplyAtB()
{
    QFETCH(int, M);
    QFETCH(int, N);
    QFETCH(int, K);
    const MatrixF A = MatrixF::Random(K, M), B = MatrixF::Random(K, N);
    MatrixF C(M, N);
    ss::gemm::multiplyAtB(M, N, K, A.data(), K, B.data(), K, C.data(), M);
    QVERIFY((C - A.transpose() * B).cwiseAbs().maxCoeff() < tolerance(K));
}

void TestGemm::biasFolded()
{
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

void TestGemm::silu()
{
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

void TestGemm::siluEpilogue_data()
{
    QTest::addColumn<int>("M");
    QTest::addColumn<int>("N");
    QTest::addColumn<int>("K");
    QTest::addColumn<int>("ldc"); // C's column stride (a tape's input has tangent columns beside)
    QTest::addColumn<int>("ldd"); // d1/d2's column stride
    QTest::newRow("hidden layer, fused") << 128 << 70 << 128 << 128 << 128;
    QTest::newRow("input layer, fused") << 32 << 13 << 3 << 32 << 32;
    QTest::newRow("strided d") << 16 << 7 << 20 << 16 << 24;
    QTest::newRow("strided C") << 48 << 5 << 9 << 50 << 48;
    QTest::newRow("few rows (separate pass)") << 2 << 11 << 16 << 2 << 2;
    QTest::newRow("odd rows (Eigen path)") << 37 << 6 << 5 << 37 << 37;
}

void TestGemm::siluEpilogue()
{
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

void TestGemm::siluEpilogueRefusesAccumulate()
{
    MatrixF A = MatrixF::Random(16, 4), B = MatrixF::Random(4, 3), C = MatrixF::Zero(16, 3);
    const ss::gemm::SiluEpilogue silu;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ss::gemm::multiplyAB(16, 3, 4, A.data(), 16, B.data(), 1, 4,
                                                                         C.data(), 16, true, nullptr, &silu));
}

QTEST_APPLESS_MAIN(TestGemm)
#include "tst_gemm.moc"
