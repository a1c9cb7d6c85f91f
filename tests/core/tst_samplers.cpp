// Samplers against ground truth: every sampler driven by the exact score of a
// data set, whose answer is known.
//
// Overview:
//  - ncsnExperiment: Song & Ermon's imbalanced mixture; plain Langevin loses
//    the 0.8/0.2 weights, annealed Langevin recovers them.
//  - gaussianTarget (rows: ddpm, em on VP/VE, pc, ode, ...): the sample mean and
//    covariance of an anisotropic Gaussian target.
//  - ddimDeterministicAndInvertible, odeRoundTrip: eta = 0 / the flow are
//    deterministic and encode -> decode returns the points.
//  - stepDecomposition: x_new - x = drift + score + noise for every kind.
//  - guidance, replacement, sdedit: editing and control.
//  - determinismAcrossThreads, trajectoryBound, refusals: the contract.
//  - noisePairsAreStandardNormal: the samplers' noise generator (Rng::normalPair).
// To add a sampler: add a row to gaussianTarget_data and stepDecomposition_data.
#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "core/Sampler.h"
#include "core/Trainer.h"
#include "core/ScoreSource.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

std::shared_ptr<const ScoreSource> exactOf(const Dataset& d)
{
    return std::make_shared<ExactScoreSource>(std::make_shared<const Dataset>(d));
}

double fractionAbove(const Eigen::Matrix2Xd& x) // points in the (5, 5) half of the NCSN mixture
{
    return double(((x.row(0) + x.row(1)).array() > 0).count()) / double(x.cols());
}

// An anisotropic Gaussian (off-centre, correlated): a target whose mean and
// covariance the samplers must reproduce.
Dataset anisotropicGaussian()
{
    Eigen::Matrix2Xd mean(2, 1);
    mean << 1.0, -0.5;
    Eigen::Matrix2d cov;
    cov << 0.8, 0.3, 0.3, 0.5;
    Dataset d;
    d.name = "anisotropic gaussian";
    d.mixture = GaussianMixture({1.0}, mean, {cov});
    Rng rng(5);
    d.points = d.mixture->sample(1000, rng);
    return d;
}

Eigen::Matrix2d covarianceOf(const Eigen::Matrix2Xd& x)
{
    const Eigen::Matrix2Xd c = x.colwise() - x.rowwise().mean();
    return c * c.transpose() / double(x.cols() - 1);
}

SamplerConfig configFor(SamplerKind kind, int particles, std::uint64_t seed = 1)
{
    SamplerConfig c;
    c.kind = kind;
    c.particles = particles;
    c.seed = seed;
    return c;
}

} // namespace

class TestSamplers : public QObject {
    Q_OBJECT
private slots:
    void ncsnExperiment();
    void gaussianTarget_data();
    void gaussianTarget();
    void ddimDeterministicAndInvertible();
    void odeRoundTrip_data();
    void odeRoundTrip();
    void stepDecomposition_data();
    void stepDecomposition();
    void classifierGuidance();
    void classifierFreeGuidance();
    void replacement();
    void sdedit();
    void determinismAcrossThreads();
    void trajectoryBound();
    void liveScheduleChange();
    void refusals();
    void stepFormulas();
    void classifierGradientMatchesDifferences();
    void langevinUsesScheduleLevel();
    void noisePairsAreStandardNormal();
};

void TestSamplers::ncsnExperiment()
{
    // Song & Ermon (2019), Fig. 3: with the exact score, plain Langevin started
    // uniformly on [-8, 8]^2 keeps roughly the particles' initial split (the
    // score cannot see the weights of separated modes: 0.5 +- 0.1), annealed
    // Langevin over 10 geometric levels from 20 to 1 recovers 0.8 +- 0.06
    // (1,280 particles: the binomial std of a fraction is ~0.011).
    const auto source = exactOf(makePreset("ncsn", 1000, 1));
    SamplerConfig plain = configFor(SamplerKind::Langevin, 1280, 11);
    plain.start = StartKind::UniformBox;
    plain.stepSize = 0.1;
    plain.steps = 1000;
    Sampler langevin(plain, NoiseSchedule::geometric(1, 20, 10), source);
    langevin.run();
    const double plainFraction = fractionAbove(langevin.particles());
    QVERIFY2(std::abs(plainFraction - 0.5) < 0.1, qPrintable(QString::number(plainFraction)));
    QCOMPARE(langevin.evaluations(), 1000);

    SamplerConfig annealed = plain;
    annealed.kind = SamplerKind::AnnealedLangevin;
    annealed.stepsPerLevel = 100;
    Sampler als(annealed, NoiseSchedule::geometric(1, 20, 10), source);
    QCOMPARE(als.totalSteps(), 1000);
    QCOMPARE(als.level().marginal.std, 20.0); // largest sigma first
    als.run();
    QCOMPARE(als.level().marginal.std, 1.0);
    const double annealedFraction = fractionAbove(als.particles());
    QVERIFY2(std::abs(annealedFraction - 0.8) < 0.06, qPrintable(QString::number(annealedFraction)));
}

