// The Fisher divergence (core/FisherDivergence, core/FisherProfile) against
// closed forms between Gaussians' scores.
//
// Data N(0, a^2 I) at a level x = m x0 + s eps has the marginal N(0, A I),
// A = m^2 a^2 + s^2; the exact score of N(0, b^2 I) there is -x / B, B = m^2 b^2 + s^2:
//   D_F = 1/2 E ||x/A - x/B||^2 = A (1/A - 1/B)^2,  relative = (1 - A/B)^2.
// Shifting the other data's mean by mu makes the score difference the constant
// m mu / A: D_F = m^2 |mu|^2 / (2 A^2) for every sample, relative = m^2 |mu|^2 / (2 A).
//
// Overview:
//  - scales (rows: VE and DDPM levels): the estimate within 4 of its standard
//    errors of the closed form, and that error below 1% (20,000 samples).
//  - meanShift: a zero-variance estimate, equal to the closed form to 1e-9.
//  - levels: which levels a profile measures (discrete: nearest distinct,
//    ends included; continuous: sigma evenly in log).
//  - profile: every level of a VP profile against the shifted closed form;
//    a level's numbers do not depend on the list it is in; cancel; refusals.
#include "core/Error.h"
#include "core/FisherProfile.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

std::shared_ptr<const Dataset> isotropic(double scale, Eigen::Vector2d mean = Eigen::Vector2d::Zero())
{
    auto d = std::make_shared<Dataset>();
    d->name = "gaussian";
    Eigen::Matrix2Xd means(2, 1);
    means.col(0) = mean;
    d->mixture = GaussianMixture({1.0}, means, {scale * scale * Eigen::Matrix2d::Identity()});
    Rng rng(1);
    d->points = d->mixture->sample(10, rng);
    return d;
}

double variance(const NoiseLevel& l, double scale)
{
    return l.marginal.mean * l.marginal.mean * scale * scale + l.marginal.std * l.marginal.std;
}

} // namespace

class TestFisher : public QObject {
    Q_OBJECT
private slots:
    void scales_data();
    void scales();
    void meanShift();
    void levels();
    void profile();
    void refusals();
};

void TestFisher::scales_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::newRow("ve small sigma") << 1.0 << 0.05;
    QTest::newRow("ve sigma 1") << 1.0 << 1.0;
    QTest::newRow("vp-like level") << 0.6 << 0.8;
}

void TestFisher::scales()
{
    QFETCH(double, mean);
    QFETCH(double, std);
    const NoiseLevel level{{mean, std}, 0.5};
    const auto data = isotropic(0.7), other = isotropic(1.3);
    ExactScoreSource truth(data), wrong(other);
    Rng rng(9);
    const int n = 20000;
    const Eigen::Matrix2Xd x = sampleMarginal(*data, level.marginal, n, rng);
    Eigen::Matrix2Xd sa(2, n), sb(2, n);
    wrong.score(x, level, sa);
    truth.score(x, level, sb);
    const FisherDivergence f = fisherDivergence(sa, sb);
    const double A = variance(level, 0.7), B = variance(level, 1.3);
    const double expected = A * std::pow(1.0 / A - 1.0 / B, 2), expectedRelative = std::pow(1.0 - A / B, 2);
    const Eigen::ArrayXd per = 0.5 * (sa - sb).colwise().squaredNorm().transpose().array();
    const double error = std::sqrt((per - per.mean()).square().sum() / (n - 1) / n);
    QVERIFY2(error < 0.01 * expected && std::abs(f.divergence - expected) < 4 * error,
             qPrintable(QString("%1 +- %2 vs %3").arg(f.divergence).arg(error).arg(expected)));
    // The relative form divides by an estimate of 1/2 E|exact|^2 = 1/A on the same samples.
    QVERIFY2(std::abs(f.relative - expectedRelative) < 0.03 * expectedRelative,
             qPrintable(QString("%1 vs %2").arg(f.relative).arg(expectedRelative)));
    // The source-level entry point measures the same thing.
    Rng again(9);
    QCOMPARE(fisherDivergence(wrong, truth, *data, level, n, again).divergence, f.divergence);
}

void TestFisher::meanShift()
{
    const NoiseLevel level{{0.8, 0.6}, 0.3};
    const Eigen::Vector2d mu(0.4, -0.3);
    const auto data = isotropic(0.5), shifted = isotropic(0.5, mu);
    ExactScoreSource truth(data), wrong(shifted);
    Rng rng(2);
    const FisherDivergence f = fisherDivergence(wrong, truth, *data, level, 500, rng);
    const double A = variance(level, 0.5), m = level.marginal.mean;
    const double expected = m * m * mu.squaredNorm() / (2 * A * A);
    QVERIFY2(std::abs(f.divergence - expected) < 1e-9 * expected,
             qPrintable(QString("%1 vs %2").arg(f.divergence, 0, 'g', 17).arg(expected, 0, 'g', 17)));
    // The relative form's denominator is still estimated (on 500 samples of chi-square 2): 15%.
    QVERIFY(std::abs(f.relative - m * m * mu.squaredNorm() / (2 * A)) < 0.15 * f.relative);
}

