// Tests of the sample-quality metrics (core/Metrics.h).
//
// Overview
//  - sw2Gaussians: sliced W2 between Gaussian samples against the exact values
//    (shift: |mu| / sqrt 2; scale: |1 - s|), equal and unequal sizes;
//  - sw2Exact: cases with an exact answer (identical, duplicated, two points vs one);
//  - sameDistribution: identical sets and independent samples of one law give
//    values near 0, far below those of shifted Gaussians;
//  - energyReference: energy distance of shifted Gaussians against a quadrature
//    of its defining expectations;
//  - growsWithShift, mmdUnbiased: MMD and energy grow with the shift; the MMD
//    U-statistic averages to 0 under equal laws;
//  - directSums: MMD (bandwidth ladders, the fast exp, its clamp) and energy equal
//    a plain double loop with std::exp / std::sqrt;
//  - modeWeights*: the NCSN preset's 0.8 / 0.2 and a hand-made set;
//  - refused: bad input gives an InputError naming the problem;
//  - deterministic: same seed, bit-identical results; compareSamples agrees.
// Tolerances were set from the spread over 20 seeds (stated at each test), with
// a margin of at least 4 standard deviations.
// How to add a case: a row in the matching *_data() function.
#include "core/Error.h"
#include "core/Metrics.h"
#include "core/Presets.h"
#include "core/Rng.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <functional>

using Action = std::function<void()>;
Q_DECLARE_METATYPE(Action)
Q_DECLARE_METATYPE(std::vector<double>)

namespace {

constexpr double kPi = 3.14159265358979323846;

// n samples of N((mx, my), s^2 I).
Eigen::Matrix2Xd gaussian(int n, double mx, double my, double s, std::uint64_t seed)
{
    ss::Rng rng(seed);
    Eigen::Matrix2Xd x(2, n);
    for (int j = 0; j < n; ++j) {
        const double a = rng.normal(), b = rng.normal();
        x(0, j) = mx + s * a;
        x(1, j) = my + s * b;
    }
    return x;
}

QString inputErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const ss::InputError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<no InputError>");
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// E|Z| for Z ~ N((mu, 0), 2 I), by the midpoint rule on [-9, 9]^2 in standard
// normal coordinates (step 0.02; the mass outside is < 1e-17). The kink of |z|
// at 0 limits the error to ~1e-7, far below the tolerances it is used with.
double meanNormShifted(double mu)
{
    const double h = 0.02, r2 = std::sqrt(2.0);
    double sum = 0.0;
    for (double u = -9.0 + h / 2; u < 9.0; u += h)
        for (double v = -9.0 + h / 2; v < 9.0; v += h)
            sum += std::exp(-0.5 * (u * u + v * v)) * std::hypot(mu + r2 * u, r2 * v);
    return sum * h * h / (2.0 * kPi);
}

// The defining double sums, term by term with std::exp / std::sqrt.
double directMmd(const Eigen::Matrix2Xd& a, const Eigen::Matrix2Xd& b, const std::vector<double>& h)
{
    const auto k = [&h](const Eigen::Vector2d& x, const Eigen::Vector2d& y) {
        double s = 0.0;
        for (const double bw : h) s += std::exp(-(x - y).squaredNorm() / (2.0 * bw * bw));
        return s;
    };
    const Eigen::Index n = a.cols(), m = b.cols();
    double saa = 0.0, sbb = 0.0, sab = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            if (i != j) saa += k(a.col(i), a.col(j));
    for (Eigen::Index i = 0; i < m; ++i)
        for (Eigen::Index j = 0; j < m; ++j)
            if (i != j) sbb += k(b.col(i), b.col(j));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < m; ++j) sab += k(a.col(i), b.col(j));
    return saa / double(n * (n - 1)) + sbb / double(m * (m - 1)) - 2.0 * sab / double(n * m);
}

