// Likelihood by the probability-flow ODE against the analytic density, and the
// traces it rests on.
//
// Overview:
//  - exactMixture (rows: schedules x ODE methods): log p of each point within
//    0.02 nats of the mixture's analytic log density at t_eps.
//  - hutchinson: the estimate's mean over points within 0.1 nats.
//  - ddpmFlowCost: a DDPM schedule's flow needs about the evaluations of a VP
//    one (continuous beta(t); issue 11: it needed 3-4x).
//  - exactEmpiricalSmallNoise: the exact score of 4,000 moons points at the
//    VP's least noise (std 1e-3), against the empirical density (issue 11).
//  - networkDivergence: the network's tangent-pass trace against differences.
//  - sourceFisher, deterministicAcrossThreads, refusals.
#include "CoreTestSupport.h"
#include "core/Error.h"
#include "core/FisherDivergence.h"
#include "core/Likelihood.h"
#include "core/Presets.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

std::shared_ptr<const Dataset> mixtureData() { return coretest::threeGaussians(400); }

NoiseSchedule scheduleNamed(const QString& name)
{
    if (name == "vp") return NoiseSchedule::vp();
    if (name == "sub-vp") return NoiseSchedule::subVp();
    if (name == "ddpm") return NoiseSchedule::ddpmLinear(1000);
    if (name == "cosine") return NoiseSchedule::ddpmCosine(1000);
    return NoiseSchedule::veContinuous(0.01, 100); // sigma_max / |data mean| large: the prior stands in well
}

} // namespace

class TestLikelihood : public QObject {
    Q_OBJECT
private slots:
    void exactMixture_data();
    void exactMixture();
    void hutchinson();
    void ddpmFlowCost();
    void exactEmpiricalSmallNoise();
    void networkDivergence();
    void sourceFisher();
    void deterministicAcrossThreads();
    void refusals();
};

void TestLikelihood::exactMixture_data()
{
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<int>("method");
    QTest::newRow("vp rk45") << "vp" << int(OdeMethod::Rk45);
    QTest::newRow("ve rk45") << "ve" << int(OdeMethod::Rk45);
    QTest::newRow("sub-vp rk45") << "sub-vp" << int(OdeMethod::Rk45);
    QTest::newRow("ddpm levels rk45") << "ddpm" << int(OdeMethod::Rk45);
    QTest::newRow("ddpm cosine rk45") << "cosine" << int(OdeMethod::Rk45);
    QTest::newRow("vp rk4") << "vp" << int(OdeMethod::Rk4);
}

void TestLikelihood::exactMixture()
{
    // The flow of the exact score transports the t_eps marginal to the t = 1
    // marginal exactly, so the only errors are the ODE solver's (tolerance
    // 1e-6, or 400 RK4 steps) and the prior standing in for the t = 1 marginal
    // (KL ~1e-4 here): 0.02 nats per point is well above both.
    QFETCH(QString, schedule);
    QFETCH(int, method);
    const auto data = mixtureData();
    const NoiseSchedule s = scheduleNamed(schedule);
    ExactScoreSource source(data);
    LikelihoodConfig c;
    c.method = OdeMethod(method);
    c.rtol = c.atol = 1e-6;
    c.steps = 400;
    const Eigen::Matrix2Xd x = data->points.leftCols(200);
    ThreadPool pool(2);
    const LikelihoodResult r = logLikelihood(source, s, x, c, pool);
    Eigen::VectorXd truth(x.cols());
    data->mixture->logDensity(x, s.sdeMarginal(s.tEpsilon()).marginal, truth);
    const double worst = (r.logDensity - truth).cwiseAbs().maxCoeff();
    QVERIFY2(worst < 0.02, qPrintable(QString("worst error %1 nats").arg(worst)));
    QVERIFY(std::abs(r.meanNll + truth.mean()) < 0.01);
    QCOMPARE(r.bitsPerDim, r.meanNll / (2 * std::log(2.0)));
    QVERIFY(r.evaluationsPerPoint > 10);
}