void TestFisher::levels()
{
    // NCSN levels, fewer than asked: all of them, least noisy first.
    const NoiseSchedule geometric = NoiseSchedule::geometric(0.01, 10, 10);
    const auto g = fisherLevels(geometric, 12);
    QCOMPARE(int(g.size()), 10);
    QCOMPARE(g.front().index, 1);
    QCOMPARE(g.back().index, 10);
    QVERIFY(std::abs(g.front().sigma - 0.01) < 1e-12 && std::abs(g.back().sigma - 10) < 1e-9);
    // DDPM, 1000 levels: the nearest distinct ones, both ends, sigma increasing.
    const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
    const auto d = fisherLevels(ddpm, 8);
    QCOMPARE(int(d.size()), 8);
    QCOMPARE(d.front().index, 1);
    QCOMPARE(d.back().index, 1000);
    for (std::size_t i = 1; i < d.size(); ++i) QVERIFY(d[i].sigma > d[i - 1].sigma && d[i].index > d[i - 1].index);
    const double m = ddpm.level(1).marginal.mean;
    QVERIFY(std::abs(d.front().sigma - ddpm.level(1).marginal.std / m) < 1e-15);
    // Continuous VE: sigma evenly in log between sigma_min and sigma_max.
    const auto c = fisherLevels(NoiseSchedule::veContinuous(0.01, 100), 5);
    QCOMPARE(int(c.size()), 5);
    for (int i = 0; i < 5; ++i) {
        const double expected = 0.01 * std::pow(1e4, i / 4.0);
        QVERIFY2(std::abs(c[std::size_t(i)].sigma / expected - 1) < 1e-9,
                 qPrintable(QString("%1 vs %2").arg(c[std::size_t(i)].sigma).arg(expected)));
        QCOMPARE(c[std::size_t(i)].index, 0);
    }
    QCOMPARE(int(fisherLevels(NoiseSchedule::vp(), 1).size()), 1);
}

void TestFisher::profile()
{
    const Eigen::Vector2d mu(0.3, 0.5);
    const auto data = isotropic(0.6), shifted = isotropic(0.6, mu);
    ExactScoreSource truth(data), wrong(shifted);
    ThreadPool pool(2);
    const auto levels = fisherLevels(NoiseSchedule::vp(), 6);
    int calls = 0;
    const auto p = fisherProfile(wrong, truth, *data, levels, 300, 7, pool, nullptr, [&](int done, int total) {
        QCOMPARE(total, 6);
        QCOMPARE(done, ++calls);
    });
    QVERIFY(p.has_value());
    QCOMPARE(calls, 6);
    for (const FisherLevel& l : *p) {
        const double A = variance(l.level, 0.6), m = l.level.marginal.mean;
        const double expected = m * m * mu.squaredNorm() / (2 * A * A);
        QVERIFY2(std::abs(l.value.divergence - expected) < 1e-9 * expected,
                 qPrintable(QString("sigma %1: %2 vs %3").arg(l.sigma).arg(l.value.divergence).arg(expected)));
        QVERIFY(l.standardError < 1e-9 * expected); // a constant difference: no spread
    }
    // Against the truth itself: zero at every level. A level measured alone
    // gets the same draws as in the whole list.
    const auto other = isotropic(1.1);
    ExactScoreSource broad(other);
    const auto all = fisherProfile(broad, truth, *data, levels, 300, 7, pool);
    const auto one = fisherProfile(broad, truth, *data, {levels[3]}, 300, 7, pool);
    QVERIFY(all && one);
    QCOMPARE(one->front().value.divergence, (*all)[3].value.divergence);
    QVERIFY((*all)[3].standardError > 0);
    QCOMPARE(fisherProfile(truth, truth, *data, levels, 50, 1, pool)->back().value.divergence, 0.0);
    // Cancelled after the second level: nothing.
    std::atomic<bool> stop{false};
    int seen = 0;
    const auto cancelled = fisherProfile(broad, truth, *data, levels, 50, 1, pool, &stop, [&](int done, int) {
        seen = done;
        if (done == 2) stop = true;
    });
    QVERIFY(!cancelled.has_value());
    QCOMPARE(seen, 2);
}

void TestFisher::refusals()
{
    const auto data = isotropic(1.0);
    ExactScoreSource truth(data);
    ThreadPool pool(1);
    QVERIFY_THROWS_EXCEPTION(InputError, fisherLevels(NoiseSchedule::vp(), 0));
    QVERIFY_THROWS_EXCEPTION(InputError, fisherProfile(truth, truth, *data, fisherLevels(NoiseSchedule::vp(), 2), 0, 1, pool));
}

QTEST_APPLESS_MAIN(TestFisher)
#include "tst_fisher.moc"