void TestSamplers::gaussianTarget_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<int>("option");
    QTest::newRow("ddpm beta") << int(SamplerKind::Ddpm) << "ddpm-linear" << int(DdpmVariance::Beta);
    QTest::newRow("ddpm beta-tilde") << int(SamplerKind::Ddpm) << "ddpm-linear" << int(DdpmVariance::BetaTilde);
    QTest::newRow("ddpm cosine") << int(SamplerKind::Ddpm) << "ddpm-cosine" << int(DdpmVariance::Beta);
    QTest::newRow("ddim eta 0") << int(SamplerKind::Ddim) << "ddpm-linear" << 0;
    QTest::newRow("ddim eta 1") << int(SamplerKind::Ddim) << "ddpm-linear" << 1;
    QTest::newRow("em vp") << int(SamplerKind::ReverseSde) << "vp" << 0;
    QTest::newRow("em sub-vp") << int(SamplerKind::ReverseSde) << "sub-vp" << 0;
    QTest::newRow("em ve") << int(SamplerKind::ReverseSde) << "ve" << 0;
    QTest::newRow("em ddpm levels") << int(SamplerKind::ReverseSde) << "ddpm-linear" << 0;
    QTest::newRow("pc em+langevin vp") << int(SamplerKind::PredictorCorrector) << "vp" << int(Predictor::EulerMaruyama);
    QTest::newRow("pc reverse-diffusion ve") << int(SamplerKind::PredictorCorrector) << "ve"
                                             << int(Predictor::ReverseDiffusion);
    QTest::newRow("pc ancestral vp") << int(SamplerKind::PredictorCorrector) << "vp" << int(Predictor::Ancestral);
    QTest::newRow("ode rk45 vp") << int(SamplerKind::ProbabilityFlow) << "vp" << int(OdeMethod::Rk45);
    QTest::newRow("ode rk4 ve") << int(SamplerKind::ProbabilityFlow) << "ve" << int(OdeMethod::Rk4);
    QTest::newRow("ode heun sub-vp") << int(SamplerKind::ProbabilityFlow) << "sub-vp" << int(OdeMethod::Heun);
}

void TestSamplers::gaussianTarget()
{
    // 4,000 particles: the standard error of a mean is ~0.014 and of a
    // covariance entry ~0.013; 0.06 leaves room for the discretisation error of
    // 200-1000 steps (a wrong sign or factor anywhere is off by 0.3 or more).
    QFETCH(int, kind);
    QFETCH(QString, schedule);
    QFETCH(int, option);
    const Dataset target = anisotropicGaussian();
    NoiseSchedule s = schedule == "ddpm-linear"   ? NoiseSchedule::ddpmLinear(1000)
                      : schedule == "ddpm-cosine" ? NoiseSchedule::ddpmCosine(1000)
                      : schedule == "vp"          ? NoiseSchedule::vp()
                      : schedule == "sub-vp"      ? NoiseSchedule::subVp()
                                                  : NoiseSchedule::veContinuous(0.01, 50); // sigma_max >> |mean|: prior mismatch < 0.02
    SamplerConfig c = configFor(SamplerKind(kind), 4000, 3);
    c.steps = 500;
    c.ddimSteps = 500; // DDIM's bias shrinks with S: cov 0.76 at S = 200, 0.79 at 1000 (eta 1)
    if (c.kind == SamplerKind::Ddpm) c.ddpmVariance = DdpmVariance(option);
    if (c.kind == SamplerKind::Ddim) c.eta = option;
    if (c.kind == SamplerKind::PredictorCorrector) {
        c.predictor = Predictor(option);
        c.steps = 250;
    }
    if (c.kind == SamplerKind::ProbabilityFlow) {
        c.ode = OdeMethod(option);
        c.steps = 100;
    }
    Sampler sampler(c, s, exactOf(target));
    sampler.run();
    QVERIFY(sampler.done());
    const Eigen::Matrix2Xd& x = sampler.particles();
    QVERIFY(x.allFinite());
    const Eigen::Vector2d mean = x.rowwise().mean();
    const Eigen::Matrix2d cov = covarianceOf(x);
    const double meanError = (mean - target.mixture->means().col(0)).cwiseAbs().maxCoeff();
    const double covError = (cov - target.mixture->covariances()[0]).cwiseAbs().maxCoeff();
    QVERIFY2(meanError < 0.06, qPrintable(QString("mean error %1").arg(meanError)));
    QVERIFY2(covError < 0.06, qPrintable(QString("covariance error %1").arg(covError)));
}

