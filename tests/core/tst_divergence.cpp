// A sampler run that goes non-finite is noticed at the step it happens: the
// step is undone (the last finite particles stay), the run is marked diverged
// and over, and its description names the step, the level, the step size and
// the stable limit of core/SamplerDefaults (Langevin, annealed Langevin), or
// what to change (samplers without a step size).
//
//  - langevinDivergesAtOnce: plain Langevin above 4 sigma^2 diverges; the step
//    that did it is undone exactly; nothing moves after.
//  - cleanMixtureLimit: at sigma = 0 an exact mixture's narrowest mode sets the limit.
//  - annealedNamesTheEpsLimit: annealed Langevin with eps far above 4 sigma_min^2
//    diverges on the first level and names the eps that would be stable.
//  - stableRunsDoNotDiverge: the same samplers below the limit finish.
//  - nonFiniteScore (rows): a score that goes NaN below sigma = 0.5 stops the
//    ODE, DDPM and the reverse SDE at that level, with finite particles.
//  - resetClearsDivergence.
#include "core/ExactScore.h"
#include "core/Presets.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"

#include <QtTest>

#include <Eigen/Eigenvalues>

#include <limits>

using namespace ss;

namespace {

std::shared_ptr<const Dataset> gaussians() { return std::make_shared<const Dataset>(makePreset("8gaussians", 500, 3)); }

// The exact score, but NaN at every level below sigma = 0.5 (a model that
// breaks on some levels).
class NanBelow final : public ScoreSource {
public:
    explicit NanBelow(std::shared_ptr<const Dataset> data) : exact_(std::move(data)) {}
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override
    {
        if (level.marginal.std < 0.5) out.setConstant(std::numeric_limits<double>::quiet_NaN());
        else exact_.score(x, level, out);
    }
    std::string describe() const override { return "nan below 0.5"; }

private:
    ExactScoreSource exact_;
};

} // namespace

class TestDivergence : public QObject {
    Q_OBJECT
private slots:
    void langevinDivergesAtOnce();
    void cleanMixtureLimit();
    void annealedNamesTheEpsLimit();
    void stableRunsDoNotDiverge();
    void nonFiniteScore_data();
    void nonFiniteScore();
    void resetClearsDivergence();
};

void TestDivergence::langevinDivergesAtOnce()
{
    SamplerConfig c;
    c.kind = SamplerKind::Langevin;
    c.particles = 300;
    c.steps = 100000;
    c.langevinStd = 0.5;
    c.stepSize = 100; // limit 4 * 0.5^2 = 1: each step multiplies the distance to a mode by ~ -190
    Sampler s(c, NoiseSchedule::geometric(0.05, 4, 10), std::make_shared<ExactScoreSource>(gaussians()), 1);
    Eigen::Matrix2Xd before;
    int steps = 0;
    while (!s.done()) {
        before = s.particles();
        QVERIFY(s.step());
        ++steps;
        QVERIFY(steps < 1000); // noticed long before the run's 100000 steps
    }
    QVERIFY(s.diverged());
    QVERIFY(s.particles().allFinite());
    QCOMPARE(s.particles(), before); // the diverging step is undone exactly
    const Divergence& d = *s.divergence();
    QCOMPARE(d.step, steps);
    QCOMPARE(s.stepsTaken(), steps - 1);
    QCOMPARE(d.totalSteps, 100000);
    QCOMPARE(d.level.marginal.std, 0.5);
    QCOMPARE(d.stepSize, 100.0);
    QCOMPARE(d.stableLimit, langevinStepLimit(0.5));
    QVERIFY(!s.step()); // over: nothing moves
    QCOMPARE(s.particles(), before);
    const QString text = QString::fromStdString(d.describe());
    QVERIFY2(text.startsWith(QString("the sampler diverged at step %1 of 100000, at sigma = 0.5:").arg(steps)),
             qPrintable(text));
    QVERIFY2(text.contains("eta = 100 is above the stable limit ~ 1 "), qPrintable(text));
    QVERIFY2(QString::fromStdString(d.describe(true)).contains(QString::fromUtf8("η = 100 is above the stable limit ≈ 1")),
             qPrintable(QString::fromStdString(d.describe(true))));
}

void TestDivergence::cleanMixtureLimit()
{
    const auto data = gaussians();
    double w = 1e9; // the narrowest component std
    for (const Eigen::Matrix2d& c : data->mixture->covariances())
        w = std::min(w, std::sqrt(Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(c).eigenvalues()(0)));
    SamplerConfig c;
    c.kind = SamplerKind::Langevin;
    c.particles = 200;
    c.steps = 10000;
    c.langevinStd = 0;
    c.stepSize = 100 * langevinStepLimit(w);
    Sampler s(c, NoiseSchedule::vp(), std::make_shared<ExactScoreSource>(data), 1);
    s.run();
    QVERIFY(s.diverged());
    const Divergence& d = *s.divergence();
    QVERIFY(d.limitFromData);
    QVERIFY(std::abs(d.limitStd - w) < 1e-12);
    QCOMPARE(d.stableLimit, langevinStepLimit(d.limitStd));
    const QString text = QString::fromStdString(d.describe());
    QVERIFY2(text.contains("at sigma = 0: the step size eta = ") && text.contains("is above the stable limit ~ ") &&
                 text.contains("the narrowest mode's std"),
             qPrintable(text));
}