double directEnergy(const Eigen::Matrix2Xd& a, const Eigen::Matrix2Xd& b)
{
    const Eigen::Index n = a.cols(), m = b.cols();
    double saa = 0.0, sbb = 0.0, sab = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) saa += (a.col(i) - a.col(j)).norm();
    for (Eigen::Index i = 0; i < m; ++i)
        for (Eigen::Index j = 0; j < m; ++j) sbb += (b.col(i) - b.col(j)).norm();
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < m; ++j) sab += (a.col(i) - b.col(j)).norm();
    return 2.0 * sab / double(n * m) - saa / double(n * (n - 1)) - sbb / double(m * (m - 1));
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void sw2Gaussians_data();
    void sw2Gaussians();
    void sw2Exact();
    void sameDistribution();
    void energyReference_data();
    void energyReference();
    void growsWithShift();
    void mmdUnbiased();
    void directSums_data();
    void directSums();
    void modeWeightsNcsn();
    void modeWeightsHandMade();
    void refused_data();
    void refused();
    void deterministic();
};

void TestMetrics::sw2Gaussians_data()
{
    QTest::addColumn<double>("mx");
    QTest::addColumn<double>("my");
    QTest::addColumn<double>("s"); // b ~ N((mx, my), s^2 I), a ~ N(0, I)
    QTest::addColumn<int>("nb");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("tol"); // relative
    // Shift: W2 along u is |mu . u| (equal covariances add nothing) and the mean of
    // cos^2 over directions is 1/2, so SW2 = |mu| / sqrt 2.
    // Scale: every projection is N(0, 1) vs N(0, s^2), W2 = |1 - s| in all directions.
    // Spread over 20 seeds at 10k points: sd 0.3% (shift), 1.1% (scale 0.5), 1.2%
    // (scale 2), 0.9% (unequal sizes); at 20k it shrinks by ~1.4. Tolerances: >= 4 sd.
    QTest::newRow("shift (3, 0)") << 3.0 << 0.0 << 1.0 << 20000 << 3.0 / std::sqrt(2.0) << 0.015;
    QTest::newRow("shift (2, 2)") << 2.0 << 2.0 << 1.0 << 20000 << 2.0 << 0.015;
    QTest::newRow("scale 0.5") << 0.0 << 0.0 << 0.5 << 20000 << 0.5 << 0.04;
    QTest::newRow("scale 2") << 0.0 << 0.0 << 2.0 << 20000 << 1.0 << 0.04;
    QTest::newRow("unequal sizes, shift (1, 1)") << 1.0 << 1.0 << 1.0 << 13001 << 1.0 << 0.04;
}

void TestMetrics::sw2Gaussians()
{
    QFETCH(double, mx);
    QFETCH(double, my);
    QFETCH(double, s);
    QFETCH(int, nb);
    QFETCH(double, expected);
    QFETCH(double, tol);
    const Eigen::Matrix2Xd a = gaussian(20000, 0.0, 0.0, 1.0, 11);
    const Eigen::Matrix2Xd b = gaussian(nb, mx, my, s, 12);
    const double sw2 = ss::slicedWasserstein2(a, b, 64, 3);
    QVERIFY2(std::abs(sw2 - expected) <= tol * expected,
             qPrintable(QString("SW2 %1, expected %2 within %3%").arg(sw2).arg(expected).arg(100 * tol)));
}

void TestMetrics::sw2Exact()
{
    const Eigen::Matrix2Xd a = gaussian(1000, 0.5, -1.0, 2.0, 21);
    // Identical sets: every projected pair of order statistics is equal.
    QCOMPARE(ss::slicedWasserstein2(a, a, 16, 1), 0.0);
    // Every point twice: the same empirical law with unequal sizes; the merged
    // quantile steps pair each point with its own copies.
    Eigen::Matrix2Xd twice(2, 2000);
    twice << a, a;
    QCOMPARE(ss::slicedWasserstein2(a, twice, 16, 1), 0.0);
    QCOMPARE(ss::slicedWasserstein2(twice, a, 16, 1), 0.0);
    // {(0,0), (1,0)} vs {(0,0)}: W2^2 along angle t is cos^2(t) / 2 (half the mass
    // moves by cos t), so SW2 = sqrt(1/4) = 1/2. The stratified directions make the
    // direction average exact to ~pi / (sqrt 12 K^1.5) ~ 3e-8 at K = 1e5.
    Eigen::Matrix2Xd two(2, 2), one(2, 1);
    two << 0.0, 1.0, 0.0, 0.0;
    one << 0.0, 0.0;
    QVERIFY(std::abs(ss::slicedWasserstein2(two, one, 100000, 5) - 0.5) < 1e-6);
    // One projection is one random direction: the value lies in [0, 1/sqrt 2].
    const double single = ss::slicedWasserstein2(two, one, 1, 5);
    QVERIFY(single >= 0.0 && single <= std::sqrt(0.5) + 1e-15);
}

