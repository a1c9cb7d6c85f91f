// Guidance with the exact noisy classifier (core/ExactClassifier.h,
// core/Guidance.h) against what is known of it.
//
// Overview:
//  - classifierGradient: grad log p_level(y | x) = s_y - s against central
//    differences of logPosterior (1e-6 relative), for a mixture and for
//    labelled points; the posteriors sum to one.
//  - tiltedSampler: gamma = 0 draws p_level itself, gamma = 1 the class's
//    part (the mixture component's mean and covariance, within 4 standard
//    errors); the tilted log-density is log p + gamma log p(y | x).
//  - guidedMatchesTilted: chi-square tests of guided samples against exact
//    draws of the tilted target p(x) p(y|x)^gamma at the run's end level:
//    gamma = 1 with DDPM ancestral (the guided score is then the class's
//    exact score at every level: the run samples p(x | y)), and gamma = 3 with
//    annealed Langevin (Langevin at each level targets that level's tilted
//    density); 12 equal-probability bins along x1 and 2000 particles, the
//    statistic below the 0.001 critical value of chi-square with 11 degrees
//    of freedom (31.26). The unguided run fails the same test (the test can fail).
//  - cfgConventions: classifier-free guidance of a labelled network at Ho &
//    Salimans' w and at gamma = 1 + w gives bit-identical samples; gamma = 0 is
//    the unconditional network, gamma = 1 the conditional one.
//  - pinnedConditional: inpainting on 8gaussians at x1 = 1.2. Annealed Langevin
//    with the coordinate pinned (the conditional score) samples the exact
//    p_level(x2 | x1 = a) at its last level: KS distance below 0.045 for 2000
//    particles (the 95% Kolmogorov bound is 0.030; Langevin's step adds a
//    little), and closer than replacement with DDPM, which only approximates it.
//  - posteriorClosedForm: samplePosterior on one Gaussian N(mu, C) matches
//    the Kalman form (mean mu + m C A^-1 (x - m mu), covariance
//    C - m^2 C A^-1 C) within 4 standard errors; on points it returns points,
//    the nearest one almost always at small noise.
//  - sdeditMatchesPosterior: SDEdit with the exact score (DDPM ancestral, 1000
//    steps, t0 = 0.5) from a few stroke points ends where exact posterior draws
//    from the same noised start are: sliced W2 below 2 x the floor between two
//    posterior draws; the prior's run (no SDEdit) does not.
//  - comparison: compareWithTilted's distance for exact draws sits at its floor.
//  - refusals: unlabelled points, a class with no data, one class only, a
//    network without classes, negative gamma for sampling, the JSON form.
#include "core/ConditionalDensity.h"
#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/ExactClassifier.h"
#include "core/ExactPosterior.h"
#include "core/Guidance.h"
#include "core/Metrics.h"
#include "core/Presets.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"

#include <Eigen/LU>

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace ss;

namespace {

// Two overlapping Gaussians at (+-1, 0), std 0.5: class 0 left, class 1 right.
Dataset twoClasses()
{
    GaussianMixture g({0.5, 0.5}, (Eigen::Matrix2Xd(2, 2) << -1, 1, 0, 0).finished(),
                      {0.25 * Eigen::Matrix2d::Identity(), 0.25 * Eigen::Matrix2d::Identity()});
    Rng rng(3);
    Dataset d;
    d.name = "two";
    d.points = g.sample(500, rng, &d.labels);
    d.numClasses = 2;
    d.mixture = g;
    return d;
}

// The same points without the mixture: labelled points.
Dataset labelledPoints()
{
    Dataset d = twoClasses();
    d.mixture.reset();
    return d;
}

// Chi-square of samples against a reference sample (large) in 12 bins of x1
// with equal reference probability.
double chiSquare(const Eigen::Matrix2Xd& samples, const Eigen::Matrix2Xd& reference)
{
    constexpr int kBins = 12;
    std::vector<double> x(std::size_t(reference.cols())); // row(0) is strided: copied element by element
    for (Eigen::Index j = 0; j < reference.cols(); ++j) x[std::size_t(j)] = reference(0, j);
    std::sort(x.begin(), x.end());
    std::vector<double> edges;
    for (int b = 1; b < kBins; ++b) edges.push_back(x[std::size_t(b) * x.size() / kBins]);
    std::vector<double> count(kBins, 0.0);
    for (Eigen::Index j = 0; j < samples.cols(); ++j)
        ++count[std::size_t(std::upper_bound(edges.begin(), edges.end(), samples(0, j)) - edges.begin())];
    const double expected = double(samples.cols()) / kBins;
    double chi = 0;
    for (double c : count) chi += (c - expected) * (c - expected) / expected;
    return chi;
}

constexpr double kChi11At001 = 31.26;

} // namespace