void TestLikelihood::hutchinson()
{
    // Hutchinson's trace is unbiased, so log p is too; per point it scatters
    // (~0.3 nats here), the mean over 400 points by ~0.02: bound 0.1.
    const auto data = mixtureData();
    ExactScoreSource source(data);
    LikelihoodConfig c;
    c.hutchinson = true;
    c.seed = 5;
    ThreadPool pool(2);
    const NoiseSchedule s = NoiseSchedule::vp();
    const LikelihoodResult r = logLikelihood(source, s, data->points, c, pool);
    Eigen::VectorXd truth(data->points.cols());
    data->mixture->logDensity(data->points, s.sdeMarginal(s.tEpsilon()).marginal, truth);
    const double meanError = std::abs(r.logDensity.mean() - truth.mean());
    QVERIFY2(meanError < 0.1, qPrintable(QString::number(meanError)));
    QVERIFY((r.logDensity - truth).cwiseAbs().maxCoeff() > 1e-3); // it is an estimate, not the exact trace
}

void TestLikelihood::ddpmFlowCost()
{
    // Same points, exact score and tolerances (the defaults, 1e-5): the flow
    // of the exact 8-Gaussians score under DDPM-linear and DDPM-cosine
    // (T = 1000) against the continuous VP. With the piecewise-constant beta(t)
    // of before, the velocity jumped at each of the 1000 level times and RK45
    // needed 738 and 988 evaluations per block against VP's 239 (issue 11's
    // "~4x"); with the continuous beta(t), 226 and 186. The log densities still
    // match the analytic ones (also exactMixture's ddpm rows).
    const auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 1));
    ExactScoreSource source(data);
    ThreadPool pool(2);
    const Eigen::Matrix2Xd x = makePreset("8gaussians", 256, 5).points;
    const double vp = logLikelihood(source, NoiseSchedule::vp(), x, {}, pool).evaluationsPerPoint;
    for (const NoiseSchedule& s : {NoiseSchedule::ddpmLinear(1000), NoiseSchedule::ddpmCosine(1000)}) {
        const LikelihoodResult r = logLikelihood(source, s, x, {}, pool);
        QVERIFY2(r.evaluationsPerPoint <= 1.25 * vp, qPrintable(QString("%1: %2 evaluations, vp %3")
                                                                    .arg(QString::fromStdString(s.name()))
                                                                    .arg(r.evaluationsPerPoint).arg(vp)));
        Eigen::VectorXd truth(x.cols());
        data->mixture->logDensity(x, s.sdeMarginal(s.tEpsilon()).marginal, truth);
        QVERIFY2(std::abs(r.meanNll + truth.mean()) < 0.01, qPrintable(QString("%1 vs %2").arg(r.meanNll).arg(-truth.mean())));
    }
}

void TestLikelihood::exactEmpiricalSmallNoise()
{
    // Issue 11's `nll --exact moons` on 50 points: the flow of a 4,000-point
    // empirical score from std 1e-3 (the VP's t_eps) is stiff (~7,900
    // evaluations) and ran > 100 s with differenced divergences over the full
    // sum; with the closed-form divergence and the spatial cut-off it takes
    // ~1 s, and the closed form is also what makes it accurate: the
    // differenced one missed the true mean (-203.70 nats) by 1.3 nats.
    const auto data = std::make_shared<const Dataset>(makePreset("moons", 4000, 1));
    ExactScoreSource source(data);
    const Eigen::Matrix2Xd x = makePreset("moons", 50, 3).points;
    ThreadPool pool(1);
    const NoiseSchedule s = NoiseSchedule::vp();
    const LikelihoodResult r = logLikelihood(source, s, x, {}, pool);
    Eigen::VectorXd truth(x.cols());
    source.exact().logDensity(x, s.sdeMarginal(s.tEpsilon()).marginal, truth);
    const double error = std::abs(r.meanNll + truth.mean());
    QVERIFY2(error < 0.2, qPrintable(QString("mean nll %1, truth %2").arg(r.meanNll).arg(-truth.mean())));
}