// Identical sets: SW2 = 0 exactly. MMD: the cross sum includes the n diagonal
// terms k(x, x) = H (H bandwidths), so MMD = 4 Kaa / (n^2 (n-1)) - 2H/n with
// 0 <= Kaa <= H n(n-1)/2, i.e. in [-2H/n, 0]. Energy = -(2/n) mean_{i!=j} |xi - xj|,
// in [-2 max|xi - xj| / n, 0].
// Independent samples of N(0, I), n = 2048 (20 seeds): SW2 mean 0.054 sd 0.008,
// MMD and energy sd 8e-4 about 0. Bounds: SW2 < 0.1, |MMD|, |energy| < 0.005 (>= 5.5
// sd). A shift of 0.5 gives SW2 0.36, MMD 0.082, energy 0.11 (sd <= 0.02): they
// exceed twice the bounds by >= 7 sd.
void TestMetrics::sameDistribution()
{
    const int n = 2048;
    const Eigen::Matrix2Xd a = gaussian(n, 0.0, 0.0, 1.0, 31);
    QCOMPARE(ss::slicedWasserstein2(a, a, 128, 0), 0.0);
    const double mmdSelf = ss::mmdSquared(a, a);
    QVERIFY2(mmdSelf <= 0.0 && mmdSelf >= -2.0 * 6 / n, qPrintable(QString::number(mmdSelf)));
    double maxDist = 0.0;
    for (int j = 1; j < n; ++j) maxDist = std::max(maxDist, (a.col(j) - a.col(0)).norm());
    maxDist *= 2.0; // triangle inequality: a bound on every pairwise distance
    const double energySelf = ss::energyDistance(a, a);
    QVERIFY2(energySelf <= 0.0 && energySelf >= -2.0 * maxDist / n, qPrintable(QString::number(energySelf)));

    const Eigen::Matrix2Xd b = gaussian(n, 0.0, 0.0, 1.0, 32);
    const Eigen::Matrix2Xd shifted = gaussian(n, 0.5, 0.0, 1.0, 33);
    const double sw2 = ss::slicedWasserstein2(a, b, 128, 0),
                 sw2Shift = ss::slicedWasserstein2(a, shifted, 128, 0);
    const double mmd = ss::mmdSquared(a, b), mmdShift = ss::mmdSquared(a, shifted);
    const double en = ss::energyDistance(a, b), enShift = ss::energyDistance(a, shifted);
    const QString values = QString("same: SW2 %1 MMD %2 energy %3; shifted: %4 %5 %6")
                               .arg(sw2)
                               .arg(mmd)
                               .arg(en)
                               .arg(sw2Shift)
                               .arg(mmdShift)
                               .arg(enShift);
    QVERIFY2(sw2 < 0.1 && std::abs(mmd) < 0.005 && std::abs(en) < 0.005, qPrintable(values));
    QVERIFY2(sw2Shift > 0.2 && mmdShift > 0.01 && enShift > 0.01, qPrintable(values));
}

void TestMetrics::energyReference_data()
{
    QTest::addColumn<double>("shift");
    QTest::addColumn<double>("tol"); // absolute
    // Spread of one estimate at 4096 points (20 seeds): sd 0.0073 (0.5), 0.014 (1),
    // 0.024 (2); the mean of 8 has sd / 2.8. Tolerances ~ 4.5 sd of the mean.
    QTest::newRow("shift 0.5") << 0.5 << 0.012;
    QTest::newRow("shift 1") << 1.0 << 0.022;
    QTest::newRow("shift 2") << 2.0 << 0.04;
}

// X ~ N(0, I), Y ~ N((mu, 0), I): X - Y ~ N(-mu, 2I) and X - X' ~ N(0, 2I), so
// energy = 2 E|N(mu, 2I)| - 2 E|N(0, 2I)|, both by quadrature (meanNormShifted).
// The samples have 6000 points, so the subsampling to 4096 is exercised too.
void TestMetrics::energyReference()
{
    QFETCH(double, shift);
    QFETCH(double, tol);
    const double reference = 2.0 * meanNormShifted(shift) - 2.0 * meanNormShifted(0.0);
    // Check the quadrature itself: E|N(0, 2I)| is a Rayleigh mean, sqrt(pi).
    QVERIFY(std::abs(meanNormShifted(0.0) - std::sqrt(kPi)) < 1e-6);
    double mean = 0.0;
    const int repeats = 8;
    for (int r = 0; r < repeats; ++r)
        mean += ss::energyDistance(gaussian(6000, 0.0, 0.0, 1.0, 100 + r),
                                   gaussian(6000, shift, 0.0, 1.0, 200 + r), r) /
            repeats;
    QVERIFY2(std::abs(mean - reference) <= tol,
             qPrintable(QString("energy %1, reference %2, tolerance %3").arg(mean).arg(reference).arg(tol)));
}