void TestDivergence::annealedNamesTheEpsLimit()
{
    SamplerConfig c;
    c.kind = SamplerKind::AnnealedLangevin;
    c.particles = 300;
    c.stepsPerLevel = 40;
    c.stepSize = 10; // alpha at sigma = 4: 10 * 80^2 = 64000, limit 64
    Sampler s(c, NoiseSchedule::geometric(0.05, 4, 10), std::make_shared<ExactScoreSource>(gaussians()), 1);
    s.run();
    QVERIFY(s.diverged());
    QVERIFY(s.particles().allFinite());
    const Divergence& d = *s.divergence();
    QVERIFY2(d.step <= 40, qPrintable(QString::number(d.step))); // on the first level
    QCOMPARE(d.level.marginal.std, 4.0);
    QCOMPARE(d.stepSize, 64000.0);
    QCOMPARE(d.stableLimit, 64.0);
    QVERIFY(std::abs(d.epsLimit - 4 * 0.05 * 0.05) < 1e-12); // eps below 4 sigma_min^2 is stable at every level
    const QString text = QString::fromStdString(d.describe());
    QVERIFY2(text.contains("of 400, at sigma = 4: the step size alpha = 6.4e+04 is above the stable limit ~ 64") &&
                 text.contains("eps below 0.01"),
             qPrintable(text));
}

void TestDivergence::stableRunsDoNotDiverge()
{
    const auto source = std::make_shared<ExactScoreSource>(gaussians());
    SamplerConfig c;
    c.kind = SamplerKind::AnnealedLangevin;
    c.particles = 200;
    c.stepsPerLevel = 20;
    c.stepSize = 0.5 * 4 * 0.05 * 0.05; // half the limit at every level
    Sampler annealed(c, NoiseSchedule::geometric(0.05, 4, 10), source, 1);
    QCOMPARE(annealed.run(), 200);
    QVERIFY(!annealed.diverged());
    c.kind = SamplerKind::Langevin;
    c.langevinStd = 0.5;
    c.steps = 300;
    c.stepSize = 0.5; // half the limit 1
    Sampler langevin(c, NoiseSchedule::geometric(0.05, 4, 10), source, 1);
    QCOMPARE(langevin.run(), 300);
    QVERIFY(!langevin.diverged());
    QVERIFY(langevin.particles().allFinite());
}

void TestDivergence::nonFiniteScore_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<QString>("advice");
    QTest::newRow("ode rk45") << int(SamplerKind::ProbabilityFlow) << "vp" << "use RK45 or more time steps";
    QTest::newRow("ddpm") << int(SamplerKind::Ddpm) << "ddpm" << "no size to lower";
    QTest::newRow("em") << int(SamplerKind::ReverseSde) << "vp" << "use more time steps";
    QTest::newRow("pc") << int(SamplerKind::PredictorCorrector) << "vp" << "lower corrector SNR";
}

void TestDivergence::nonFiniteScore()
{
    QFETCH(int, kind);
    QFETCH(QString, schedule);
    QFETCH(QString, advice);
    SamplerConfig c;
    c.kind = SamplerKind(kind);
    c.particles = 100;
    c.steps = 200;
    const NoiseSchedule sched = schedule == "vp" ? NoiseSchedule::vp(0.1, 20) : NoiseSchedule::ddpmLinear(1000);
    Sampler s(c, sched, std::make_shared<NanBelow>(gaussians()), 1);
    s.run();
    QVERIFY(s.diverged());
    QVERIFY(s.particles().allFinite());
    const Divergence& d = *s.divergence();
    // Stopped where the score breaks (the step from there, or within it for the ODE), not long after.
    QVERIFY2(d.level.marginal.std > 0.45 && d.level.marginal.std < 0.6, qPrintable(QString::number(d.level.marginal.std)));
    QCOMPARE(s.level().marginal.std, d.level.marginal.std); // the particles are at that level
    const QString text = QString::fromStdString(d.describe());
    QVERIFY2(text.startsWith(QString("the sampler diverged at step %1").arg(d.step)) && text.contains(advice),
             qPrintable(text));
}

void TestDivergence::resetClearsDivergence()
{
    SamplerConfig c;
    c.kind = SamplerKind::Langevin;
    c.particles = 50;
    c.steps = 1000;
    c.langevinStd = 0.5;
    c.stepSize = 100;
    Sampler s(c, NoiseSchedule::geometric(0.05, 4, 10), std::make_shared<ExactScoreSource>(gaussians()), 1);
    s.run();
    QVERIFY(s.diverged());
    s.reset();
    QVERIFY(!s.diverged());
    QVERIFY(!s.done());
    QCOMPARE(s.stepsTaken(), 0);
    QVERIFY(s.step());
}

QTEST_APPLESS_MAIN(TestDivergence)
#include "tst_divergence.moc"
