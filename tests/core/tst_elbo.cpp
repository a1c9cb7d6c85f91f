// The DDPM bound (core/Elbo) against closed forms on Gaussian data.
//
// For data N(mu, Sigma) the exact score at level t is linear,
// s(x) = -C_t^{-1} (x - sqrt(abar_t) mu), C_t = abar_t Sigma + (1 - abar_t) I,
// so the model's reverse mean is affine, mu_t(x) = A_t x + b_t (computed here
// from the eps form (x - beta_t / sqrt(1 - abar_t) eps_hat) / sqrt(alpha_t),
// not the core's Tweedie form), and every term's expectation over x_t given x0
// is a 2x2 closed form: with d = q's mean - mu_t(x_t) = M x0 - b + s (c_t I - A) eps,
// E ||d||^2 = ||M x0 - b||^2 + s^2 ||c_t I - A||_F^2. The model itself is a
// linear-Gaussian chain, so its marginal p_model(x0) is an exact Gaussian too.
//
// Overview:
//  - termsMatchClosedForm (beta, beta-tilde): the prior term exactly; the total
//    per point against its closed form (paired: only the x_t draws' noise
//    remains) within 4 standard errors, that error below 0.015 nats (beta;
//    0.03 for beta-tilde, whose terms scatter more); each term's mean
//    within 4 of its reported standard errors, and so are a few steps' terms;
//    perStep and cumulative add up.
//  - boundHolds: closed-form population values: -ELBO >= the model's NLL
//    >= the data's entropy; and the estimate per point lies above the exact
//    -log p_data of the same points (paired, 3 standard errors).
//  - errorIsHonest: the reported standard error of the total against the
//    spread of ten independent runs (fresh points and draws).
//  - deterministicAcrossThreads, cancel, refusals.
#include "core/Elbo.h"
#include "core/Error.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <Eigen/LU>

#include <cmath>
#include <memory>
#include <numbers>

using namespace ss;

