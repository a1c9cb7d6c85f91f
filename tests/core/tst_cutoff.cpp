// The spatial cut-off of the exact scores (EmpiricalDistribution,
// GaussianMixture; their headers state the tolerance) against the full sums,
// and the k-d tree it rests on.
//
// Overview
//  - indexNearest / indexLeavesNear: the tree's nearest point and range query
//    against brute force (clusters, duplicates, far queries).
//  - empiricalCutoff (rows: std 1e-3 .. 10, VE and VP marginals): score and
//    log-density of 2,000 queries (near the data, between, far away, very far)
//    against the full sum.
//  - mixtureCutoff (rows: clean, std 1e-3 .. 10, VP): a 400-component
//    anisotropic mixture, the same comparison.
//  - divergence*: the closed-form divergences against central differences.
//  - batchIndependent: a point's score does not depend on its batch or on the
//    threads (scoreParallel), bit for bit.
#include "core/EmpiricalDistribution.h"
#include "core/GaussianMixture.h"
#include "core/PointIndex.h"
#include "core/Presets.h"
#include "core/Rng.h"
#include "core/ScoreSource.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

// Two tight clusters, a ring, a line of exact duplicates and a few outliers:
// uneven density, so the tree has deep and shallow parts.
Eigen::Matrix2Xd unevenPoints(int n, std::uint64_t seed)
{
    Rng rng(seed);
    Eigen::Matrix2Xd p(2, n);
    for (int i = 0; i < n; ++i) {
        const int kind = i % 5;
        if (kind == 0) p.col(i) << -1.0 + 0.01 * rng.normal(), 0.5 + 0.01 * rng.normal();
        else if (kind == 1) p.col(i) << 1.2 + 0.2 * rng.normal(), -0.3 + 0.05 * rng.normal();
        else if (kind == 2) {
            const double a = rng.uniform(0.0, 2.0 * M_PI);
            p.col(i) << 2.0 * std::cos(a), 2.0 * std::sin(a);
        } else if (kind == 3) p.col(i) << 0.25, -1.5; // duplicates
        else p.col(i) << rng.uniform(-4.0, 4.0), rng.uniform(-4.0, 4.0);
    }
    return p;
}

// Queries: on the data (jittered), uniform over a box around it, far away and
// very far away (every point beyond any cut-off radius), in every direction.
Eigen::Matrix2Xd queries(const Eigen::Matrix2Xd& data, int n, std::uint64_t seed)
{
    Rng rng(seed);
    Eigen::Matrix2Xd q(2, n);
    for (int j = 0; j < n; ++j) {
        const int kind = j % 4;
        const double a = rng.uniform(0.0, 2.0 * M_PI);
        if (kind == 0) q.col(j) = data.col(Eigen::Index(rng.uniform() * double(data.cols()))) +
                                  Eigen::Vector2d(0.02 * rng.normal(), 0.02 * rng.normal());
        else if (kind == 1) q.col(j) << rng.uniform(-6.0, 6.0), rng.uniform(-6.0, 6.0);
        else if (kind == 2) q.col(j) << 30.0 * std::cos(a), 30.0 * std::sin(a);
        else q.col(j) << 1e4 * std::cos(a), 1e4 * std::sin(a);
    }
    return q;
}

double extent(const Eigen::Matrix2Xd& p)
{
    return (p.rowwise().maxCoeff() - p.rowwise().minCoeff()).norm();
}

} // namespace

class TestCutoff : public QObject {
    Q_OBJECT
private slots:
    void indexNearest();
    void indexLeavesNear();
    void empiricalCutoff_data();
    void empiricalCutoff();
    void mixtureCutoff_data();
    void mixtureCutoff();
    void divergenceEmpirical();
    void divergenceMixture();
    void divergenceDefault();
    void batchIndependent();
};

void TestCutoff::indexNearest()
{
    const Eigen::Matrix2Xd p = unevenPoints(3000, 1);
    const PointIndex index(p, 16);
    QCOMPARE(index.size(), 3000);
    const Eigen::Matrix2Xd q = queries(p, 800, 2);
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        int at = -1;
        const double d2 = index.nearest(q(0, j), q(1, j), &at);
        const double truth = (p.colwise() - q.col(j)).colwise().squaredNorm().minCoeff();
        QCOMPARE(d2, truth);
        const Eigen::Vector2d found(index.xs()(at), index.ys()(at));
        QCOMPARE(found, Eigen::Vector2d(p.col(index.order()[std::size_t(at)])));
        QCOMPARE((found - q.col(j)).squaredNorm(), truth);
    }
}