// Shifts 0, 0.5, 1, 2 at 2000 points (20 seeds): MMD 0 / 0.078 / 0.30 / ~1 with sd
// <= 0.02, energy 0 / 0.11 / 0.43 / 1.6 with sd <= 0.025: every step is > 5 sd.
void TestMetrics::growsWithShift()
{
    const Eigen::Matrix2Xd a = gaussian(2000, 0.0, 0.0, 1.0, 41);
    double lastMmd = -1.0, lastEnergy = -1.0;
    for (const double shift : {0.0, 0.5, 1.0, 2.0}) {
        const Eigen::Matrix2Xd b = gaussian(2000, shift, 0.0, 1.0, 42);
        const double mmd = ss::mmdSquared(a, b, {}, 1), energy = ss::energyDistance(a, b, 1);
        QVERIFY2(mmd > lastMmd && energy > lastEnergy,
                 qPrintable(QString("shift %1: MMD %2 (before %3), energy %4 (before %5)")
                                .arg(shift)
                                .arg(mmd)
                                .arg(lastMmd)
                                .arg(energy)
                                .arg(lastEnergy)));
        lastMmd = mmd;
        lastEnergy = energy;
    }
}

// The U-statistic is unbiased for fixed bandwidths: over 16 independent pairs of
// N(0, I) samples the mean is 0 up to its standard error; |t| < 4 fails by
// chance with probability < 1e-3 (t with 15 degrees of freedom).
void TestMetrics::mmdUnbiased()
{
    const int repeats = 16;
    std::vector<double> v;
    for (int r = 0; r < repeats; ++r)
        v.push_back(ss::mmdSquared(gaussian(1000, 0.0, 0.0, 1.0, 300 + r),
                                   gaussian(800, 0.0, 0.0, 1.0, 400 + r), {0.5, 1.0, 2.0}, r));
    double mean = 0.0, var = 0.0;
    for (const double x : v) mean += x / repeats;
    for (const double x : v) var += (x - mean) * (x - mean) / (repeats - 1);
    const double t = mean / std::sqrt(var / repeats);
    QVERIFY2(std::abs(t) < 4.0,
             qPrintable(QString("mean %1, sd %2, t %3").arg(mean).arg(std::sqrt(var)).arg(t)));
    QVERIFY(*std::min_element(v.begin(), v.end()) < 0.0); // unbiased: some estimates are negative
}

void TestMetrics::directSums_data()
{
    QTest::addColumn<std::vector<double>>("bandwidths");
    // Kernel plans: c = 1 / (2 h^2) ratios of exactly 4 reuse a term squared twice.
    QTest::newRow("ladder 0.3/0.6/1.2 and 0.7") << std::vector<double>{0.3, 0.6, 1.2, 0.7};
    QTest::newRow("defaults x 1.7") << std::vector<double>{0.17, 0.34, 0.85, 1.7, 3.4, 8.5};
    // 1 / (2 h^2) of the first is exactly twice that of the second (found by search):
    // one squaring.
    QTest::newRow("c ratio 2") << std::vector<double>{0.7071081954001099, 1.000002, 3.0};
    QTest::newRow("tiny: terms underflow") << std::vector<double>{0.002, 0.004};
    QTest::newRow("huge: terms near 1") << std::vector<double>{1e4};
}