namespace {

const Eigen::Vector2d kMu(0.7, -0.4);

Eigen::Matrix2d sigma()
{
    Eigen::Matrix2d s;
    s << 0.5, 0.2, 0.2, 0.3;
    return s;
}

std::shared_ptr<const Dataset> gaussianData()
{
    auto d = std::make_shared<Dataset>();
    d->name = "one gaussian";
    Eigen::Matrix2Xd means(2, 1);
    means.col(0) = kMu;
    d->mixture = GaussianMixture({1.0}, means, {sigma()});
    Rng rng(3);
    d->points = d->mixture->sample(100, rng);
    return d;
}

// The exact model's reverse mean at level t as x -> A x + b (eps form).
struct Affine {
    Eigen::Matrix2d A;
    Eigen::Vector2d b;
};
Affine reverseMean(const NoiseSchedule& s, int t)
{
    const double abar = s.alphaBar(t), beta = s.betas()[std::size_t(t)], alpha = 1.0 - beta;
    const Eigen::Matrix2d C = abar * sigma() + (1.0 - abar) * Eigen::Matrix2d::Identity();
    const Eigen::Matrix2d Ci = C.inverse();
    // score = -Ci (x - sqrt(abar) mu); eps_hat = -sqrt(1 - abar) score;
    // mean = (x - beta / sqrt(1 - abar) eps_hat) / sqrt(alpha) = (x + beta score) / sqrt(alpha).
    return {(Eigen::Matrix2d::Identity() - beta * Ci) / std::sqrt(alpha), beta * Ci * (std::sqrt(abar) * kMu) / std::sqrt(alpha)};
}

// The closed-form terms at one point, expectation over x_t given x0.
struct Terms {
    double prior = 0, diffusion = 0, decoder = 0;
    double total() const { return prior + diffusion + decoder; }
};

// Step t's term at one point (t = 1: the decoder L_0; t >= 2: L_t), expected
// over x_t given x0. variance: the reverse kernel's sigma_t^2 for t >= 2.
double closedFormStep(const NoiseSchedule& s, const Eigen::Vector2d& x0, DdpmVariance variance, int t)
{
    const Eigen::Matrix2d I = Eigen::Matrix2d::Identity();
    const double abar = s.alphaBar(t), abarPrev = s.alphaBar(t - 1), beta = s.betas()[std::size_t(t)];
    const double m = std::sqrt(abar), sd = std::sqrt(1.0 - abar);
    const Affine f = reverseMean(s, t);
    if (t == 1) {
        // -log N(x0; A x_1 + b, beta_1 I), x_1 = m x0 + sd eps.
        const Eigen::Matrix2d M = I - m * f.A;
        const double e = (M * x0 - f.b).squaredNorm() + sd * sd * f.A.squaredNorm();
        return std::log(2.0 * std::numbers::pi * beta) + e / (2.0 * beta);
    }
    const double c0 = std::sqrt(abarPrev) * beta / (1.0 - abar);
    const double ct = std::sqrt(1.0 - beta) * (1.0 - abarPrev) / (1.0 - abar);
    const double bt = beta * (1.0 - abarPrev) / (1.0 - abar);
    const double v = variance == DdpmVariance::BetaTilde ? bt : beta;
    const Eigen::Matrix2d M = c0 * I + m * (ct * I - f.A);
    const double e = (M * x0 - f.b).squaredNorm() + sd * sd * (ct * I - f.A).squaredNorm();
    return e / (2.0 * v) + (bt / v - 1.0 - std::log(bt / v));
}

Terms closedForm(const NoiseSchedule& s, const Eigen::Vector2d& x0, DdpmVariance variance)
{
    const int T = s.numLevels();
    Terms r;
    const double abarT = s.alphaBar(T);
    r.prior = (1.0 - abarT) - 1.0 - std::log(1.0 - abarT) + 0.5 * abarT * x0.squaredNorm();
    r.decoder = closedFormStep(s, x0, variance, 1);
    for (int t = 2; t <= T; ++t) r.diffusion += closedFormStep(s, x0, variance, t);
    return r;
}

// The same, averaged over x0 ~ N(mu, Sigma): E ||M x0 - b||^2 = ||M mu - b||^2 + tr(M Sigma M^T).
double populationTotal(const NoiseSchedule& s, DdpmVariance variance)
{
    // closedForm is quadratic in x0: its mean over N(mu, Sigma) is its value at mu
    // plus half the trace of its Hessian times Sigma; the Hessian is constant,
    // so central differences of step 1 are exact (up to rounding).
    const auto f = [&](const Eigen::Vector2d& x) { return closedForm(s, x, variance).total(); };
    Eigen::Matrix2d H;
    const Eigen::Vector2d e[2] = {Eigen::Vector2d(1, 0), Eigen::Vector2d(0, 1)};
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            H(i, j) = (f(kMu + e[i] + e[j]) - f(kMu + e[i] - e[j]) - f(kMu - e[i] + e[j]) + f(kMu - e[i] - e[j])) / 4.0;
    return f(kMu) + 0.5 * (H * sigma()).trace();
}

// The exact model's marginal of x0: x_T ~ N(0, I), x_{t-1} = A_t x_t + b_t + sigma_t z,
// with the decoder's variance beta_1 at t = 1. Returns E_data[-log p_model(x0)].
double modelCrossEntropy(const NoiseSchedule& s, DdpmVariance variance)
{
    Eigen::Vector2d mean = Eigen::Vector2d::Zero();
    Eigen::Matrix2d cov = Eigen::Matrix2d::Identity();
    for (int t = s.numLevels(); t >= 1; --t) {
        const Affine f = reverseMean(s, t);
        const double v = t == 1 ? s.betas()[1] : variance == DdpmVariance::BetaTilde ? s.betaTilde(t) : s.betas()[std::size_t(t)];
        mean = f.A * mean + f.b;
        cov = f.A * cov * f.A.transpose() + v * Eigen::Matrix2d::Identity();
    }
    const Eigen::Matrix2d ci = cov.inverse();
    return 0.5 * (std::log((2.0 * std::numbers::pi * cov).determinant()) + (ci * sigma()).trace() +
                  (kMu - mean).dot(ci * (kMu - mean)));
}

double dataEntropy() { return 0.5 * std::log((2.0 * std::numbers::pi * std::numbers::e * sigma()).determinant()); }

Eigen::Matrix2Xd drawData(int n, std::uint64_t seed)
{
    Rng rng(seed);
    return gaussianData()->mixture->sample(n, rng);
}

} // namespace

