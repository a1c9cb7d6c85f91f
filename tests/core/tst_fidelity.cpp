// Tests of the metrics that catch blur (core/SampleFidelity.h), their noise
// floors (core/NoiseFloor.h) and the exact conditional density
// (core/ConditionalDensity.h).
//
// Overview
//  - precisionRecall*: constructed cases (identical sets 1/1, a far shift 0/0,
//    a hand-made square, the ball's boundary) and the banded neighbour search
//    against a brute-force one on random sets, with subsampling;
//  - meanLogDensityGaussian: a single Gaussian's samples average
//    -log(2 pi sigma^2) - 1 (the negative entropy), within 5 standard errors;
//  - blurScoresWorse: 8 Gaussians plus N(0, 0.3^2) noise scores beyond the
//    noise floor on precision and log-density (sliced W2 does not see it),
//    while a true sample stays at the floor; missingModes: recall catches
//    half the modes dropped (blur does not lower recall: it is coverage);
//  - floors: presetNoiseFloor is compareSamples of a fresh draw; splitNoiseFloor halves;
//  - conditional*: p(x_j | x_i = a) against numerical integration of the joint
//    density (mixtures at several noise levels, both coordinates, a correlated
//    mixture, a smoothed point set);
//  - cdfDistance*: KS and W1 against closed forms and a fine quadrature;
//  - refused: bad input gives an InputError naming the problem.
#include "core/ConditionalDensity.h"
#include "core/EmpiricalDistribution.h"
#include "core/Error.h"
#include "core/Metrics.h"
#include "core/NoiseFloor.h"
#include "core/Presets.h"
#include "core/Rng.h"
#include "core/SampleFidelity.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>

namespace {

constexpr double kPi = 3.14159265358979323846;

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

// Share of q inside the k-NN balls of s, by the definition: all pairs, the k-th
// smallest distance by a full sort.
double bruteCoverage(const Eigen::Matrix2Xd& q, const Eigen::Matrix2Xd& s, int k)
{
    std::vector<double> r(s.cols());
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
        std::vector<double> d;
        for (Eigen::Index i = 0; i < s.cols(); ++i)
            if (i != j) d.push_back((s.col(i) - s.col(j)).norm());
        std::sort(d.begin(), d.end());
        r[j] = d[k - 1];
    }
    int inside = 0;
    for (Eigen::Index i = 0; i < q.cols(); ++i)
        for (Eigen::Index j = 0; j < s.cols(); ++j)
            if ((q.col(i) - s.col(j)).squaredNorm() <= r[j] * r[j]) {
                ++inside;
                break;
            }
    return double(inside) / double(q.cols());
}

double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

} // namespace

class TestFidelity : public QObject {
    Q_OBJECT

private slots:
    void precisionRecallConstructed();
    void precisionRecallBruteForce();
    void meanLogDensityGaussian();
    void blurScoresWorse();
    void missingModes();
    void floors();
    void conditionalMixture_data();
    void conditionalMixture();
    void conditionalPoints();
    void cdfDistanceClosedForm();
    void cdfDistanceQuadrature();
    void refused();
};

void TestFidelity::precisionRecallConstructed()
{
    const Eigen::Matrix2Xd a = gaussian(500, 0, 0, 1, 1);
    // Identical sets: every point is the centre of its own ball.
    ss::PrecisionRecall pr = ss::precisionRecall(a, a);
    QCOMPARE(pr.precision, 1.0);
    QCOMPARE(pr.recall, 1.0);
    // Shifted far beyond any ball (radii here are < 2).
    const Eigen::Matrix2Xd far = a.colwise() + Eigen::Vector2d(100, 0);
    pr = ss::precisionRecall(far, a);
    QCOMPARE(pr.precision, 0.0);
    QCOMPARE(pr.recall, 0.0);
    // Reference: the unit square's corners (k = 1: every radius is 1). Samples:
    // the centre (0.71 from each corner: inside) and (5, 5) (outside). The
    // samples' own balls have radius |(5,5) - (0.5,0.5)| = 6.36 and hold every corner.
    Eigen::Matrix2Xd square(2, 4), s(2, 2);
    square << 0, 1, 0, 1, 0, 0, 1, 1;
    s << 0.5, 5, 0.5, 5;
    pr = ss::precisionRecall(s, square, 1);
    QCOMPARE(pr.precision, 0.5);
    QCOMPARE(pr.recall, 1.0);
    // A point exactly on a ball's boundary counts (distance 1 from (0, 0) and (1, 0)... radius 1).
    Eigen::Matrix2Xd edge(2, 1);
    edge << 0, -1;
    QCOMPARE(ss::manifoldCoverage(edge, square, 1), 1.0);
    edge << 0, -1.000001;
    QCOMPARE(ss::manifoldCoverage(edge, square, 1), 0.0);
}

