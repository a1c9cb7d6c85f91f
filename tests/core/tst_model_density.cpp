// The model-density grid (core/ModelDensity.h) against the closed form.
//
// Overview:
//  - exactMixture (rows: schedule x noise level, the least one included): with
//    the exact score as the source, log p on a 17 x 17 grid within 0.02 nats
//    of the mixture's analytic log density at that level (max and mean error
//    printed).
//  - progressiveNests: each level of a progressive run equals a direct run
//    at its own size at the shared nodes, and the levels arrive coarse first.
//  - sameFlowAsLikelihood: a network's grid against logLikelihood started at
//    the same time (one flow, two integrators).
//  - cancellation: a flag set after the first level stops before the next;
//    one set before the start gives no level.
//  - refusals: sizes that do not nest, an empty region, bad steps.
// To add a case: a row in exactMixture_data (schedule name, level).
#include "CoreTestSupport.h"
#include "core/Error.h"
#include "core/Likelihood.h"
#include "core/ModelDensity.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <memory>

using namespace ss;

namespace {

std::shared_ptr<const Dataset> mixtureData() { return coretest::threeGaussians(200); }

// sigma_max 300 for VE: the prior N(0, 300^2 I) stands in for the t = 1
// marginal within ~1e-3 nats on the grid (with 100: 0.007 at its corners),
// so what is measured is the flow.
NoiseSchedule scheduleNamed(const QString& name)
{
    if (name == "vp") return NoiseSchedule::vp();
    if (name == "ddpm") return NoiseSchedule::ddpmLinear(1000);
    return NoiseSchedule::geometric(0.05, 300, 10);
}

NoiseLevel levelOf(const NoiseSchedule& s, int which) // 0: the least noise; 1, 2: further up
{
    if (s.isDiscrete()) return s.level(which == 0 ? 1 : which == 1 ? s.numLevels() / 4 : s.numLevels() / 2);
    return s.sdeMarginal(which == 0 ? s.tEpsilon() : which == 1 ? 0.1 : 0.4);
}

Eigen::ArrayXXd exactGrid(const Dataset& data, const DensityRegion& r, int n, const NoiseLevel& level)
{
    Eigen::Matrix2Xd x(2, n * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) x.col(i * n + j) = densityNode(r, n, i, j);
    Eigen::VectorXd logp(n * n);
    data.mixture->logDensity(x, level.marginal, logp);
    Eigen::ArrayXXd out(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) out(i, j) = logp(i * n + j);
    return out;
}

} // namespace

class TestModelDensity : public QObject {
    Q_OBJECT
private slots:
    void exactMixture_data();
    void exactMixture();
    void progressiveNests();
    void sameFlowAsLikelihood();
    void cancellation();
    void refusals();
};

void TestModelDensity::exactMixture_data()
{
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<int>("level");
    for (const char* s : {"geometric", "vp", "ddpm"})
        for (int level : {0, 1, 2})
            QTest::newRow(qPrintable(QString("%1 level %2").arg(s).arg(level))) << QString(s) << level;
}

void TestModelDensity::exactMixture()
{
    // The exact score's flow carries the level's marginal to the t = 1
    // marginal exactly, so the error is the RK4 steps' (and the prior's
    // stand-in, ~1e-3): within 0.02 nats wherever the layer's colour range
    // shows (kModelDensityRange below the maximum); beyond it, in the far
    // tails at the least noise, up to ~0.05.
    QFETCH(QString, schedule);
    QFETCH(int, level);
    const auto data = mixtureData();
    const NoiseSchedule s = scheduleNamed(schedule);
    const NoiseLevel shown = levelOf(s, level);
    ExactScoreSource source(data);
    ThreadPool pool(2);
    const DensityRegion region{-3, 3, -3, 3};
    ModelDensityConfig c;
    c.sizes = {9, 17};
    const ModelDensityResult r = computeModelDensity(source, s, shown, region, c, pool);
    QVERIFY(!r.cancelled);
    QCOMPARE(r.finest.size, 17);
    const Eigen::ArrayXXd truth = exactGrid(*data, region, 17, shown);
    const Eigen::ArrayXXd error = (r.finest.logDensity - truth).abs();
    const Eigen::ArrayXXd shownRange = (truth >= truth.maxCoeff() - kModelDensityRange).cast<double>();
    const double maxShown = (error * shownRange).maxCoeff(), meanShown = (error * shownRange).sum() / shownRange.sum();
    qInfo("std %.4f: within the colour range max error %.5f, mean %.5f; everywhere max %.5f, mean %.5f nats",
          shown.marginal.std, maxShown, meanShown, error.maxCoeff(), error.mean());
    QVERIFY2(maxShown < 0.02, qPrintable(QString("max error %1 nats").arg(maxShown)));
    QCOMPARE(r.evaluations, 4LL * kModelDensitySteps);
}

