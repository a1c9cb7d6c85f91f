// The AVX2 product kernels (core/Gemm.h) and the fused SiLU against plain
// Eigen/std references, on the shapes the network produces (multiples of 16,
// the output layer's 2 rows, the input layer's 3 columns) and on ragged ones
// that exercise every remainder path. How to add a case: a row in
// multiplyAB_data() / multiplyAtB_data().
#include "FastSilu.h"
#include "Gemm.h"

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

QTEST_APPLESS_MAIN(TestGemm)
#include "tst_gemm.moc"