void TestFidelity::precisionRecallBruteForce()
{
    // Clusters and a uniform spread, k = 1, 3, 7: the banded search finds the
    // same balls as the definition, exactly.
    const ss::Dataset d = ss::makePreset("8gaussians", 700, 4);
    const Eigen::Matrix2Xd u = gaussian(600, 0.3, -0.2, 1.5, 5);
    for (const int k : {1, 3, 7}) {
        const ss::PrecisionRecall pr = ss::precisionRecall(u, d.points, k);
        QCOMPARE(pr.precision, bruteCoverage(u, d.points, k));
        QCOMPARE(pr.recall, bruteCoverage(d.points, u, k));
    }
    // With duplicated points (zero radii count only exact copies).
    Eigen::Matrix2Xd dup(2, 8);
    dup << 0, 0, 0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 1, 1, 1, 2;
    QCOMPARE(ss::manifoldCoverage(u.leftCols(50), dup, 3), bruteCoverage(u.leftCols(50), dup, 3));
    // Above kMaxManifoldPoints the sets are subsampled: still near the truth
    // for a sample of the same law (precision and recall ~0.9 at k = 3 in 2D).
    const Eigen::Matrix2Xd big = gaussian(ss::kMaxManifoldPoints + 5000, 0, 0, 1, 6);
    const Eigen::Matrix2Xd other = gaussian(ss::kMaxManifoldPoints + 5000, 0, 0, 1, 7);
    const ss::PrecisionRecall pr = ss::precisionRecall(big, other, 3, 2);
    QVERIFY2(pr.precision > 0.85 && pr.recall > 0.85, qPrintable(QString("%1 %2").arg(pr.precision).arg(pr.recall)));
    const ss::PrecisionRecall again = ss::precisionRecall(big, other, 3, 2);
    QCOMPARE(again.precision, pr.precision); // seeded
}

void TestFidelity::meanLogDensityGaussian()
{
    // N(m, s^2 I) in 2D: log p = -log(2 pi s^2) - |x - m|^2 / (2 s^2), and
    // |x - m|^2 / s^2 ~ chi^2_2 with mean 2 and variance 4: E log p =
    // -log(2 pi s^2) - 1, sd of log p = 1, so the standard error is 1 / sqrt(n).
    for (const double s : {0.3, 1.0, 2.5}) {
        const ss::Dataset d = ss::makePreset("gaussian", 20000, 8, {{"std", s}, {"mean_x", 1.0}});
        const ss::MeanLogDensity m = ss::meanLogDensity(d.points, *d.mixture);
        const double expected = -std::log(2 * kPi * s * s) - 1.0;
        QVERIFY2(std::abs(m.standardError - 1.0 / std::sqrt(20000.0)) < 0.1 / std::sqrt(20000.0),
                 qPrintable(QString::number(m.standardError)));
        QVERIFY2(std::abs(m.mean - expected) < 5 * m.standardError,
                 qPrintable(QString("s %1: %2 vs %3").arg(s).arg(m.mean).arg(expected)));
    }
}