void TestModelDensity::progressiveNests()
{
    const auto data = mixtureData();
    ExactScoreSource source(data);
    ThreadPool pool(2);
    const NoiseSchedule s = NoiseSchedule::vp();
    const NoiseLevel shown = s.sdeMarginal(0.05);
    const DensityRegion region{-2.5, 3.5, -2, 2};
    ModelDensityConfig progressive;
    progressive.sizes = {5, 9, 17};
    std::vector<DensityLevel> levels;
    const ModelDensityResult r = computeModelDensity(source, s, shown, region, progressive, pool, nullptr,
                                                     [&](const DensityLevel& l) { levels.push_back(l); });
    QCOMPARE(int(levels.size()), 3);
    for (int k = 0; k < 3; ++k) {
        QCOMPARE(levels[std::size_t(k)].size, progressive.sizes[std::size_t(k)]);
        if (k > 0) QVERIFY(levels[std::size_t(k)].seconds >= levels[std::size_t(k - 1)].seconds);
        // A direct run at this size: the same values (the reused nodes were
        // copied to the right places, the new ones integrated at theirs).
        ModelDensityConfig direct;
        direct.sizes = {progressive.sizes[std::size_t(k)]};
        const Eigen::ArrayXXd alone = computeModelDensity(source, s, shown, region, direct, pool).finest.logDensity;
        QVERIFY2((alone - levels[std::size_t(k)].logDensity).abs().maxCoeff() < 1e-9,
                 qPrintable(QString("level %1").arg(k)));
    }
    // Coarse nodes are every fourth node of the finest level.
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) QCOMPARE(levels[0].logDensity(i, j), r.finest.logDensity(4 * i, 4 * j));
}

void TestModelDensity::sameFlowAsLikelihood()
{
    // A small network (any weights: the two integrators must agree on the
    // same flow from the same start): the grid's fixed RK4 in log(std / mean)
    // against logLikelihood's adaptive RK45 in t, tolerance 1e-7, started at
    // the level's flow time.
    ModelConfig m;
    m.hidden = {32, 32};
    m.seed = 7;
    NetworkScoreSource net{ScoreNet(m)};
    const NoiseSchedule s = NoiseSchedule::geometric(0.05, 20, 10);
    const NoiseLevel shown = s.level(3);
    ThreadPool pool(2);
    const DensityRegion region{-2, 2, -2, 2};
    ModelDensityConfig c;
    c.sizes = {5};
    const ModelDensityResult grid = computeModelDensity(net, s, shown, region, c, pool);
    Eigen::Matrix2Xd x(2, 25);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) x.col(i * 5 + j) = densityNode(region, 5, i, j);
    LikelihoodConfig lc;
    lc.rtol = lc.atol = 1e-7;
    lc.tStart = grid.flowTime;
    const LikelihoodResult reference = logLikelihood(net, s, x, lc, pool);
    QVERIFY(std::abs(s.sdeMarginal(grid.flowTime).marginal.std - shown.marginal.std) < 1e-9);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j)
            QVERIFY2(std::abs(grid.finest.logDensity(i, j) - reference.logDensity(i * 5 + j)) < 0.02,
                     qPrintable(QString("%1 vs %2").arg(grid.finest.logDensity(i, j)).arg(reference.logDensity(i * 5 + j))));
}

void TestModelDensity::cancellation()
{
    const auto data = mixtureData();
    ExactScoreSource source(data);
    ThreadPool pool(2);
    const NoiseSchedule s = NoiseSchedule::vp();
    ModelDensityConfig c;
    c.sizes = {5, 9, 17};
    std::atomic<bool> cancel{false};
    int calls = 0;
    const ModelDensityResult r = computeModelDensity(source, s, s.sdeMarginal(0.1), {}, c, pool, &cancel,
                                                     [&](const DensityLevel&) {
                                                         ++calls;
                                                         cancel = true; // the model changed
                                                     });
    QVERIFY(r.cancelled);
    QCOMPARE(calls, 1);
    QCOMPARE(r.finest.size, 0);
    // Set before the start: nothing is integrated.
    const ModelDensityResult none = computeModelDensity(source, s, s.sdeMarginal(0.1), {}, c, pool, &cancel);
    QVERIFY(none.cancelled);
    QCOMPARE(none.finest.size, 0);
}

void TestModelDensity::refusals()
{
    const auto data = mixtureData();
    ExactScoreSource source(data);
    ThreadPool pool(1);
    const NoiseSchedule s = NoiseSchedule::vp();
    const NoiseLevel level = s.sdeMarginal(0.2);
    ModelDensityConfig notNested;
    notNested.sizes = {8, 16};
    QVERIFY_THROWS_EXCEPTION(InputError, computeModelDensity(source, s, level, {}, notNested, pool));
    QVERIFY_THROWS_EXCEPTION(InputError, computeModelDensity(source, s, level, {1, 1, 0, 1}, {}, pool));
    ModelDensityConfig noSteps;
    noSteps.steps = 0;
    QVERIFY_THROWS_EXCEPTION(InputError, computeModelDensity(source, s, level, {}, noSteps, pool));
    QVERIFY_THROWS_EXCEPTION(InputError, computeModelDensity(source, s, NoiseLevel{{1.0, 0.0}, 0.0}, {}, {}, pool));
}

QTEST_APPLESS_MAIN(TestModelDensity)
#include "tst_model_density.moc"