void TestCutoff::indexLeavesNear()
{
    // Every point within the radius lies in a visited leaf; the leaves are
    // disjoint and together hold each point once.
    const Eigen::Matrix2Xd p = unevenPoints(2000, 3);
    const PointIndex index(p, 8);
    const Eigen::Matrix2Xd q = queries(p, 200, 4);
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        for (double r : {1e-3, 0.05, 0.5, 3.0}) {
            std::vector<int> seen(std::size_t(index.size()), 0);
            index.forEachLeafNear(q(0, j), q(1, j), r * r, [&](int b, int e) {
                for (int i = b; i < e; ++i) ++seen[std::size_t(i)];
            });
            for (int i = 0; i < index.size(); ++i) {
                QVERIFY(seen[std::size_t(i)] <= 1);
                const double d2 = std::pow(index.xs()(i) - q(0, j), 2) + std::pow(index.ys()(i) - q(1, j), 2);
                if (d2 <= r * r) QVERIFY(seen[std::size_t(i)] == 1);
            }
        }
    }
    QCOMPARE(index.farthestCorner2(0.0, 0.0) > 0.0, true);
}

void TestCutoff::empiricalCutoff_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    for (double s : {1e-3, 1e-2, 0.05, 0.3, 1.0, 10.0}) {
        QTest::addRow("ve std %g", s) << 1.0 << s;
        QTest::addRow("vp std %g", s) << std::sqrt(1.0 - s * s / (1.0 + s * s)) << s / std::sqrt(1.0 + s * s);
    }
}

// Tolerances: the cut-off leaves out at most 1e-12 of the weight (header), so
// log p may differ by 1e-12 nats plus rounding of -d_min^2/(2 std^2) (~1e-15
// relative); the score by 1e-12 (extent + |q|) / std^2 plus rounding (1e-12
// relative). A cut-off that dropped a point of relative weight 1e-6 fails.
void TestCutoff::empiricalCutoff()
{
    QFETCH(double, mean);
    QFETCH(double, std);
    const Dataset moons = makePreset("moons", 4000, 7);
    for (const Eigen::Matrix2Xd& data : {Eigen::Matrix2Xd(moons.points), unevenPoints(5000, 5)}) {
        const EmpiricalDistribution e(data);
        const Eigen::Matrix2Xd q = queries(data, 2000, 6);
        const Marginal m{mean, std};
        Eigen::Matrix2Xd s(2, q.cols()), sFull(2, q.cols());
        Eigen::VectorXd l(q.cols()), lFull(q.cols());
        e.score(q, m, s);
        e.scoreFullSum(q, m, sFull);
        e.logDensity(q, m, l);
        e.logDensityFullSum(q, m, lFull);
        QVERIFY(s.allFinite() && l.allFinite());
        const double d = extent(data);
        for (Eigen::Index j = 0; j < q.cols(); ++j) {
            const double scoreBound = 1e-12 * (d + q.col(j).norm()) / (std * std) + 1e-12 * sFull.col(j).norm();
            const double scoreError = (s.col(j) - sFull.col(j)).norm();
            QVERIFY2(scoreError <= scoreBound,
                     qPrintable(QString("query (%1, %2): score error %3 > %4").arg(q(0, j)).arg(q(1, j))
                                    .arg(scoreError).arg(scoreBound)));
            const double logError = std::abs(l(j) - lFull(j));
            QVERIFY2(logError <= 1e-11 + 1e-14 * std::abs(lFull(j)),
                     qPrintable(QString("query (%1, %2): log-density error %3").arg(q(0, j)).arg(q(1, j)).arg(logError)));
        }
    }
}

void TestCutoff::mixtureCutoff_data()
{
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("std");
    QTest::newRow("clean") << 1.0 << 0.0;
    for (double s : {1e-3, 1e-2, 0.1, 1.0, 10.0}) QTest::addRow("ve std %g", s) << 1.0 << s;
    QTest::newRow("vp") << 0.8 << 0.6;
}