void TestSamplers::ddimDeterministicAndInvertible()
{
    // eta = 0: no noise is drawn, so two seeds give the same map; decoding the
    // encoding returns the points (first-order steps: error O(1/S); measured
    // 0.022 at S = 500 on this unit-scale target, bound 0.04).
    const Dataset target = anisotropicGaussian();
    const auto schedule = NoiseSchedule::ddpmLinear(1000);
    SamplerConfig c = configFor(SamplerKind::Ddim, 500, 1);
    c.ddimSteps = 500;
    Sampler a(c, schedule, exactOf(target));
    const Eigen::Matrix2Xd start = a.particles();
    a.run();
    c.seed = 99; // another seed, started from the same points: no noise is drawn
    Sampler b(c, schedule, exactOf(target));
    b.resetFrom(start);
    b.run();
    QCOMPARE(b.particles(), a.particles());

    SamplerConfig e = c;
    e.direction = Direction::DataToNoise;
    Sampler encoder(e, schedule, exactOf(target));
    encoder.resetFrom(a.particles());
    encoder.run();
    const double backToStart = (encoder.particles() - start).cwiseAbs().maxCoeff();
    QVERIFY2(backToStart < 0.05, qPrintable(QString::number(backToStart)));
    Sampler decoder(c, schedule, exactOf(target));
    decoder.resetFrom(encoder.particles());
    decoder.run();
    const double roundTrip = (decoder.particles() - a.particles()).cwiseAbs().maxCoeff();
    QVERIFY2(roundTrip < 0.04, qPrintable(QString::number(roundTrip)));
}

void TestSamplers::odeRoundTrip_data()
{
    QTest::addColumn<int>("method");
    QTest::addColumn<QString>("schedule");
    QTest::newRow("rk45 vp") << int(OdeMethod::Rk45) << "vp";
    QTest::newRow("rk45 ve") << int(OdeMethod::Rk45) << "ve";
    QTest::newRow("rk4 vp") << int(OdeMethod::Rk4) << "vp";
}

void TestSamplers::odeRoundTrip()
{
    // The flow maps data to noise and back: with tolerances 1e-6 (RK45) or 200
    // RK4 steps the round trip is within 1e-3 on 8 Gaussians (std 0.1 modes).
    QFETCH(int, method);
    QFETCH(QString, schedule);
    const Dataset data = makePreset("8gaussians", 300, 4);
    const NoiseSchedule s = schedule == "vp" ? NoiseSchedule::vp() : NoiseSchedule::veContinuous(0.01, 10);
    SamplerConfig c = configFor(SamplerKind::ProbabilityFlow, 0);
    c.ode = OdeMethod(method);
    c.rtol = c.atol = 1e-6;
    c.steps = 200;
    c.direction = Direction::DataToNoise;
    c.particles = 1;
    Sampler encoder(c, s, exactOf(data));
    QVERIFY(encoder.done()); // no data yet
    // Start from the data noised to the end level, so both runs share end points.
    Rng rng(2);
    Eigen::Matrix2Xd start = data.points;
    encoder.resetFrom(start);
    encoder.run();
    const Eigen::Matrix2Xd noise = encoder.particles();
    QCOMPARE(encoder.level().t, 1.0);
    // The encoding looks like the prior: spread ~ priorStd.
    const double spread = std::sqrt(covarianceOf(noise).trace() / 2);
    QVERIFY2(std::abs(spread - s.priorStd()) < 0.25 * s.priorStd(), qPrintable(QString::number(spread)));
    c.direction = Direction::NoiseToData;
    Sampler decoder(c, s, exactOf(data));
    decoder.resetFrom(noise);
    decoder.run();
    const double error = (decoder.particles() - start).cwiseAbs().maxCoeff();
    QVERIFY2(error < 2e-3, qPrintable(QString::number(error)));
    QVERIFY(decoder.evaluations() > 0);
    QCOMPARE(decoder.totalSteps(), decoder.stepsTaken());
}

void TestSamplers::stepDecomposition_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("schedule");
    QTest::newRow("langevin") << int(SamplerKind::Langevin) << "ve";
    QTest::newRow("annealed") << int(SamplerKind::AnnealedLangevin) << "geometric";
    QTest::newRow("ddpm") << int(SamplerKind::Ddpm) << "ddpm";
    QTest::newRow("ddim") << int(SamplerKind::Ddim) << "ddpm";
    QTest::newRow("em") << int(SamplerKind::ReverseSde) << "vp";
    QTest::newRow("pc") << int(SamplerKind::PredictorCorrector) << "vp";
    QTest::newRow("ode") << int(SamplerKind::ProbabilityFlow) << "vp";
}