class TestElbo : public QObject {
    Q_OBJECT
private slots:
    void termsMatchClosedForm_data();
    void termsMatchClosedForm();
    void boundHolds();
    void errorIsHonest();
    void deterministicAcrossThreads();
    void cancel();
    void refusals();
};

void TestElbo::termsMatchClosedForm_data()
{
    QTest::addColumn<int>("variance");
    QTest::newRow("beta") << int(DdpmVariance::Beta);
    QTest::newRow("beta-tilde") << int(DdpmVariance::BetaTilde);
}

void TestElbo::termsMatchClosedForm()
{
    QFETCH(int, variance);
    const auto data = gaussianData();
    ExactScoreSource source(data);
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(100);
    const Eigen::Matrix2Xd x = drawData(1000, 11);
    ElboConfig c;
    c.variance = DdpmVariance(variance);
    c.draws = 32;
    c.seed = 4;
    ThreadPool pool(2);
    const auto r = ddpmElbo(source, s, x, c, pool);
    QVERIFY(r.has_value());
    QCOMPARE(r->points, 1000);
    QCOMPARE(r->draws, 32);
    QCOMPARE(r->scoreEvaluations, 1000LL * 32 * 100);

    Eigen::VectorXd prior(x.cols()), diffusion(x.cols()), decoder(x.cols()), total(x.cols());
    for (Eigen::Index i = 0; i < x.cols(); ++i) {
        const Terms t = closedForm(s, x.col(i), c.variance);
        prior(i) = t.prior;
        diffusion(i) = t.diffusion;
        decoder(i) = t.decoder;
        total(i) = t.total();
    }
    // The prior term has no draws: exact.
    QVERIFY(std::abs(r->prior.mean - prior.mean()) < 1e-12);
    // Paired with the closed form at the same points, only the draws' noise is left.
    const Eigen::VectorXd diff = r->perPoint - total;
    const double pairedError = std::sqrt((diff.array() - diff.mean()).square().sum() / (diff.size() - 1) / diff.size());
    qInfo("total %.4f +- %.4f, closed form %.4f, paired error %.4f", r->total.mean, r->total.standardError, total.mean(),
          pairedError);
    QVERIFY2(pairedError < (c.variance == DdpmVariance::Beta ? 0.015 : 0.03), qPrintable(QString("paired standard error %1").arg(pairedError)));
    QVERIFY2(std::abs(diff.mean()) < 4 * pairedError,
             qPrintable(QString("total %1 vs closed form %2 (paired error %3)").arg(r->total.mean).arg(total.mean()).arg(pairedError)));
    // Each term against its reported standard error.
    const auto within = [](const ElboTerm& estimate, double truth, const char* what) {
        QVERIFY2(estimate.standardError > 0 && std::abs(estimate.mean - truth) < 4 * estimate.standardError,
                 qPrintable(QString("%1: %2 +- %3 vs %4").arg(what).arg(estimate.mean).arg(estimate.standardError).arg(truth)));
    };
    within(r->diffusion, diffusion.mean(), "sum L_t");
    within(r->decoder, decoder.mean(), "L_0");
    within(r->total, total.mean(), "total");
    QVERIFY(std::abs(r->total.mean - (r->prior.mean + r->diffusion.mean + r->decoder.mean)) < 1e-9);
    QVERIFY(std::abs(r->total.mean - r->perPoint.mean()) < 1e-9);
    // By step: L_0 first, then the L_t; the curve ends at the total less the prior.
    QCOMPARE(int(r->perStep.size()), 101);
    QCOMPARE(r->perStep[0], 0.0);
    QVERIFY(std::abs(r->perStep[1] - r->decoder.mean) < 1e-9);
    QVERIFY(std::abs(r->cumulative[100] + r->prior.mean - r->total.mean) < 1e-9);
    for (std::size_t t = 1; t <= 100; ++t) {
        QVERIFY(std::abs(r->cumulative[t] - r->cumulative[t - 1] - r->perStep[t]) < 1e-12);
        QVERIFY(r->perStepError[t] > 0);
    }
    // Each step's mean against its closed form within 4 of its errors, at a few steps.
    for (const int t : {1, 2, 10, 50, 100}) {
        double expected = 0;
        for (Eigen::Index i = 0; i < x.cols(); ++i) expected += closedFormStep(s, x.col(i), c.variance, t) / double(x.cols());
        const double e = r->perStepError[std::size_t(t)];
        QVERIFY2(std::abs(r->perStep[std::size_t(t)] - expected) < 4 * e,
                 qPrintable(QString("t = %1: %2 +- %3 vs %4").arg(t).arg(r->perStep[std::size_t(t)]).arg(e).arg(expected)));
    }
    QCOMPARE(r->bitsPerDim(), r->total.mean / (2 * std::log(2.0)));
}