// The demand: a blurred sample must score visibly worse than a true one.
// 8 Gaussians (std 0.1), 4000 points each; blur: + N(0, 0.3^2) per coordinate.
// Measured (seeds below): floor precision 0.980 and log-density -0.317 nats,
// true sample 0.975 and -0.340, blurred 0.469 and -8.95; recall 0.977 / 0.976 / 0.983.
void TestFidelity::blurScoresWorse()
{
    const int n = 4000;
    const ss::Dataset reference = ss::makePreset("8gaussians", n, 1);
    const ss::Dataset truth = ss::makePreset("8gaussians", n, 2);
    Eigen::Matrix2Xd blurred = truth.points + 0.3 * gaussian(n, 0, 0, 1, 3);
    const ss::GaussianMixture* mix = &*reference.mixture;
    const ss::SampleMetrics floor = ss::presetNoiseFloor("8gaussians", n, 9, reference.points, mix);
    const ss::SampleMetrics t = ss::compareSamples(truth.points, reference.points, mix);
    const ss::SampleMetrics b = ss::compareSamples(blurred, reference.points, mix);
    const QString msg = QString("precision floor %1 true %2 blurred %3; log-density floor %4 true %5 blurred %6; "
                                "recall floor %7 true %8 blurred %9; sw2 floor %10 true %11 blurred %12")
                            .arg(floor.precision).arg(t.precision).arg(b.precision)
                            .arg(floor.logDensity).arg(t.logDensity).arg(b.logDensity)
                            .arg(floor.recall).arg(t.recall).arg(b.recall)
                            .arg(floor.sw2).arg(t.sw2).arg(b.sw2);
    qInfo("%s", qPrintable(msg));
    // A true sample is at the floor: within 0.03 in precision and recall (their
    // spread over seeds is ~0.005), within 5 standard errors in log-density.
    QVERIFY2(std::abs(t.precision - floor.precision) < 0.03, qPrintable(msg));
    QVERIFY2(std::abs(t.recall - floor.recall) < 0.03, qPrintable(msg));
    QVERIFY2(std::abs(t.logDensity - floor.logDensity) < 5 * std::hypot(t.logDensityStdErr, floor.logDensityStdErr),
             qPrintable(msg));
    // The blurred one is far beyond it: precision at most half the floor's,
    // log-density more than 2 nats (over 50 standard errors) lower.
    QVERIFY2(b.precision < 0.5 * floor.precision, qPrintable(msg));
    QVERIFY2(b.logDensity < floor.logDensity - 2.0, qPrintable(msg));
    QVERIFY2(floor.logDensity - b.logDensity > 50 * b.logDensityStdErr, qPrintable(msg));
    // Recall measures coverage, not sharpness: blur keeps every mode covered.
    QVERIFY2(b.recall > floor.recall - 0.05, qPrintable(msg));
    // Not asserted, but why these metrics exist: sliced W2 does not see this
    // blur at all (measured: floor 0.165, true 0.110, blurred 0.158), its
    // floor being set by how the 4000 points fall among the 8 modes.
}

// Half the modes dropped: precision stays at the floor, recall halves.
void TestFidelity::missingModes()
{
    const int n = 4000;
    const ss::Dataset reference = ss::makePreset("8gaussians", n, 1);
    const ss::Dataset pool = ss::makePreset("8gaussians", 3 * n, 2);
    Eigen::Matrix2Xd half(2, n);
    int kept = 0;
    for (int j = 0; j < pool.size() && kept < n; ++j)
        if (pool.labels[j] % 2 == 0) half.col(kept++) = pool.points.col(j);
    QCOMPARE(kept, n);
    const ss::SampleMetrics floor = ss::presetNoiseFloor("8gaussians", n, 9, reference.points, &*reference.mixture);
    const ss::SampleMetrics m = ss::compareSamples(half, reference.points, &*reference.mixture);
    QVERIFY2(std::abs(m.precision - floor.precision) < 0.03, qPrintable(QString::number(m.precision)));
    QVERIFY2(m.recall < 0.6 && floor.recall > 0.9, qPrintable(QString("%1 %2").arg(m.recall).arg(floor.recall)));
}