void TestSamplers::stepDecomposition()
{
    QFETCH(int, kind);
    QFETCH(QString, schedule);
    const NoiseSchedule s = schedule == "ddpm"        ? NoiseSchedule::ddpmLinear(100)
                            : schedule == "vp"        ? NoiseSchedule::vp()
                            : schedule == "geometric" ? NoiseSchedule::geometric(0.1, 5, 5)
                                                      : NoiseSchedule::veContinuous(0.1, 5);
    SamplerConfig c = configFor(SamplerKind(kind), 64);
    c.steps = 20;
    c.ddimSteps = 10;
    c.stepsPerLevel = 3;
    c.eta = 0.5;
    c.stepSize = 0.01;
    Sampler sampler(c, s, exactOf(makePreset("8gaussians", 200, 1)));
    for (int i = 0; i < 5 && !sampler.done(); ++i) {
        const Eigen::Matrix2Xd before = sampler.particles();
        const long long nfe = sampler.evaluations();
        QVERIFY(sampler.step());
        const StepTerms& t = sampler.lastStep();
        const Eigen::Matrix2Xd sum = before + t.drift + t.score + t.noise;
        QVERIFY((sum - sampler.particles()).cwiseAbs().maxCoeff() < 1e-9);
        QVERIFY(sampler.evaluations() > nfe);
        QCOMPARE(sampler.stepsTaken(), i + 1);
    }
    const bool stochastic = kind != int(SamplerKind::ProbabilityFlow);
    QCOMPARE(sampler.lastStep().noise.cwiseAbs().maxCoeff() > 0, stochastic);
}

void TestSamplers::classifierGuidance()
{
    // The exact noisy classifier of 8 Gaussians pulls the samples to the chosen
    // mode: unguided DDPM puts ~1/8 there, guided (w = 3) more than 90%.
    const Dataset data = makePreset("8gaussians", 800, 2);
    const auto exact = exactOf(data);
    const auto schedule = NoiseSchedule::ddpmLinear(200);
    const int label = 3;
    auto fractionAt = [&](const Eigen::Matrix2Xd& x) {
        const Eigen::Vector2d m = data.mixture->means().col(label);
        return double(((x.colwise() - m).colwise().norm().array() < 0.5).count()) / double(x.cols());
    };
    const auto guided =
        std::make_shared<ClassifierGuidance>(exact, std::make_shared<ExactClassifier>(data), label, 3.0);
    QVERIFY(guided->describe().find("classifier guidance") != std::string::npos);
    SamplerConfig c = configFor(SamplerKind::Ddpm, 800, 4);
    Sampler plain(c, schedule, exact);
    plain.run();
    Sampler steered(c, schedule, guided);
    steered.run();
    const double before = fractionAt(plain.particles()), after = fractionAt(steered.particles());
    QVERIFY2(before < 0.25 && after > 0.9, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    // w = 0 is the base score exactly.
    ClassifierGuidance none(exact, std::make_shared<ExactClassifier>(data), label, 0.0);
    Eigen::Matrix2Xd a(2, 10), b(2, 10);
    none.score(data.points.leftCols(10), schedule.level(50), a);
    exact->score(data.points.leftCols(10), schedule.level(50), b);
    QCOMPARE(a, b);
}

void TestSamplers::classifierFreeGuidance()
{
    // One label-conditional DDPM network trained with labels dropped 20% of the
    // time (3 x 64 units, 3,000 steps, ~2 s): without a label it samples all 8
    // modes (~1/8 nearest mode 5); guided with label 5 and w = 2, more than 80%
    // land nearest mode 5 (w = 1, 2 and 4 all pass; strong w overshoots the
    // mode's centre, so "nearest mode", not "within 0.5", is the measure).
    const auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 4000, 5));
    ModelConfig m;
    m.hidden = {64, 64, 64};
    m.parametrisation = Parametrisation::Epsilon;
    m.conditioning = NoiseConditioning::Time;
    m.numClasses = 8;
    m.seed = 2;
    ObjectiveConfig o;
    o.kind = ObjectiveKind::Ddpm;
    o.labelDropout = 0.2;
    const auto schedule = NoiseSchedule::ddpmLinear(200);
    Trainer trainer(data, m, o, schedule);
    trainer.run(3000);
    const int label = 5;
    auto fractionAt = [&](const Eigen::Matrix2Xd& x) { // nearest mode is the label's
        int count = 0;
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
            Eigen::Index nearest = 0;
            (data->mixture->means().colwise() - x.col(j)).colwise().squaredNorm().minCoeff(&nearest);
            count += nearest == label;
        }
        return double(count) / double(x.cols());
    };
    const SamplerConfig c = configFor(SamplerKind::Ddpm, 1000, 9);
    Sampler plain(c, schedule, std::make_shared<NetworkScoreSource>(trainer.emaNet()));
    plain.run();
    Sampler guided(c, schedule, std::make_shared<ClassifierFreeGuidance>(trainer.emaNet(), label, 2.0));
    guided.run();
    const double before = fractionAt(plain.particles()), after = fractionAt(guided.particles());
    QVERIFY2(before < 0.25 && after > 0.8, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    // Refused: a network without classes, a label outside them.
    QVERIFY_THROWS_EXCEPTION(InputError, ClassifierFreeGuidance(ScoreNet(ModelConfig{}), 0, 1.0));
    QVERIFY_THROWS_EXCEPTION(InputError, ClassifierFreeGuidance(trainer.emaNet(), 8, 1.0));
}