void TestElbo::boundHolds()
{
    // The bound of the exact score's DDPM, T = 50, sigma_t^2 = beta_t:
    // -ELBO ~1.7722 >= the model's NLL ~1.7365 >= the data's entropy ~1.7342.
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(50);
    for (const DdpmVariance v : {DdpmVariance::Beta, DdpmVariance::BetaTilde}) {
        const double bound = populationTotal(s, v), model = modelCrossEntropy(s, v), entropy = dataEntropy();
        QVERIFY2(bound > model && model > entropy,
                 qPrintable(QString("bound %1, model NLL %2, entropy %3").arg(bound).arg(model).arg(entropy)));
    }
    QVERIFY(std::abs(populationTotal(s, DdpmVariance::Beta) - 1.7722) < 1e-3); // the numbers above
    QVERIFY(std::abs(modelCrossEntropy(s, DdpmVariance::Beta) - 1.7365) < 1e-3);

    // The estimate at points against their exact -log p_data (paired).
    const auto data = gaussianData();
    ExactScoreSource source(data);
    // Paired with -log p_data at the same points, the draws' noise is left
    // (~1.6 nats per draw): 32,000 draws make it ~0.01 against a gap of ~0.04.
    const Eigen::Matrix2Xd x = drawData(1000, 21);
    ElboConfig c;
    c.draws = 32;
    c.seed = 8;
    ThreadPool pool(2);
    const auto r = ddpmElbo(source, s, x, c, pool);
    QVERIFY(r.has_value());
    Eigen::VectorXd logp(x.cols());
    data->mixture->logDensity(x, Marginal{1.0, 0.0}, logp);
    const Eigen::VectorXd gap = r->perPoint + logp;
    const double error = std::sqrt((gap.array() - gap.mean()).square().sum() / (gap.size() - 1) / gap.size());
    qInfo("gap to -log p_data %.4f +- %.4f; total %.4f +- %.4f", gap.mean(), error, r->total.mean, r->total.standardError);
    QVERIFY2(gap.mean() > 3 * error, qPrintable(QString("gap %1 +- %2").arg(gap.mean()).arg(error)));
    QVERIFY2(std::abs(r->total.mean - populationTotal(s, DdpmVariance::Beta)) < 4 * r->total.standardError,
             qPrintable(QString("%1 +- %2").arg(r->total.mean).arg(r->total.standardError)));
}