void TestCutoff::mixtureCutoff()
{
    // 400 components: means on a jittered 20 x 20 grid, weights over three
    // decades, covariances anisotropic and correlated from 1e-4 to 0.05.
    QFETCH(double, mean);
    QFETCH(double, std);
    Rng rng(11);
    const int K = 400;
    Eigen::Matrix2Xd means(2, K);
    std::vector<double> w(K);
    std::vector<Eigen::Matrix2d> covs(K);
    for (int k = 0; k < K; ++k) {
        means.col(k) << 0.3 * (k % 20) + 0.05 * rng.normal() - 3.0, 0.3 * (k / 20) + 0.05 * rng.normal() - 3.0;
        w[std::size_t(k)] = std::pow(10.0, rng.uniform(-3.0, 0.0));
        const double a = std::pow(10.0, rng.uniform(-4.0, -1.3)), b = std::pow(10.0, rng.uniform(-4.0, -1.3));
        const double c = rng.uniform(-0.9, 0.9) * std::sqrt(a * b);
        covs[std::size_t(k)] << a, c, c, b;
    }
    const GaussianMixture g(w, means, covs);
    const Eigen::Matrix2Xd q = queries(means, 2000, 12);
    const Marginal m{mean, std};
    Eigen::Matrix2Xd s(2, q.cols()), sFull(2, q.cols());
    Eigen::VectorXd l(q.cols()), lFull(q.cols());
    g.score(q, m, s);
    g.scoreFullSum(q, m, sFull);
    g.logDensity(q, m, l);
    g.logDensityFullSum(q, m, lFull);
    QVERIFY(s.allFinite() && l.allFinite());
    const double d = extent(means);
    const double minVar = 1e-4 * mean * mean + std * std; // smallest covariance eigenvalue, about
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        const double scoreBound = 1e-12 * (d + q.col(j).norm()) / minVar + 1e-12 * sFull.col(j).norm();
        const double scoreError = (s.col(j) - sFull.col(j)).norm();
        QVERIFY2(scoreError <= scoreBound, qPrintable(QString("query (%1, %2): score error %3 > %4")
                                                          .arg(q(0, j)).arg(q(1, j)).arg(scoreError).arg(scoreBound)));
        const double logError = std::abs(l(j) - lFull(j));
        QVERIFY2(logError <= 1e-11 + 1e-14 * std::abs(lFull(j)),
                 qPrintable(QString("query (%1, %2): log-density error %3").arg(q(0, j)).arg(q(1, j)).arg(logError)));
    }
}

namespace {
// Central differences of the score's divergence, step h.
template <typename Source>
Eigen::VectorXd differencedDivergence(const Source& source, const Eigen::Matrix2Xd& x, Marginal m, double h)
{
    Eigen::VectorXd div = Eigen::VectorXd::Zero(x.cols());
    Eigen::Matrix2Xd sp(2, x.cols()), sm(2, x.cols());
    for (int axis = 0; axis < 2; ++axis) {
        Eigen::Matrix2Xd step = Eigen::Matrix2Xd::Zero(2, x.cols());
        step.row(axis).setConstant(h);
        source.scoreFullSum(x + step, m, sp);
        source.scoreFullSum(x - step, m, sm);
        div += ((sp - sm) / (2 * h)).row(axis).transpose();
    }
    return div;
}
} // namespace

void TestCutoff::divergenceEmpirical()
{
    // Step h = 1e-4 std: truncation ~(h/std)^2 ~ 1e-8 of the curvature scale
    // 1/std^2, rounding ~1e-16 |s| / h; bound 1e-5 of |div| + 2/std^2.
    const Dataset moons = makePreset("moons", 3000, 2);
    const EmpiricalDistribution e(moons.points);
    const Eigen::Matrix2Xd q = queries(moons.points, 400, 3).leftCols(400);
    for (const Marginal m : {Marginal{1.0, 0.01}, Marginal{1.0, 0.1}, Marginal{0.9, 0.4}, Marginal{1.0, 3.0}}) {
        Eigen::VectorXd div(q.cols());
        e.divergence(q, m, div);
        const Eigen::VectorXd fd = differencedDivergence(e, q, m, 1e-4 * m.std);
        for (Eigen::Index j = 0; j < q.cols(); ++j) {
            if (q.col(j).norm() > 100) continue; // differences lose every digit there
            const double scale = std::abs(fd(j)) + 2.0 / (m.std * m.std);
            QVERIFY2(std::abs(div(j) - fd(j)) <= 1e-5 * scale,
                     qPrintable(QString("std %1, query %2: %3 vs %4").arg(m.std).arg(j).arg(div(j)).arg(fd(j))));
        }
    }
}