void TestFidelity::floors()
{
    const ss::Dataset reference = ss::makePreset("25gaussians", 3000, 1);
    const ss::Dataset fresh = ss::makePreset("25gaussians", 1000, 5);
    const ss::SampleMetrics f = ss::presetNoiseFloor("25gaussians", 1000, 5, reference.points, &*reference.mixture, 64, 3);
    const ss::SampleMetrics g = ss::compareSamples(fresh.points, reference.points, &*reference.mixture, 64, 3);
    QCOMPARE(f.sw2, g.sw2);
    QCOMPARE(f.precision, g.precision);
    QCOMPARE(f.logDensity, g.logDensity);
    // Two halves of the reference: of the same law, so near the floor of 1500 points
    // (measured: SW2 0.20 — the 25 modes' counts vary by ~8 points in 60, and
    // that mass moves 1.5 — precision 0.95, recall 0.97).
    const ss::SampleMetrics h = ss::splitNoiseFloor(reference.points, &*reference.mixture, 64, 3);
    QVERIFY2(h.sw2 < 0.35 && h.precision > 0.85 && h.recall > 0.85,
             qPrintable(QString("%1 %2 %3").arg(h.sw2).arg(h.precision).arg(h.recall)));
    QCOMPARE(ss::splitNoiseFloor(reference.points, nullptr, 64, 3).sw2, h.sw2); // seeded
    // compareSamples is the individual functions with the same seed and k.
    const ss::PrecisionRecall pr = ss::precisionRecall(fresh.points, reference.points, 5, 3);
    const ss::SampleMetrics m5 = ss::compareSamples(fresh.points, reference.points, &*reference.mixture, 64, 3, 5);
    QCOMPARE(m5.precision, pr.precision);
    QCOMPARE(m5.recall, pr.recall);
    QCOMPARE(m5.logDensity, ss::meanLogDensity(fresh.points, *reference.mixture).mean);
    QVERIFY(std::isnan(ss::compareSamples(fresh.points, reference.points, nullptr).logDensity));
}

void TestFidelity::conditionalMixture_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("fixed");
    QTest::addColumn<double>("a");
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::newRow("8gaussians x1 = 1.41 clean") << "8gaussians" << 0 << 1.41 << 1.0 << 0.0;
    QTest::newRow("8gaussians x1 = 1 (between modes)") << "8gaussians" << 0 << 1.0 << 1.0 << 0.0;
    QTest::newRow("8gaussians x2 = -2 noised") << "8gaussians" << 1 << -2.0 << 0.9 << 0.3;
    QTest::newRow("ncsn x1 = 0") << "ncsn" << 0 << 0.0 << 1.0 << 0.0;
    QTest::newRow("correlated x2 = 0.5") << "correlated" << 1 << 0.5 << 1.0 << 0.0;
    QTest::newRow("correlated x1 = -1 noised") << "correlated" << 0 << -1.0 << 0.7 << 0.5;
}