class TestGuidance : public QObject {
    Q_OBJECT
private slots:
    void classifierGradient();
    void tiltedSampler();
    void guidedMatchesTilted();
    void cfgConventions();
    void pinnedConditional();
    void posteriorClosedForm();
    void sdeditMatchesPosterior();
    void comparison();
    void refusals();
};

void TestGuidance::classifierGradient()
{
    for (const Dataset& data : {twoClasses(), labelledPoints()}) {
        const ExactClassifier c(data);
        QCOMPARE(c.numClasses(), 2);
        const Marginal m{0.9, 0.3};
        Eigen::Matrix2Xd x(2, 4);
        x << -1.5, -0.2, 0.3, 2.0, 0.1, -0.4, 0.7, -1.0;
        for (int y = 0; y < 2; ++y) {
            Eigen::Matrix2Xd g(2, 4);
            c.gradient(x, m, y, g);
            for (int axis = 0; axis < 2; ++axis) {
                const double h = 1e-5;
                Eigen::Matrix2Xd plus = x, minus = x;
                plus.row(axis).array() += h;
                minus.row(axis).array() -= h;
                Eigen::VectorXd lp(4), lm(4);
                c.logPosterior(plus, m, y, lp);
                c.logPosterior(minus, m, y, lm);
                for (int j = 0; j < 4; ++j) {
                    const double fd = (lp(j) - lm(j)) / (2 * h);
                    QVERIFY2(std::abs(fd - g(axis, j)) <= 1e-6 * std::max(1.0, std::abs(fd)),
                             qPrintable(QString("%1 y %2 axis %3 point %4: %5 vs %6")
                                            .arg(QString::fromStdString(data.name)).arg(y).arg(axis).arg(j)
                                            .arg(g(axis, j)).arg(fd)));
                }
            }
        }
        Eigen::VectorXd l0(4), l1(4);
        c.logPosterior(x, m, 0, l0);
        c.logPosterior(x, m, 1, l1);
        for (int j = 0; j < 4; ++j) QVERIFY(std::abs(std::exp(l0(j)) + std::exp(l1(j)) - 1.0) < 1e-12);
    }
}

void TestGuidance::tiltedSampler()
{
    const Dataset data = twoClasses();
    const ExactClassifier c(data);
    const Marginal m{1.0, 0.05};
    const int n = 20000;
    Rng rng(5);
    // gamma = 0: the level's marginal (mean 0 by symmetry; x1 variance 1 + 0.25 + 0.0025).
    const Eigen::Matrix2Xd all = c.sampleTilted(n, m, 1, 0.0, rng);
    const double var = 1.2525;
    QVERIFY(std::abs(all.row(0).mean()) < 4 * std::sqrt(var / n));
    // gamma = 1: class 1's part, N((1, 0), (0.25 + 0.0025) I).
    const Eigen::Matrix2Xd one = c.sampleTilted(n, m, 1, 1.0, rng);
    const double s2 = 0.2525;
    QVERIFY2(std::abs(one.row(0).mean() - 1.0) < 4 * std::sqrt(s2 / n), qPrintable(QString::number(one.row(0).mean())));
    QVERIFY(std::abs(one.row(1).mean()) < 4 * std::sqrt(s2 / n));
    const double v = (one.row(0).array() - one.row(0).mean()).square().mean();
    QVERIFY2(std::abs(v - s2) < 4 * s2 * std::sqrt(2.0 / n), qPrintable(QString::number(v)));
    // The tilted log-density is log p + gamma log p(y | x).
    Eigen::Matrix2Xd x(2, 3);
    x << -1, 0, 1, 0.5, 0, -0.5;
    Eigen::VectorXd tilted(3), logp(3), post(3);
    c.tiltedLogDensity(x, m, 1, 2.5, tilted);
    data.exactScore()->logDensity(x, m, logp);
    c.logPosterior(x, m, 1, post);
    QVERIFY(((tilted - logp - 2.5 * post).array().abs() < 1e-12).all());
}

