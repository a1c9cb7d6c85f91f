// Tests of the exact scores (docs/reference/scores.md): GaussianMixture and EmpiricalDistribution.
//
// Overview
//  - mixtureScore: the analytic score equals the central-difference gradient of
//    the analytic log density, at clean, VE and VP marginals and far away.
//  - mixtureDensity: exp(logDensity) integrates to 1 on a grid.
//  - empirical*: the ideal denoiser equals a GaussianMixture with one component
//    per point (covariance std^2 I, equal weights), from std 1e-3 to 50, and
//    stays finite far from every point.
// How to add a case: add a named row to the matching *_data() function.
#include "core/EmpiricalDistribution.h"
#include "core/Error.h"
#include "core/GaussianMixture.h"
#include "core/Rng.h"

#include <QtTest>

#include <cmath>
#include <functional>

namespace {

// Three components, unequal weights, anisotropic and correlated covariances.
ss::GaussianMixture testMixture()
{
    Eigen::Matrix2Xd means(2, 3);
    means << -2.0, 1.5, 0.5, 0.0, 1.0, -2.5;
    Eigen::Matrix2d c0, c1, c2;
    c0 << 0.30, 0.10, 0.10, 0.20;
    c1 << 0.05, -0.02, -0.02, 0.40;
    c2 << 0.15, 0.0, 0.0, 0.15;
    return ss::GaussianMixture({0.5, 0.3, 0.2}, means, {c0, c1, c2});
}

Eigen::Matrix2Xd randomPoints(int n, double spread, std::uint64_t seed)
{
    ss::Rng rng(seed);
    Eigen::Matrix2Xd x(2, n);
    for (int j = 0; j < n; ++j) {
        const double a = rng.normal(), b = rng.normal();
        x.col(j) = spread * Eigen::Vector2d(a, b);
    }
    return x;
}

// The InputError message thrown by f, or "<no InputError>".
QString inputErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const ss::InputError& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<no InputError>");
}

} // namespace

class TestExactScore : public QObject {
    Q_OBJECT

private slots:
    void mixtureScore_data();
    void mixtureScore();
    void mixtureDensity_data();
    void mixtureDensity();
    void mixtureResponsibilitiesFarAway();
    void mixtureRefusesBadInput_data();
    void mixtureRefusesBadInput();
    void empiricalMatchesMixture_data();
    void empiricalMatchesMixture();
    void empiricalSinglePoint();
    void empiricalRefusesBadInput();
};

void TestExactScore::mixtureScore_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::addColumn<double>("spread"); // query points ~ N(0, spread^2 I)
    QTest::newRow("clean, std 0") << 1.0 << 0.0 << 2.0;
    QTest::newRow("VE sigma 0.05") << 1.0 << 0.05 << 2.0;
    QTest::newRow("VE sigma 5") << 1.0 << 5.0 << 10.0;
    QTest::newRow("VP mean 0.6") << 0.6 << 0.8 << 2.0;
    QTest::newRow("VP nearly noise") << 0.05 << std::sqrt(1.0 - 0.0025) << 2.0;
    QTest::newRow("far, std 0") << 1.0 << 0.0 << 1e3;
    QTest::newRow("far, VP") << 0.3 << 0.95 << 1e4;
}

// Central differences with h = 1e-5 (1 + |x|): truncation O(h^2) and roundoff
// ~1e-16 |log p| / h stay well below 1e-5 (1 + |score|) for these cases.
void TestExactScore::mixtureScore()
{
    QFETCH(double, mean);
    QFETCH(double, std);
    QFETCH(double, spread);
    const ss::GaussianMixture mix = testMixture();
    const ss::Marginal m{mean, std};
    const Eigen::Matrix2Xd x = randomPoints(200, spread, 7);
    Eigen::Matrix2Xd s(2, x.cols());
    mix.score(x, m, s);
    QVERIFY(s.allFinite());

    Eigen::Matrix2Xd fd(2, x.cols());
    for (int c = 0; c < 2; ++c) {
        Eigen::Matrix2Xd xp = x, xm = x;
        Eigen::VectorXd h(x.cols());
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            h(j) = 1e-5 * (1.0 + x.col(j).norm());
            xp(c, j) += h(j);
            xm(c, j) -= h(j);
        }
        Eigen::VectorXd lp(x.cols()), lm(x.cols());
        mix.logDensity(xp, m, lp);
        mix.logDensity(xm, m, lm);
        for (Eigen::Index j = 0; j < x.cols(); ++j) fd(c, j) = (lp(j) - lm(j)) / ((xp(c, j) - xm(c, j)));
    }
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double err = (s.col(j) - fd.col(j)).norm();
        const double tol = 1e-5 * (1.0 + s.col(j).norm());
        QVERIFY2(err <= tol, qPrintable(QString("point %1: |score - fd| = %2 > %3 (score %4, %5)")
                                            .arg(j).arg(err).arg(tol).arg(s(0, j)).arg(s(1, j))));
    }
}