void TestSamplers::replacement()
{
    // Fix x1 = 5 on the NCSN mixture: every particle ends with x1 = 5 exactly
    // (DDPM's last level is clean data) and x2 follows p(x2 | x1 = 5), which is
    // the (5, 5) component's N(5, 1) (the other mode is 10 stds away).
    // Plain replacement (one round) is biased: over seeds 1-8 x2's mean was
    // 4.84-4.92 and its std 1.05-1.20, so its tolerance is 0.25; three rounds
    // came within 0.04 of both, and their tolerance is 0.1 (2,000 points: a
    // standard error of 0.022).
    const auto source = exactOf(makePreset("ncsn", 500, 1));
    for (int rounds : {1, 3}) {
        SamplerConfig c = configFor(SamplerKind::Ddpm, 2000, 6);
        c.fixCoordinate = 0;
        c.fixValue = 5.0;
        c.resampleRounds = rounds;
        NoiseSchedule s = NoiseSchedule::ddpmLinear(200);
        Sampler sampler(c, s, source);
        sampler.run();
        const Eigen::Matrix2Xd& x = sampler.particles();
        QCOMPARE(x.row(0).minCoeff(), 5.0);
        QCOMPARE(x.row(0).maxCoeff(), 5.0);
        const double mean2 = x.row(1).mean();
        const double std2 = std::sqrt((x.row(1).array() - mean2).square().mean());
        const double tolerance = rounds == 1 ? 0.25 : 0.1;
        QVERIFY2(std::abs(mean2 - 5.0) < tolerance && std::abs(std2 - 1.0) < tolerance,
                 qPrintable(QString("rounds %1: x2 mean %2 std %3").arg(rounds).arg(mean2).arg(std2)));
        QCOMPARE(sampler.evaluations(), 200LL * rounds); // every step resampled, the last one too
    }
}

void TestSamplers::sdedit()
{
    // SDEdit from a small t0 stays near the input (edits, does not replace):
    // points placed at one mode of 8 Gaussians remain there; from t0 = 1 the
    // input is forgotten and the modes are covered again.
    const Dataset data = makePreset("8gaussians", 1000, 3);
    const auto schedule = NoiseSchedule::ddpmLinear(500);
    Eigen::Matrix2Xd input(2, 400);
    input.row(0).setConstant(2.1);
    input.row(1).setConstant(0.05);
    auto nearFirstMode = [](const Eigen::Matrix2Xd& x) {
        return double(((x.colwise() - Eigen::Vector2d(2, 0)).colwise().norm().array() < 0.5).count()) / double(x.cols());
    };
    for (SamplerKind kind : {SamplerKind::Ddpm, SamplerKind::ReverseSde, SamplerKind::ProbabilityFlow}) {
        SamplerConfig c = configFor(kind, 1, 8);
        Sampler sampler(c, kind == SamplerKind::Ddpm ? schedule : NoiseSchedule::vp(), exactOf(data));
        sampler.sdedit(input, 0.1);
        QVERIFY(sampler.level().t <= 0.1 + 1e-9);
        QVERIFY(sampler.level().marginal.std > 0.05);
        sampler.run();
        const double kept = nearFirstMode(sampler.particles());
        QVERIFY2(kept > 0.9, qPrintable(QString("%1: %2").arg(samplerKindName(kind).c_str()).arg(kept)));
        sampler.sdedit(input, 1.0);
        sampler.run();
        QVERIFY2(nearFirstMode(sampler.particles()) < 0.3, samplerKindName(kind).c_str());
    }
    Sampler s(configFor(SamplerKind::Ddpm, 1), schedule, exactOf(data));
    QVERIFY_THROWS_EXCEPTION(InputError, s.sdedit(input, 0.0));
}