void TestGuidance::guidedMatchesTilted()
{
    const auto data = std::make_shared<const Dataset>(twoClasses());
    const auto classifier = std::make_shared<const ExactClassifier>(*data);
    const auto exact = std::make_shared<const ExactScoreSource>(data);
    struct Case {
        SamplerKind kind;
        NoiseSchedule schedule;
        double gamma;
    };
    const Case cases[] = {{SamplerKind::Ddpm, NoiseSchedule::ddpmLinear(500), 1.0},
                          {SamplerKind::AnnealedLangevin, NoiseSchedule::geometric(0.05, 3.0, 10), 3.0}};
    for (const Case& k : cases) {
        SamplerConfig config;
        config.kind = k.kind;
        config.particles = 2000;
        config.seed = 11;
        config.stepsPerLevel = 300;
        config.stepSize = 0.004; // alpha at the last level: 1.6% of the modes' variance
        const GuidanceConfig g{GuidanceKind::Classifier, 1, k.gamma};
        Sampler guided(config, k.schedule, guidedSource(exact, nullptr, classifier, g), 2);
        guided.run();
        QVERIFY(!guided.diverged());
        const Marginal end = guided.level().marginal;
        Rng rng(99);
        const Eigen::Matrix2Xd reference = classifier->sampleTilted(200000, end, 1, k.gamma, rng);
        const double chi = chiSquare(guided.particles(), reference);
        qInfo("%s, gamma %.0f: chi-square %.1f (critical %.2f)", samplerKindName(k.kind).c_str(), k.gamma, chi,
              kChi11At001);
        QVERIFY2(chi < kChi11At001, qPrintable(QString::number(chi)));
        // Without guidance the same run is far from the target: the test can fail.
        Sampler plain(config, k.schedule, exact, 2);
        plain.run();
        QVERIFY(chiSquare(plain.particles(), reference) > 10 * kChi11At001);
    }
}

void TestGuidance::cfgConventions()
{
    ModelConfig mc;
    mc.hidden = {16, 16};
    mc.numClasses = 2;
    mc.seed = 4;
    const ScoreNet net(mc);
    SamplerConfig config;
    config.kind = SamplerKind::Ddpm;
    config.particles = 300;
    config.seed = 2;
    const NoiseSchedule schedule = NoiseSchedule::ddpmLinear(50);
    const auto run = [&](std::shared_ptr<const ScoreSource> source) {
        Sampler s(config, schedule, std::move(source), 1);
        s.run();
        return Eigen::Matrix2Xd(s.particles());
    };
    const double w = 2.0;
    const Eigen::Matrix2Xd ho = run(std::make_shared<ClassifierFreeGuidance>(net, 1, w)); // (1 + w) s_c - w s_u
    const Eigen::Matrix2Xd scale =
        run(guidedSource(nullptr, &net, nullptr, {GuidanceKind::ClassifierFree, 1, guidanceGamma(w)})); // s_u + gamma (s_c - s_u)
    QVERIFY(ho == scale);
    // gamma 0 and 1: the unconditional and the conditional network.
    const auto uncond = std::make_shared<NetworkScoreSource>(net, -1);
    const auto cond = std::make_shared<NetworkScoreSource>(net, 1);
    Eigen::Matrix2Xd x = Eigen::Matrix2Xd::Random(2, 50);
    const NoiseLevel level = schedule.level(20);
    Eigen::Matrix2Xd a(2, 50), b(2, 50);
    guidedSource(nullptr, &net, nullptr, {GuidanceKind::ClassifierFree, 1, 0.0})->score(x, level, a);
    uncond->score(x, level, b);
    QVERIFY((a - b).cwiseAbs().maxCoeff() < 1e-12 * std::max(1.0, b.cwiseAbs().maxCoeff()));
    guidedSource(nullptr, &net, nullptr, {GuidanceKind::ClassifierFree, 1, 1.0})->score(x, level, a);
    cond->score(x, level, b);
    QVERIFY((a - b).cwiseAbs().maxCoeff() < 1e-12 * std::max(1.0, b.cwiseAbs().maxCoeff()));
}