void TestExactScore::mixtureDensity_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::newRow("clean") << 1.0 << 0.0;
    QTest::newRow("VE sigma 0.5") << 1.0 << 0.5;
    QTest::newRow("VP mean 0.5") << 0.5 << std::sqrt(0.75);
}

// Riemann sum on [-12, 12]^2 with step 0.03 (< the smallest std, ~0.2): the
// error is far below the 1e-3 tolerance.
void TestExactScore::mixtureDensity()
{
    QFETCH(double, mean);
    QFETCH(double, std);
    const ss::GaussianMixture mix = testMixture();
    const int N = 800;
    const double lo = -12.0, step = 24.0 / N;
    Eigen::Matrix2Xd grid(2, N * N);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) grid.col(i * N + j) = Eigen::Vector2d(lo + (i + 0.5) * step, lo + (j + 0.5) * step);
    Eigen::VectorXd lp(grid.cols());
    mix.logDensity(grid, {mean, std}, lp);
    QVERIFY(lp.allFinite());
    const double integral = lp.array().exp().sum() * step * step;
    QVERIFY2(std::abs(integral - 1.0) < 1e-3, qPrintable(QString("integral = %1").arg(integral, 0, 'g', 10)));
}

void TestExactScore::mixtureResponsibilitiesFarAway()
{
    const ss::GaussianMixture mix = testMixture();
    Eigen::Matrix2Xd x(2, 3);
    x << 1e6, -1e6, 0.0, 1e6, 1e6, 0.0;
    const Eigen::MatrixXd r = mix.responsibilities(x, {1.0, 0.0});
    QVERIFY(r.allFinite());
    for (Eigen::Index j = 0; j < x.cols(); ++j) QVERIFY(std::abs(r.col(j).sum() - 1.0) < 1e-12);
    Eigen::VectorXd lp(3);
    mix.logDensity(x, {1.0, 0.0}, lp);
    QVERIFY(lp.allFinite());
}

void TestExactScore::mixtureRefusesBadInput_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("expected"); // a fragment of the message
    QTest::newRow("no components") << 0 << "at least one";
    QTest::newRow("negative weight") << 1 << "weight";
    QTest::newRow("not positive definite") << 2 << "positive definite";
    QTest::newRow("size mismatch") << 3 << "means";
    QTest::newRow("singular marginal") << 4 << "singular";
}

void TestExactScore::mixtureRefusesBadInput()
{
    QFETCH(int, which);
    QFETCH(QString, expected);
    const Eigen::Matrix2d I = Eigen::Matrix2d::Identity();
    Eigen::Matrix2d bad;
    bad << 1.0, 2.0, 2.0, 1.0; // eigenvalues 3 and -1
    const Eigen::Matrix2Xd one = Eigen::Matrix2Xd::Zero(2, 1);
    const QString msg = inputErrorOf([&] {
        switch (which) {
        case 0: ss::GaussianMixture({}, Eigen::Matrix2Xd(2, 0), {}); break;
        case 1: ss::GaussianMixture({-1.0}, one, {I}); break;
        case 2: ss::GaussianMixture({1.0}, one, {bad}); break;
        case 3: ss::GaussianMixture({1.0, 1.0}, one, {I, I}); break;
        case 4: {
            Eigen::VectorXd out(1);
            ss::GaussianMixture({1.0}, one, {I}).logDensity(one, {0.0, 0.0}, out);
            break;
        }
        }
    });
    QVERIFY2(msg.contains(expected), qPrintable(msg));
}

void TestExactScore::empiricalMatchesMixture_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::newRow("std 1e-3") << 1.0 << 1e-3;
    QTest::newRow("std 0.1") << 1.0 << 0.1;
    QTest::newRow("std 1") << 1.0 << 1.0;
    QTest::newRow("std 50") << 1.0 << 50.0;
    QTest::newRow("VP mean 0.5, std 0.3") << 0.5 << 0.3;
}