// Both sums are <= H and exact up to summation order and the fast exp (a few
// ulp; far terms come out as ~3e-308 instead of smaller): 1e-12 absolute.
void TestMetrics::directSums()
{
    QFETCH(std::vector<double>, bandwidths);
    const Eigen::Matrix2Xd a = gaussian(300, 0.0, 0.0, 1.0, 51);
    const Eigen::Matrix2Xd b = gaussian(257, 0.4, -0.2, 1.3, 52);
    const double mmd = ss::mmdSquared(a, b, bandwidths), direct = directMmd(a, b, bandwidths);
    QVERIFY2(std::abs(mmd - direct) < 1e-12,
             qPrintable(QString("MMD %1, direct %2").arg(mmd, 0, 'g', 17).arg(direct, 0, 'g', 17)));
    const double energy = ss::energyDistance(a, b), directE = directEnergy(a, b);
    QVERIFY2(std::abs(energy - directE) < 1e-12,
             qPrintable(QString("energy %1, direct %2").arg(energy, 0, 'g', 17).arg(directE, 0, 'g', 17)));
}

// 0.8 N((5,5), I) + 0.2 N((-5,-5), I), 20k samples: the sample fractions have sd
// sqrt(0.16 / 20000) = 0.0028, so 0.01 is 3.5 sd; a point is misassigned only past
// the midline, 5 sqrt 2 sd from its mean (p ~ 1e-12), so the weights equal the
// fractions of the sampler's labels exactly.
void TestMetrics::modeWeightsNcsn()
{
    const ss::Dataset d = ss::makePreset("ncsn", 20000, 7);
    QVERIFY(d.mixture && d.labelled());
    const std::vector<double> w = ss::modeWeights(d.points, *d.mixture);
    QCOMPARE(int(w.size()), 2);
    QVERIFY2(std::abs(w[0] - 0.8) <= 0.01 && std::abs(w[1] - 0.2) <= 0.01,
             qPrintable(QString("weights %1, %2").arg(w[0]).arg(w[1])));
    const double ones = double(std::count(d.labels.begin(), d.labels.end(), 1));
    QVERIFY(w[1] == ones / 20000);
    QCOMPARE(w[0] + w[1], 1.0);
}

// Three components; each point's winner has the smallest Mahalanobis^2 + log det C_k
// (-2 log N_k up to a constant); the comments give these for components 0 / 1 / 2.
// Two points go where the nearest mean in Mahalanobis distance alone would not.
void TestMetrics::modeWeightsHandMade()
{
    Eigen::Matrix2Xd means(2, 3);
    means << 0.0, 10.0, 0.0, 0.0, 0.0, 10.0;
    Eigen::Matrix2d wide = 100.0 * Eigen::Matrix2d::Identity(), unit = Eigen::Matrix2d::Identity(), thin;
    thin << 0.01, 0.0, 0.0, 4.0; // narrow in x, long in y; log det -3.2 (wide: 9.2, unit: 0)
    // The weights must not matter: 0.98 on component 0.
    const ss::GaussianMixture mix({0.98, 0.01, 0.01}, means, {wide, unit, thin});
    Eigen::Matrix2Xd p(2, 8);
    p.col(0) << 0.0, 0.0;     // 0:  9.2 / 100   / 21.8
    p.col(1) << 10.0, 0.5;    // 1: 10.2 / 0.25  / 1e4
    p.col(2) << 8.0, 0.0;     // 1:  9.9 / 4     / 6422 (Mahalanobis alone: 0.64 / 4, component 0)
    p.col(3) << 20.0, 0.0;    // 0: 13.2 / 100   / 4e4
    p.col(4) << 0.0, 13.0;    // 2: 10.9 / 269   / -1.0 (Mahalanobis alone: 1.69 / 269 / 2.25, component 0)
    p.col(5) << 0.5, 10.0;    // 0: 10.2 / 190   / 21.8
    p.col(6) << 0.0, 10.3;    // 2: 10.3 / 206   / -3.2
    p.col(7) << -30.0, -30.0; // 0: 27.2 / 2500  / 9e4
    const std::vector<double> w = ss::modeWeights(p, mix);
    QCOMPARE(int(w.size()), 3);
    QCOMPARE(w[0], 4.0 / 8);
    QCOMPARE(w[1], 2.0 / 8);
    QCOMPARE(w[2], 2.0 / 8);
}