void TestSamplers::determinismAcrossThreads()
{
    const auto source = exactOf(makePreset("moons", 500, 1));
    SamplerConfig c = configFor(SamplerKind::PredictorCorrector, 3000, 21);
    c.steps = 50;
    Sampler one(c, NoiseSchedule::veContinuous(0.01, 5), source, 1);
    Sampler two(c, NoiseSchedule::veContinuous(0.01, 5), source, 2);
    one.run();
    two.run();
    QCOMPARE(one.particles(), two.particles());
    two.reset();
    two.run();
    QCOMPARE(one.particles(), two.particles());
}

void TestSamplers::trajectoryBound()
{
    SamplerConfig c = configFor(SamplerKind::ReverseSde, 100);
    c.steps = 50;
    c.recordEvery = 5;
    c.recordBytes = 4 * 16 * 100; // four frames of 100 particles
    Sampler sampler(c, NoiseSchedule::vp(), exactOf(makePreset("gaussian", 10, 1)));
    sampler.run();
    const auto& frames = sampler.trajectory().frames();
    QCOMPARE(int(frames.size()), 4);
    QCOMPARE(frames.back().step, 50);
    QCOMPARE(frames.front().step, 35);
    QCOMPARE(frames.back().points, sampler.particles());
    QCOMPARE(sampler.trajectory().dropped(), 7LL); // 11 frames (0, 5, .., 50) offered
}

void TestSamplers::liveScheduleChange()
{
    // A new schedule mid-run continues from the current noise level.
    SamplerConfig c = configFor(SamplerKind::ReverseSde, 200);
    c.steps = 100;
    Sampler sampler(c, NoiseSchedule::veContinuous(0.01, 5), exactOf(makePreset("gaussian", 10, 1)));
    sampler.run(50);
    const double t = sampler.level().t;
    sampler.setSchedule(NoiseSchedule::veContinuous(0.01, 8));
    QCOMPARE(sampler.level().t, t);
    QVERIFY(!sampler.done());
    sampler.run();
    QVERIFY(sampler.done());
    // A schedule the sampler cannot use is refused and the old one kept.
    Sampler ddpm(configFor(SamplerKind::Ddpm, 10), NoiseSchedule::ddpmLinear(50), exactOf(makePreset("gaussian", 10, 1)));
    ddpm.run(10);
    QVERIFY_THROWS_EXCEPTION(InputError, ddpm.setSchedule(NoiseSchedule::vp()));
    QCOMPARE(ddpm.schedule().name(), std::string("ddpm-linear"));
    QCOMPARE(ddpm.run(), 40);
}

void TestSamplers::refusals()
{
    const auto points = exactOf(makePreset("moons", 100, 1)); // empirical: needs noise
    const auto mixture = exactOf(makePreset("8gaussians", 100, 1));
    auto refused = [](auto&& make, const char* word) {
        try {
            make();
        } catch (const InputError& e) {
            return QString(e.what()).contains(word);
        }
        return false;
    };
    QVERIFY(refused([&] { Sampler(configFor(SamplerKind::Ddpm, 10), NoiseSchedule::vp(), mixture); }, "DDPM"));
    QVERIFY(refused([&] { Sampler(configFor(SamplerKind::AnnealedLangevin, 10), NoiseSchedule::ddpmLinear(100), mixture); },
                    "VE"));
    SamplerConfig ddim = configFor(SamplerKind::Ddim, 10);
    ddim.ddimSteps = 20;
    QVERIFY(refused([&] { Sampler(ddim, NoiseSchedule::ddpmLinear(15, 1e-4, 0.02, false), mixture); }, "exceed"));
    QVERIFY(refused([&] { Sampler(configFor(SamplerKind::Langevin, 10), NoiseSchedule(), points); }, "noise level"));
    SamplerConfig bad = configFor(SamplerKind::ReverseSde, 0);
    QVERIFY(refused([&] { Sampler(bad, NoiseSchedule(), mixture); }, "particles"));
    bad = configFor(SamplerKind::ReverseSde, 10);
    bad.direction = Direction::DataToNoise;
    QVERIFY(refused([&] { Sampler(bad, NoiseSchedule(), mixture); }, "data to noise"));
    bad = configFor(SamplerKind::Ddim, 10);
    bad.eta = 1.5;
    QVERIFY(refused([&] { Sampler(bad, NoiseSchedule::ddpmLinear(10), mixture); }, "eta"));
    Sampler ok(configFor(SamplerKind::ReverseSde, 10), NoiseSchedule(), mixture);
    Eigen::Matrix2Xd nan(2, 1);
    nan << 0, std::nan("");
    QVERIFY(refused([&] { ok.resetFrom(nan); }, "NaN"));
    QVERIFY_THROWS_EXCEPTION(InputError, samplerKindFromName("mcmc"));
    // JSON form (lecture presets, scene files): round trip, unknown fields and bad values refused.
    SamplerConfig full = configFor(SamplerKind::PredictorCorrector, 77, 5);
    full.predictor = Predictor::Ancestral;
    full.snr = 0.3;
    full.fixCoordinate = 1;
    QVERIFY(samplerConfigFromJson(toJson(full), "s") == full);
    QVERIFY(refused([&] { samplerConfigFromJson(nlohmann::json{{"particels", 10}}, "s"); }, "unknown"));
    QVERIFY(refused([&] { samplerConfigFromJson(nlohmann::json{{"kind", "mcmc"}}, "s"); }, "mcmc"));
    QVERIFY(refused([&] { samplerConfigFromJson(nlohmann::json{{"eta", 2.0}}, "s"); }, "eta"));
    QCOMPARE(samplerKindFromName(samplerKindName(SamplerKind::PredictorCorrector)), SamplerKind::PredictorCorrector);
}