void TestGuidance::pinnedConditional()
{
    const auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 2000, 1));
    const auto exact = std::make_shared<const ExactScoreSource>(data);
    const double a = 1.2;
    const auto ks = [&](const Sampler& s) {
        const Eigen::Matrix2Xd& x = s.particles();
        std::vector<double> x2(std::size_t(x.cols())); // row(1) is strided
        for (Eigen::Index j = 0; j < x.cols(); ++j) x2[std::size_t(j)] = x(1, j);
        return distanceToCdf(x2, conditionalDensity(*data->mixture, 0, a, s.level().marginal)).ks;
    };
    SamplerConfig pinned;
    pinned.kind = SamplerKind::AnnealedLangevin;
    pinned.particles = 2000;
    pinned.seed = 5;
    pinned.stepsPerLevel = 200;
    pinned.fixCoordinate = 0;
    pinned.fixValue = a;
    pinned.fixPinned = true;
    const NoiseSchedule levels = NoiseSchedule::geometric(0.01, 5.0, 12);
    pinned.stepSize = defaultStepSize(pinned, levels, dataCurvatureVariance(data.get()));
    Sampler langevin(pinned, levels, exact, 2);
    langevin.run();
    QVERIFY(!langevin.diverged());
    QVERIFY(((langevin.particles().row(0).array() - a).abs() < 1e-12).all()); // pinned, no noise
    SamplerConfig replaced;
    replaced.kind = SamplerKind::Ddpm;
    replaced.particles = 2000;
    replaced.seed = 5;
    replaced.fixCoordinate = 0;
    replaced.fixValue = a;
    Sampler ddpm(replaced, NoiseSchedule::ddpmLinear(1000), exact, 2);
    ddpm.run();
    const double pinnedKs = ks(langevin), replacedKs = ks(ddpm);
    qInfo("p(x2 | x1 = %.1f): KS pinned annealed Langevin %.4f, replacement DDPM %.4f", a, pinnedKs, replacedKs);
    QVERIFY2(pinnedKs < 0.045, qPrintable(QString::number(pinnedKs)));
    QVERIFY2(pinnedKs < replacedKs, qPrintable(QString("%1 vs %2").arg(pinnedKs).arg(replacedKs)));
}

void TestGuidance::posteriorClosedForm()
{
    Eigen::Matrix2d C;
    C << 0.5, 0.2, 0.2, 0.3;
    Dataset one;
    one.name = "one";
    one.mixture = GaussianMixture({1.0}, (Eigen::Matrix2Xd(2, 1) << 1.0, -2.0).finished(), {C});
    const Marginal m{0.8, 0.6};
    const int n = 40000;
    const Eigen::Matrix2Xd xt = Eigen::Vector2d(0.3, -0.5).replicate(1, n);
    Rng rng(4);
    const Eigen::Matrix2Xd x0 = samplePosterior(one, m, xt, rng);
    const Eigen::Vector2d mu(1.0, -2.0);
    const Eigen::Matrix2d A = m.mean * m.mean * C + m.std * m.std * Eigen::Matrix2d::Identity();
    const Eigen::Vector2d mean = mu + m.mean * C * A.inverse() * (xt.col(0) - m.mean * mu);
    const Eigen::Matrix2d cov = C - m.mean * m.mean * C * A.inverse() * C;
    const Eigen::Vector2d sampleMean = x0.rowwise().mean();
    const Eigen::Matrix2Xd centred = x0.colwise() - sampleMean;
    const Eigen::Matrix2d sampleCov = centred * centred.transpose() / double(n);
    for (int i = 0; i < 2; ++i) {
        QVERIFY2(std::abs(sampleMean(i) - mean(i)) < 4 * std::sqrt(cov(i, i) / n),
                 qPrintable(QString("%1 vs %2").arg(sampleMean(i)).arg(mean(i))));
        for (int j = 0; j < 2; ++j)
            QVERIFY2(std::abs(sampleCov(i, j) - cov(i, j)) < 4 * std::sqrt((cov(i, i) * cov(j, j) + cov(i, j) * cov(i, j)) / n),
                     qPrintable(QString("cov %1 %2: %3 vs %4").arg(i).arg(j).arg(sampleCov(i, j)).arg(cov(i, j))));
    }
    // Points: draws are data points; at small noise the nearest one.
    const Dataset pts = labelledPoints();
    const Eigen::Matrix2Xd near = pts.points.leftCols(20);
    const Eigen::Matrix2Xd back = samplePosterior(pts, {1.0, 1e-4}, near, rng);
    QVERIFY((back - near).cwiseAbs().maxCoeff() == 0.0);
}