void TestMetrics::refused_data()
{
    QTest::addColumn<Action>("action");
    QTest::addColumn<QString>("fragment");
    const Eigen::Matrix2Xd ok = gaussian(10, 0.0, 0.0, 1.0, 1);
    const Eigen::Matrix2Xd empty(2, 0);
    Eigen::Matrix2Xd nan = ok, inf = ok, huge = ok;
    nan(1, 3) = std::nan("");
    inf(0, 7) = -INFINITY;
    huge(0, 2) = 1e200;
    const Eigen::Matrix2Xd single = ok.leftCols(1);
    const ss::GaussianMixture mix({1.0}, Eigen::Matrix2Xd::Zero(2, 1), {Eigen::Matrix2d::Identity()});
    QTest::newRow("SW2, first set empty")
        << Action([=] { ss::slicedWasserstein2(empty, ok, 8, 0); }) << "empty";
    QTest::newRow("SW2, second set empty")
        << Action([=] { ss::slicedWasserstein2(ok, empty, 8, 0); }) << "second set is empty";
    QTest::newRow("SW2, NaN") << Action([=] { ss::slicedWasserstein2(ok, nan, 8, 0); })
                              << "point 3 of the second set is not finite";
    QTest::newRow("SW2, 0 projections")
        << Action([=] { ss::slicedWasserstein2(ok, ok, 0, 0); }) << "projections";
    QTest::newRow("SW2, too many projections")
        << Action([=] { ss::slicedWasserstein2(ok, ok, 2'000'000, 0); }) << "projections";
    QTest::newRow("MMD, empty") << Action([=] { ss::mmdSquared(ok, empty); }) << "empty";
    QTest::newRow("MMD, one point") << Action([=] { ss::mmdSquared(single, ok); }) << "at least 2";
    QTest::newRow("MMD, infinity") << Action([=] { ss::mmdSquared(inf, ok); }) << "not finite";
    QTest::newRow("MMD, huge coordinate") << Action([=] { ss::mmdSquared(huge, ok); }) << "beyond 1e150";
    QTest::newRow("MMD, bandwidth 0") << Action([=] { ss::mmdSquared(ok, ok, {1.0, 0.0}); }) << "bandwidth 1";
    QTest::newRow("MMD, bandwidth NaN")
        << Action([=] { ss::mmdSquared(ok, ok, {std::nan("")}); }) << "positive and finite";
    QTest::newRow("energy, empty") << Action([=] { ss::energyDistance(empty, ok); })
                                   << "energy distance: the first set is empty";
    QTest::newRow("energy, NaN") << Action([=] { ss::energyDistance(ok, nan); }) << "not finite";
    QTest::newRow("modes, empty") << Action([=] { ss::modeWeights(empty, mix); }) << "empty";
    QTest::newRow("modes, NaN") << Action([=] { ss::modeWeights(nan, mix); }) << "not finite";
    QTest::newRow("compare, one point")
        << Action([=] { ss::compareSamples(ok, single, nullptr); }) << "at least 2";
    QTest::newRow("compare, 0 projections")
        << Action([=] { ss::compareSamples(ok, ok, &mix, 0); }) << "projections";
}

void TestMetrics::refused()
{
    QFETCH(Action, action);
    QFETCH(QString, fragment);
    const QString msg = inputErrorOf(action);
    QVERIFY2(msg.contains(fragment), qPrintable(msg));
}

// 5000 points: both sets are subsampled for MMD / energy, and the default MMD
// bandwidths come from a seeded subsample, so every seed-dependent path runs.
void TestMetrics::deterministic()
{
    const ss::Dataset d = ss::makePreset("ncsn", 5000, 3);
    const Eigen::Matrix2Xd b = gaussian(5000, 3.0, 3.0, 3.0, 61);
    // compareSamples is the individual functions with the same seed: two separate
    // computations, bit-identical.
    const ss::SampleMetrics m1 = ss::compareSamples(d.points, b, &*d.mixture, 32, 9);
    QVERIFY(sameBits(m1.sw2, ss::slicedWasserstein2(d.points, b, 32, 9)));
    QVERIFY(sameBits(m1.mmd2, ss::mmdSquared(d.points, b, {}, 9)));
    QVERIFY(sameBits(m1.energy, ss::energyDistance(d.points, b, 9)));
    QVERIFY(m1.modeWeights == ss::modeWeights(d.points, *d.mixture));
    QCOMPARE(int(m1.modeWeights.size()), 2);
    // Another seed: other directions and subsamples.
    const ss::SampleMetrics m3 = ss::compareSamples(d.points, b, nullptr, 32, 10);
    QVERIFY(m3.sw2 != m1.sw2 && m3.mmd2 != m1.mmd2 && m3.energy != m1.energy);
    QVERIFY(m3.modeWeights.empty()); // no mixture
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