void TestCutoff::divergenceMixture()
{
    Eigen::Matrix2Xd means(2, 3);
    means << -1.5, 1.0, 0.5, 0.0, 1.0, -1.2;
    Eigen::Matrix2d a, b, c;
    a << 0.30, 0.10, 0.10, 0.20;
    b << 0.15, -0.05, -0.05, 0.40;
    c << 0.02, 0.0, 0.0, 0.25;
    const GaussianMixture g({0.5, 0.3, 0.2}, means, {a, b, c});
    const Eigen::Matrix2Xd q = queries(means, 400, 5);
    for (const Marginal m : {Marginal{1.0, 0.0}, Marginal{1.0, 0.1}, Marginal{0.5, 0.8}}) {
        Eigen::VectorXd div(q.cols());
        g.divergence(q, m, div);
        const Eigen::VectorXd fd = differencedDivergence(g, q, m, 1e-5);
        for (Eigen::Index j = 0; j < q.cols(); ++j) {
            if (q.col(j).norm() > 100) continue;
            QVERIFY2(std::abs(div(j) - fd(j)) <= 1e-5 * (std::abs(fd(j)) + 1.0),
                     qPrintable(QString("std %1, query %2: %3 vs %4").arg(m.std).arg(j).arg(div(j)).arg(fd(j))));
        }
    }
}

namespace {
// An exact score with no closed-form divergence of its own: ExactScore's
// differenced default applies.
class Forwarding final : public ExactScore {
public:
    explicit Forwarding(const GaussianMixture& g) : g_(g) {}
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, Eigen::Ref<Eigen::Matrix2Xd> out) const override
    {
        g_.score(x, m, out);
    }
    void logDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m,
                    Eigen::Ref<Eigen::VectorXd> out) const override
    {
        g_.logDensity(x, m, out);
    }
    bool needsNoise() const override { return false; }

private:
    const GaussianMixture& g_;
};
} // namespace

void TestCutoff::divergenceDefault()
{
    Eigen::Matrix2Xd means(2, 2);
    means << -1.0, 1.0, 0.0, 0.5;
    Eigen::Matrix2d a, b;
    a << 0.3, 0.1, 0.1, 0.2;
    b << 0.2, 0.0, 0.0, 0.4;
    const GaussianMixture g({0.4, 0.6}, means, {a, b});
    const Forwarding f(g);
    const Eigen::Matrix2Xd q = queries(means, 200, 8).leftCols(200);
    const Marginal m{0.9, 0.3};
    Eigen::VectorXd closed(q.cols()), differenced(q.cols());
    g.divergence(q, m, closed);
    f.divergence(q, m, differenced);
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
        if (q.col(j).norm() > 100) continue;
        QVERIFY2(std::abs(closed(j) - differenced(j)) <= 1e-6 * (std::abs(closed(j)) + 1.0),
                 qPrintable(QString("query %1: %2 vs %3").arg(j).arg(closed(j)).arg(differenced(j))));
    }
}

void TestCutoff::batchIndependent()
{
    const auto data = std::make_shared<const Dataset>(makePreset("moons", 5000, 1));
    const ExactScoreSource source(data);
    const Eigen::Matrix2Xd q = queries(data->points, 3000, 9);
    const NoiseLevel level{{1.0, 0.02}, 0.1};
    Eigen::Matrix2Xd whole(2, q.cols()), pooled(2, q.cols()), single(2, 1);
    source.score(q, level, whole);
    ThreadPool pool(3);
    scoreParallel(source, q, level, pooled, pool);
    QVERIFY(whole == pooled);
    for (Eigen::Index j = 0; j < q.cols(); j += 37) {
        source.score(q.col(j), level, single);
        QVERIFY(single.col(0) == whole.col(j));
    }
}

QTEST_APPLESS_MAIN(TestCutoff)
#include "tst_cutoff.moc"