// Near queries (data plus noise of the marginal's size) must agree to 1e-6
// relative. Far queries (1e3 .. 1e5 away) have logits ~1e16 at std 1e-3, where
// the two implementations round differently, so they agree to 1e-3 relative.
void TestExactScore::empiricalMatchesMixture()
{
    QFETCH(double, mean);
    QFETCH(double, std);
    const Eigen::Matrix2Xd data = randomPoints(300, 2.0, 11);
    const ss::EmpiricalDistribution emp(data);
    const std::vector<Eigen::Matrix2d> covs(data.cols(), std * std * Eigen::Matrix2d::Identity());
    const ss::GaussianMixture mix(std::vector<double>(data.cols(), 1.0), mean * data, covs);

    const int nearCount = 100;
    Eigen::Matrix2Xd q(2, nearCount + 4);
    q.leftCols(nearCount) = mean * data.leftCols(nearCount) + std * randomPoints(nearCount, 1.0, 12);
    q.rightCols(4) << 1e3, -1e3, 1e5, 3e4, -1e3, 1e3, 2e5, -7e4;

    Eigen::Matrix2Xd se(2, q.cols()), sm(2, q.cols());
    Eigen::VectorXd le(q.cols()), lm(q.cols());
    emp.score(q, {mean, std}, se);
    mix.score(q, {1.0, 0.0}, sm);
    emp.logDensity(q, {mean, std}, le);
    mix.logDensity(q, {1.0, 0.0}, lm);
    QVERIFY(se.allFinite());
    QVERIFY(le.allFinite());
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        const double rel = j < nearCount ? 1e-6 : 1e-3;
        const double es = (se.col(j) - sm.col(j)).norm(), ts = rel * (1.0 + sm.col(j).norm());
        QVERIFY2(es <= ts, qPrintable(QString("score, query %1: error %2 > %3").arg(j).arg(es).arg(ts)));
        const double el = std::abs(le(j) - lm(j)), tl = rel * (1.0 + std::abs(lm(j)));
        QVERIFY2(el <= tl, qPrintable(QString("log density, query %1: error %2 > %3").arg(j).arg(el).arg(tl)));
    }
}

void TestExactScore::empiricalSinglePoint()
{
    Eigen::Matrix2Xd one(2, 1);
    one << 1.0, -2.0;
    const ss::EmpiricalDistribution emp(one);
    Eigen::Matrix2Xd q(2, 2);
    q << 0.5, 40.0, 0.25, -3.0;
    const ss::Marginal m{0.8, 0.6};
    Eigen::Matrix2Xd s(2, 2);
    Eigen::VectorXd lp(2);
    emp.score(q, m, s);
    emp.logDensity(q, m, lp);
    for (int j = 0; j < 2; ++j) {
        const Eigen::Vector2d d = m.mean * one.col(0) - q.col(j);
        QVERIFY((s.col(j) - d / (m.std * m.std)).norm() < 1e-12 * (1.0 + s.col(j).norm()));
        const double expected = -d.squaredNorm() / (2 * m.std * m.std) - std::log(6.283185307179586 * m.std * m.std);
        QVERIFY(std::abs(lp(j) - expected) < 1e-12 * (1.0 + std::abs(expected)));
    }
}

void TestExactScore::empiricalRefusesBadInput()
{
    QVERIFY(inputErrorOf([] { ss::EmpiricalDistribution(Eigen::Matrix2Xd(2, 0)); }).contains("empty"));
    Eigen::Matrix2Xd nan(2, 1);
    nan << std::nan(""), 0.0;
    QVERIFY(inputErrorOf([&] { ss::EmpiricalDistribution{nan}; }).contains("not finite"));
    const ss::EmpiricalDistribution emp(Eigen::Matrix2Xd::Zero(2, 3));
    Eigen::Matrix2Xd out(2, 1);
    const QString msg = inputErrorOf([&] { emp.score(Eigen::Matrix2Xd::Zero(2, 1), {1.0, 0.0}, out); });
    QVERIFY2(msg.contains("std > 0"), qPrintable(msg));
}

QTEST_APPLESS_MAIN(TestExactScore)
#include "tst_exactscore.moc"