// p(x_j | x_i = a) = p(a, x_j) / int p(a, y) dy, the joint from the mixture's
// own 2D log density on a grid of step 1e-3 over [-12, 12] (trapezoid).
// Compared: the density at grid points (relative 1e-6) and the CDF (absolute
// 3e-6: the trapezoid's error, h^2 / 12 |f'|, is ~1e-6 for modes of std 0.1).
void TestFidelity::conditionalMixture()
{
    QFETCH(QString, preset);
    QFETCH(int, fixed);
    QFETCH(double, a);
    QFETCH(double, mean);
    QFETCH(double, std);
    std::optional<ss::GaussianMixture> mix;
    if (preset == "correlated") {
        Eigen::Matrix2Xd means(2, 2);
        means << -1, 1.5, 0.5, -0.5;
        Eigen::Matrix2d c0, c1;
        c0 << 1.0, 0.8, 0.8, 1.0;
        c1 << 0.3, -0.2, -0.2, 0.6;
        mix.emplace(std::vector<double>{0.3, 0.7}, means, std::vector<Eigen::Matrix2d>{c0, c1});
    } else {
        mix = ss::makePreset(preset.toStdString(), 10, 1).mixture;
    }
    const ss::Marginal marginal{mean, std};
    const ss::Mixture1D law = ss::conditionalDensity(*mix, fixed, a, marginal);
    const double h = 1e-3;
    const int n = int(24.0 / h) + 1;
    Eigen::Matrix2Xd grid(2, n);
    for (int i = 0; i < n; ++i) {
        grid(fixed, i) = a;
        grid(1 - fixed, i) = -12.0 + i * h;
    }
    Eigen::VectorXd logp(n);
    mix->logDensity(grid, marginal, logp);
    const Eigen::ArrayXd joint = logp.array().exp();
    const double z = h * (joint.sum() - 0.5 * (joint(0) + joint(n - 1)));
    double cdf = 0.0, worstPdf = 0.0, worstCdf = 0.0;
    for (int i = 0; i < n; ++i) {
        const double y = -12.0 + i * h;
        if (i > 0) cdf += 0.5 * h * (joint(i - 1) + joint(i)) / z;
        const double p = joint(i) / z;
        worstPdf = std::max(worstPdf, std::abs(law.pdf(y) - p) / std::max(p, 1e-3));
        worstCdf = std::max(worstCdf, std::abs(law.cdf(y) - cdf));
    }
    QVERIFY2(worstPdf < 1e-6, qPrintable(QString::number(worstPdf)));
    QVERIFY2(worstCdf < 3e-6, qPrintable(QString::number(worstCdf)));
}

// A point set smoothed by N(0, s^2 I): against the empirical distribution's
// own density at that noise, integrated the same way.
void TestFidelity::conditionalPoints()
{
    const ss::Dataset d = ss::makePreset("moons", 300, 2);
    const ss::EmpiricalDistribution emp(d.points);
    for (const double s : {0.05, 0.3}) {
        const double a = 0.4;
        const ss::Mixture1D law = ss::conditionalDensity(d.points, 0, a, s);
        const double h = 2e-4;
        const int n = int(10.0 / h) + 1;
        Eigen::Matrix2Xd grid(2, n);
        for (int i = 0; i < n; ++i) grid.col(i) << a, -5.0 + i * h;
        Eigen::VectorXd logp(n);
        emp.logDensity(grid, ss::Marginal{1.0, s}, logp);
        const Eigen::ArrayXd joint = logp.array().exp();
        const double z = h * (joint.sum() - 0.5 * (joint(0) + joint(n - 1)));
        double worst = 0.0;
        for (int i = 0; i < n; i += 7) worst = std::max(worst, std::abs(law.pdf(-5.0 + i * h) - joint(i) / z));
        QVERIFY2(worst < 1e-6 * (1.0 / s), qPrintable(QString("s %1: %2").arg(s).arg(worst)));
    }
}

void TestFidelity::cdfDistanceClosedForm()
{
    const ss::Mixture1D normal({1.0}, {0.0}, {1.0});
    // One value x0 against N(0, 1): KS = max(Phi(x0), 1 - Phi(x0)), W1 = E|X - x0|
    // = 2 phi(x0) + x0 (2 Phi(x0) - 1).
    for (const double x0 : {-1.3, 0.0, 0.4, 7.0}) {
        const ss::CdfDistance d = ss::distanceToCdf({x0}, normal);
        const double Phi = normalCdf(x0), phi = std::exp(-0.5 * x0 * x0) / std::sqrt(2 * kPi);
        QVERIFY(std::abs(d.ks - std::max(Phi, 1 - Phi)) < 1e-14);
        QVERIFY2(std::abs(d.w1 - (2 * phi + x0 * (2 * Phi - 1))) < 1e-12, qPrintable(QString::number(d.w1)));
    }
    // A shifted law: W1 between N(0, 1) samples and N(mu, 1) tends to |mu|.
    ss::Rng rng(4);
    const std::vector<double> xs = normal.sample(20000, rng);
    const ss::CdfDistance shifted = ss::distanceToCdf(xs, ss::Mixture1D({1.0}, {0.5}, {1.0}));
    QVERIFY2(std::abs(shifted.w1 - 0.5) < 0.03, qPrintable(QString::number(shifted.w1)));
    // Its own law: KS ~ 0.87 / sqrt(n) on average, W1 ~ 1 / sqrt(n).
    const ss::CdfDistance own = ss::distanceToCdf(xs, normal);
    QVERIFY2(own.ks < 2.0 / std::sqrt(20000.0) && own.w1 < 3.0 / std::sqrt(20000.0),
             qPrintable(QString("%1 %2").arg(own.ks).arg(own.w1)));
}