void TestSamplers::stepFormulas()
{
    // One step of DDPM and DDIM against docs/reference/samplers.md, written out here:
    // the deterministic part to rounding, the noise's std statistically
    // (200,000 particles: relative standard error 0.16%, bound 1%).
    const Dataset target = anisotropicGaussian();
    const auto exact = exactOf(target);
    const auto schedule = NoiseSchedule::ddpmLinear(100);
    const int n = 200000;
    for (const auto& [kind, option] : {std::pair{SamplerKind::Ddpm, 0}, std::pair{SamplerKind::Ddpm, 1},
                                       std::pair{SamplerKind::Ddim, 0}}) {
        SamplerConfig c = configFor(kind, n, 17);
        c.ddpmVariance = DdpmVariance(option);
        c.ddimSteps = 100;
        c.eta = 0.5;
        Sampler sampler(c, schedule, exact, 2);
        sampler.run(40); // somewhere in the middle: t = 60 -> 59
        const NoiseLevel from = sampler.level();
        const int t = int(std::lround(from.t * 100));
        const Eigen::Matrix2Xd x = sampler.particles();
        sampler.step();
        Eigen::Matrix2Xd s(2, n);
        exact->score(x, from, s);
        const double alpha = schedule.alpha(t), abar = schedule.alphaBar(t), abarPrev = schedule.alphaBar(t - 1);
        const double beta = 1 - alpha;
        const Eigen::Matrix2Xd eps = -std::sqrt(1 - abar) * s;
        Eigen::Matrix2Xd mean;
        double noiseStd;
        if (kind == SamplerKind::Ddpm) {
            mean = (x - beta / std::sqrt(1 - abar) * eps) / std::sqrt(alpha);
            noiseStd = std::sqrt(option == 0 ? beta : schedule.betaTilde(t));
        } else {
            const Eigen::Matrix2Xd x0 = (x - std::sqrt(1 - abar) * eps) / std::sqrt(abar);
            const double sigma = 0.5 * std::sqrt((1 - abarPrev) / (1 - abar)) * std::sqrt(1 - abar / abarPrev);
            mean = std::sqrt(abarPrev) * x0 + std::sqrt(1 - abarPrev - sigma * sigma) * eps;
            noiseStd = sigma;
        }
        const StepTerms& terms = sampler.lastStep();
        const Eigen::Matrix2Xd deterministic = x + terms.drift + terms.score;
        QVERIFY2((deterministic - mean).cwiseAbs().maxCoeff() < 1e-9, samplerKindName(kind).c_str());
        const double measured = std::sqrt(terms.noise.squaredNorm() / (2.0 * n));
        QVERIFY2(std::abs(measured / noiseStd - 1) < 0.01,
                 qPrintable(QString("%1: noise std %2 vs %3").arg(samplerKindName(kind).c_str()).arg(measured).arg(noiseStd)));
    }
}