void TestLikelihood::networkDivergence()
{
    // The tangent-pass trace and J v against central differences of the float
    // network with a step (1e-2) where truncation (~1e-4) and rounding (~1e-5)
    // are both small.
    ModelConfig m;
    m.hidden = {32, 32};
    m.seed = 4;
    NetworkScoreSource net{ScoreNet(m)};
    const NoiseLevel level{{1.0, 0.3}, 0.5};
    Rng rng(3);
    Eigen::Matrix2Xd x(2, 300), v(2, 300);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        x.col(j) << rng.normal(), rng.normal();
        v.col(j) << rng.normal(), rng.normal();
    }
    Eigen::VectorXd div(x.cols());
    net.divergence(x, level, div);
    Eigen::Matrix2Xd jv(2, x.cols());
    net.jvp(x, level, v, jv);
    const double h = 1e-2;
    Eigen::Matrix2Xd sp(2, x.cols()), sm(2, x.cols());
    for (int axis = 0; axis < 2; ++axis) {
        Eigen::Matrix2Xd step = Eigen::Matrix2Xd::Zero(2, x.cols());
        step.row(axis).setConstant(h);
        net.score(x + step, level, sp);
        net.score(x - step, level, sm);
        div -= ((sp - sm) / (2 * h)).row(axis).transpose();
    }
    const double scale = 1.0 / level.marginal.std; // the score-over-sigma output's scale
    QVERIFY2(div.cwiseAbs().maxCoeff() < 2e-3 * scale, qPrintable(QString::number(div.cwiseAbs().maxCoeff())));
    net.score(x + h * v, level, sp);
    net.score(x - h * v, level, sm);
    const double jvError = (jv - (sp - sm) / (2 * h)).cwiseAbs().maxCoeff();
    QVERIFY2(jvError < 2e-3 * scale * 3, qPrintable(QString::number(jvError)));
}

void TestLikelihood::sourceFisher()
{
    // Two sources at a level: the exact score against itself is 0, against a
    // guided version (w = 1) clearly not.
    const auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    auto exact = std::make_shared<ExactScoreSource>(data);
    ClassifierGuidance guided(exact, std::make_shared<ExactClassifier>(*data), 0, 1.0);
    Rng rng(1);
    const NoiseLevel level{{1.0, 0.5}, 0.5};
    QCOMPARE(fisherDivergence(*exact, *exact, *data, level, 500, rng).divergence, 0.0);
    QVERIFY(fisherDivergence(guided, *exact, *data, level, 500, rng).relative > 0.1);
}

void TestLikelihood::deterministicAcrossThreads()
{
    const auto data = mixtureData();
    ExactScoreSource source(data);
    LikelihoodConfig c;
    c.hutchinson = true;
    ThreadPool one(1), two(2);
    const auto a = logLikelihood(source, NoiseSchedule::vp(), data->points, c, one);
    const auto b = logLikelihood(source, NoiseSchedule::vp(), data->points, c, two);
    QCOMPARE(a.logDensity, b.logDensity);
}

void TestLikelihood::refusals()
{
    const auto data = mixtureData();
    ExactScoreSource source(data);
    ThreadPool pool(1);
    Eigen::Matrix2Xd bad(2, 2);
    bad << 0, 1, std::nan(""), 2;
    QVERIFY_THROWS_EXCEPTION(InputError, logLikelihood(source, NoiseSchedule::vp(), bad, {}, pool));
    QVERIFY_THROWS_EXCEPTION(InputError, logLikelihood(source, NoiseSchedule::vp(), Eigen::Matrix2Xd(2, 0), {}, pool));
    LikelihoodConfig c;
    c.rtol = -1;
    QVERIFY_THROWS_EXCEPTION(InputError, logLikelihood(source, NoiseSchedule::vp(), data->points, c, pool));
    // A stiff flow stops at its evaluation budget with a message, not after minutes.
    LikelihoodConfig budget;
    budget.maxEvaluations = 50;
    try {
        logLikelihood(source, NoiseSchedule::vp(), data->points, budget, pool);
        QFAIL("no error");
    } catch (const InputError& e) {
        QVERIFY(QString(e.what()).contains("evaluations"));
    }
}

QTEST_APPLESS_MAIN(TestLikelihood)
#include "tst_likelihood.moc"