// W1 = int |F_n - F| dx by a fine midpoint rule, for a bimodal law and a
// sample from elsewhere (crossings inside gaps, tails on both sides).
void TestFidelity::cdfDistanceQuadrature()
{
    const ss::Mixture1D law({0.3, 0.7}, {-1.0, 2.0}, {0.4, 0.8});
    ss::Rng rng(6);
    std::vector<double> xs = ss::Mixture1D({1.0}, {0.5}, {1.5}).sample(300, rng);
    const ss::CdfDistance d = ss::distanceToCdf(xs, law);
    std::sort(xs.begin(), xs.end());
    const double h = 1e-4;
    double w1 = 0.0, ks = 0.0;
    for (double x = -15.0 + h / 2; x < 15.0; x += h) {
        const double fn = double(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin()) / double(xs.size());
        w1 += std::abs(fn - law.cdf(x)) * h;
        ks = std::max(ks, std::abs(fn - law.cdf(x)));
    }
    QVERIFY2(std::abs(d.w1 - w1) < 1e-5, qPrintable(QString("%1 vs %2").arg(d.w1).arg(w1)));
    QVERIFY2(d.ks >= ks && d.ks - ks < 1e-3, qPrintable(QString("%1 vs %2").arg(d.ks).arg(ks)));
}

void TestFidelity::refused()
{
    const Eigen::Matrix2Xd a = gaussian(10, 0, 0, 1, 1);
    Eigen::Matrix2Xd bad = a;
    bad(1, 4) = std::nan("");
    QVERIFY(inputErrorOf([&] { ss::precisionRecall(a, a, 0); }).contains("k must be"));
    QVERIFY(inputErrorOf([&] { ss::precisionRecall(a.leftCols(3), a, 3); }).contains("at least 4"));
    QVERIFY(inputErrorOf([&] { ss::precisionRecall(a, bad); }).contains("point 4 of the reference set is not finite"));
    QVERIFY(inputErrorOf([&] { ss::precisionRecall(Eigen::Matrix2Xd(2, 0), a); }).contains("empty"));
    const ss::EmpiricalDistribution emp(a);
    QVERIFY(inputErrorOf([&] { ss::meanLogDensity(a, emp); }).contains("no density without noise"));
    const ss::Dataset d = ss::makePreset("8gaussians", 10, 1);
    QVERIFY(inputErrorOf([&] { ss::conditionalDensity(*d.mixture, 2, 0.0); }).contains("0 (x1) or 1 (x2)"));
    QVERIFY(inputErrorOf([&] { ss::conditionalDensity(a, 0, 0.0, 0.0); }).contains("std > 0"));
    QVERIFY(inputErrorOf([&] { ss::conditionalDensity(*d.mixture, 0, INFINITY); }).contains("not finite"));
    QVERIFY(inputErrorOf([&] { ss::distanceToCdf({}, ss::Mixture1D({1.0}, {0.0}, {1.0})); }).contains("no sample"));
    QVERIFY(inputErrorOf([&] { ss::Mixture1D({1.0}, {0.0}, {0.0}); }).contains("std 0"));
    QVERIFY(inputErrorOf([&] { ss::splitNoiseFloor(a.leftCols(5), nullptr); }).contains("splitting it in two"));
    // Far from every mode the conditional is still a proper density.
    const ss::Mixture1D far = ss::conditionalDensity(*d.mixture, 0, 1e5);
    QVERIFY(std::isfinite(far.pdf(0.0)) && std::abs(far.cdf(1e9) - 1.0) < 1e-12);
}

QTEST_APPLESS_MAIN(TestFidelity)
#include "tst_fidelity.moc"