void TestSamplers::classifierGradientMatchesDifferences()
{
    // grad_x log p(y | x) against central differences (step 1e-5) of
    // log sum_{k in y} r_k(x) from the mixture's responsibilities, at several
    // levels and far from the class (where a dropped E_{k|x} term shows).
    const Dataset data = makePreset("8gaussians", 100, 1);
    std::vector<int> classes{0, 0, 1, 1, 2, 2, 3, 3}; // two components per class
    const int label = 1;
    ClassifierGuidance guide(exactOf(data), std::make_shared<ExactClassifier>(*data.mixture, classes), label, 1.0);
    Rng rng(4);
    Eigen::Matrix2Xd x(2, 50);
    for (Eigen::Index j = 0; j < x.cols(); ++j) x.col(j) << 3 * rng.normal(), 3 * rng.normal();
    auto logClass = [&](const Eigen::Matrix2Xd& p, const NoiseLevel& l) {
        const Eigen::MatrixXd r = data.mixture->responsibilities(p, l.marginal);
        return Eigen::VectorXd((r.row(2) + r.row(3)).array().log().transpose());
    };
    for (double std : {0.2, 0.7, 2.0}) {
        const NoiseLevel level{{1.0, std}, 0.5};
        Eigen::Matrix2Xd g(2, x.cols());
        guide.classifierGradient(x, level, g);
        const double h = 1e-5;
        for (int axis = 0; axis < 2; ++axis) {
            Eigen::Matrix2Xd step = Eigen::Matrix2Xd::Zero(2, x.cols());
            step.row(axis).setConstant(h);
            const Eigen::VectorXd fd = (logClass(x + step, level) - logClass(x - step, level)) / (2 * h);
            const double worst = (g.row(axis).transpose() - fd).cwiseAbs().maxCoeff();
            QVERIFY2(worst < 1e-4 * (1 + fd.cwiseAbs().maxCoeff()), qPrintable(QString("std %1: %2").arg(std).arg(worst)));
        }
    }
}

void TestSamplers::langevinUsesScheduleLevel()
{
    // Plain Langevin at std 0.5 on a VP schedule runs on the VP level with
    // that std: its t and its mean (not t = 0, mean 1), so time-conditioned
    // and VP networks see a level they were trained on.
    const auto exact = exactOf(anisotropicGaussian());
    SamplerConfig c = configFor(SamplerKind::Langevin, 10);
    c.langevinStd = 0.5;
    Sampler vp(c, NoiseSchedule::vp(), exact);
    const NoiseLevel l = vp.level();
    QCOMPARE(l.marginal.std, 0.5);
    QVERIFY(l.t > 0.01 && l.t < 1);
    QVERIFY(std::abs(l.marginal.mean - NoiseSchedule::vp().sdeMarginal(l.t).marginal.mean) < 1e-9);
    QVERIFY(std::abs(NoiseSchedule::vp().sdeMarginal(l.t).marginal.std - 0.5) < 1e-9);
    c.langevinStd = 2.0; // beyond VP's std (< 1)
    QVERIFY_THROWS_EXCEPTION(InputError, Sampler(c, NoiseSchedule::vp(), exact));
    // Bounds: a run too long to plan, SDEdit below the end time.
    SamplerConfig huge = configFor(SamplerKind::AnnealedLangevin, 10);
    huge.stepsPerLevel = 1'000'000;
    QVERIFY_THROWS_EXCEPTION(InputError, Sampler(huge, NoiseSchedule::geometric(0.01, 1, 10), exact));
    Sampler em(configFor(SamplerKind::ReverseSde, 10), NoiseSchedule::vp(), exact);
    QVERIFY_THROWS_EXCEPTION(InputError, em.sdedit(Eigen::Matrix2Xd::Zero(2, 3), 1e-5));
}

void TestSamplers::noisePairsAreStandardNormal()
{
    // The polar method's pairs: mean 0, variance 1, uncorrelated, and the
    // normal's mass within 1, 2 and 3 standard deviations. 200,000 pairs: the
    // tolerances are 5 standard errors (a fraction p has sqrt(p(1-p)/n)).
    ss::Rng rng(7);
    const int n = 200000;
    double sum[2] = {}, sq[2] = {}, cross = 0;
    int within[3] = {};
    for (int j = 0; j < n; ++j) {
        double z[2];
        rng.normalPair(z[0], z[1]);
        for (int i = 0; i < 2; ++i) {
            sum[i] += z[i];
            sq[i] += z[i] * z[i];
            for (int k = 0; k < 3; ++k) within[k] += std::abs(z[i]) < k + 1;
        }
        cross += z[0] * z[1];
    }
    for (int i = 0; i < 2; ++i) {
        QVERIFY2(std::abs(sum[i] / n) < 5 / std::sqrt(double(n)), "mean");
        QVERIFY2(std::abs(sq[i] / n - 1) < 5 * std::sqrt(2.0 / n), "variance");
    }
    QVERIFY2(std::abs(cross / n) < 5 / std::sqrt(double(n)), "correlation");
    const double mass[3] = {0.682689492, 0.954499736, 0.997300204};
    for (int k = 0; k < 3; ++k) {
        const double p = within[k] / (2.0 * n);
        QVERIFY2(std::abs(p - mass[k]) < 5 * std::sqrt(mass[k] * (1 - mass[k]) / (2.0 * n)),
                 qPrintable(QString("mass within %1 sd: %2").arg(k + 1).arg(p)));
    }
}

QTEST_APPLESS_MAIN(TestSamplers)
#include "tst_samplers.moc"