void TestElbo::errorIsHonest()
{
    // Ten seeds, each on a fresh point set: the spread of the ten totals is the
    // estimator's whole error, which the reported one must match within a
    // factor of two (ten samples of a spread scatter by ~25%).
    const auto data = gaussianData();
    ExactScoreSource source(data);
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(50);
    ThreadPool pool(2);
    std::vector<double> totals, errors;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        ElboConfig c;
        c.seed = seed;
        const auto r = ddpmElbo(source, s, drawData(300, 100 + seed), c, pool);
        QVERIFY(r.has_value());
        totals.push_back(r->total.mean);
        errors.push_back(r->total.standardError);
    }
    double mean = 0, spread = 0, error = 0;
    for (double t : totals) mean += t / 10;
    for (double t : totals) spread += (t - mean) * (t - mean) / 9;
    for (double e : errors) error += e / 10;
    spread = std::sqrt(spread);
    QVERIFY2(spread > 0.5 * error && spread < 2.0 * error, qPrintable(QString("spread %1, reported %2").arg(spread).arg(error)));
}

void TestElbo::deterministicAcrossThreads()
{
    const auto data = gaussianData();
    ExactScoreSource source(data);
    const NoiseSchedule s = NoiseSchedule::ddpmCosine(50);
    const Eigen::Matrix2Xd x = drawData(700, 5); // two blocks of draws
    ElboConfig c;
    c.draws = 2;
    ThreadPool one(1), three(3);
    const auto a = ddpmElbo(source, s, x, c, one), b = ddpmElbo(source, s, x, c, three);
    QVERIFY(a && b);
    QCOMPARE(a->total.mean, b->total.mean);
    QVERIFY(a->perPoint == b->perPoint);
    QVERIFY(a->perStep == b->perStep);
    c.seed = 1;
    QVERIFY(ddpmElbo(source, s, x, c, one)->total.mean != a->total.mean);
}

void TestElbo::cancel()
{
    const auto data = gaussianData();
    ExactScoreSource source(data);
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(200);
    ThreadPool pool(2);
    std::atomic<bool> stop{false};
    int calls = 0, lastTotal = 0;
    const auto r = ddpmElbo(source, s, drawData(100, 1), {}, pool, &stop, [&](int done, int total) {
        ++calls;
        lastTotal = total;
        if (done == 5) stop = true;
    });
    QVERIFY(!r.has_value());
    QCOMPARE(calls, 5);
    QCOMPARE(lastTotal, 200);
}

void TestElbo::refusals()
{
    const auto data = gaussianData();
    ExactScoreSource source(data);
    ThreadPool pool(1);
    const Eigen::Matrix2Xd x = drawData(10, 1);
    const auto refused = [&](const NoiseSchedule& s, const Eigen::Matrix2Xd& points, int draws, const char* words) {
        ElboConfig c;
        c.draws = draws;
        try {
            ddpmElbo(source, s, points, c, pool);
        } catch (const InputError& e) {
            return QString(e.what()).contains(words);
        }
        return false;
    };
    QVERIFY(refused(NoiseSchedule::geometric(0.01, 10, 10), x, 1, "DDPM schedule"));
    QVERIFY(refused(NoiseSchedule::vp(), x, 1, "DDPM schedule"));
    QVERIFY(refused(NoiseSchedule::ddpmLinear(100), Eigen::Matrix2Xd(2, 0), 1, "no points"));
    Eigen::Matrix2Xd bad = x;
    bad(1, 3) = std::nan("");
    QVERIFY(refused(NoiseSchedule::ddpmLinear(100), bad, 1, "NaN"));
    QVERIFY(refused(NoiseSchedule::ddpmLinear(100), x, 0, "draws"));
    QVERIFY(!hasDdpmElbo(NoiseSchedule::veContinuous(0.01, 10)));
    QVERIFY(hasDdpmElbo(NoiseSchedule::ddpmBetas({0.01, 0.02})));
}

QTEST_APPLESS_MAIN(TestElbo)
#include "tst_elbo.moc"