void TestGuidance::sdeditMatchesPosterior()
{
    const auto data = std::make_shared<const Dataset>(twoClasses());
    const auto exact = std::make_shared<const ExactScoreSource>(data);
    const Eigen::Matrix2Xd stroke = (Eigen::Matrix2Xd(2, 4) << -0.2, 0.0, 0.2, 0.4, 1.5, 1.6, 1.7, 1.8).finished();
    Eigen::Matrix2Xd start(2, 2000);
    for (Eigen::Index j = 0; j < start.cols(); ++j) start.col(j) = stroke.col(j % stroke.cols());
    SamplerConfig config;
    config.kind = SamplerKind::Ddpm;
    config.particles = 2000;
    config.seed = 9;
    const NoiseSchedule schedule = NoiseSchedule::ddpmLinear(1000);
    Sampler sdedit(config, schedule, exact, 2);
    sdedit.sdedit(start, 0.5);
    Rng rng(12);
    const Eigen::Matrix2Xd posterior = samplePosterior(*data, sdedit.level().marginal, sdedit.particles(), rng);
    const Eigen::Matrix2Xd twin = samplePosterior(*data, sdedit.level().marginal, sdedit.particles(), rng);
    sdedit.run();
    const double sw2 = slicedWasserstein2(sdedit.particles(), posterior, 128, 1);
    const double floor = slicedWasserstein2(twin, posterior, 128, 1);
    qInfo("SDEdit from t0 = 0.5 against exact posterior draws: sliced W2 %.4f (floor %.4f)", sw2, floor);
    QVERIFY2(sw2 < 2 * floor, qPrintable(QString("%1 vs floor %2").arg(sw2).arg(floor)));
    // The stroke itself is not the answer: the test can fail.
    QVERIFY(slicedWasserstein2(start, posterior, 128, 1) > 5 * floor);
}

void TestGuidance::comparison()
{
    const Dataset data = twoClasses();
    const ExactClassifier c(data);
    const Marginal m{1.0, 0.05};
    Rng rng(8);
    const Eigen::Matrix2Xd exactDraws = c.sampleTilted(2000, m, 0, 2.0, rng);
    const TiltedComparison same = compareWithTilted(c, m, 0, 2.0, exactDraws, 1);
    QVERIFY2(same.sw2 < 2.5 * same.floor, qPrintable(QString("%1 vs floor %2").arg(same.sw2).arg(same.floor)));
    const Eigen::Matrix2Xd other = c.sampleTilted(2000, m, 1, 2.0, rng); // the other class
    QVERIFY(compareWithTilted(c, m, 0, 2.0, other, 1).sw2 > 20 * same.floor);
    // Same seed, same numbers.
    QCOMPARE(compareWithTilted(c, m, 0, 2.0, exactDraws, 1).sw2, same.sw2);
}

void TestGuidance::refusals()
{
    const auto expectError = [](auto&& f, const char* needle) {
        try {
            f();
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            return;
        }
        QFAIL(needle);
    };
    Dataset unlabelled = labelledPoints();
    unlabelled.labels.clear();
    unlabelled.numClasses = 0;
    expectError([&] { ExactClassifier c(unlabelled); }, "no classes to guide by");
    Dataset oneClass = labelledPoints();
    std::fill(oneClass.labels.begin(), oneClass.labels.end(), 0);
    expectError([&] { ExactClassifier c(oneClass); }, "at least two");
    Dataset gap = labelledPoints();
    gap.numClasses = 3;
    const ExactClassifier withGap(gap);
    expectError([&] { withGap.checkLabel(2); }, "class 2 has no data");
    expectError([&] {
        Rng rng(1);
        withGap.sampleTilted(10, {1, 0.1}, 0, -1.0, rng);
    }, "γ >= 0");
    ModelConfig mc;
    mc.hidden = {8};
    const ScoreNet plain(mc);
    expectError([&] { guidedSource(nullptr, &plain, nullptr, {GuidanceKind::ClassifierFree, 0, 2.0}); },
                "trained with class labels");
    expectError([&] { guidedSource(std::make_shared<ExactScoreSource>(std::make_shared<Dataset>(twoClasses())), nullptr,
                                   nullptr, {GuidanceKind::Classifier, 0, 2.0}); },
                "needs data with classes");
    expectError([&] { GuidanceConfig{GuidanceKind::Classifier, 0, std::nan("")}.validate(); }, "finite");
    // The JSON form round-trips and is read strictly.
    const GuidanceConfig g{GuidanceKind::ClassifierFree, 3, 2.5};
    QVERIFY(guidanceConfigFromJson(toJson(g), "g") == g);
    nlohmann::json bad = toJson(g);
    bad["kind"] = "sideways";
    expectError([&] { guidanceConfigFromJson(bad, "g"); }, "unknown guidance 'sideways'");
    bad = toJson(g);
    bad["extra"] = 1;
    expectError([&] { guidanceConfigFromJson(bad, "g"); }, "g.extra: unknown guidance field");
}

QTEST_APPLESS_MAIN(TestGuidance)
#include "tst_guidance.moc"
