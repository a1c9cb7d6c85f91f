// tst_schedule: noise schedules and forward processes (core/NoiseSchedule.h,
// docs/reference/schedules.md).
//
// Overview
//  - invariants: every kind (one row each, see allKinds()) checked for the
//    shared conventions: std strictly increasing with k / t, 0 < mean <= 1,
//    mean = 1 for VE, t in [0, 1] and increasing, sigmas() largest first,
//    at(level t) = that level, DDPM abar/alpha/btilde relations.
//  - kind-specific values: geometric ratio, DDPM linear abar_T for T = 1000,
//    cosine abar, VP mean^2 + std^2 = 1, sub-VP below VP.
//  - SDE view: the marginal variance ODE d var/dt = 2 f var + g^2 by finite
//    differences for every continuous kind; the DDPM and discrete-VE SDE views.
//  - forward process: Monte Carlo DDPM chains against the closed form; the two
//    posterior-mean formulas agree.
//  - bad inputs: each refused factory call throws ss::InputError whose one-line
//    message contains a stated key phrase.
//  - priorMismatchKl: ~0 when the prior is exact, decreasing in sigma_max for VE.
//
// How to add a case: a new schedule kind or parameter set -> a row in allKinds()
// (and continuousKinds() if it is continuous); a new refused input -> a row in
// badInputs_data() with the phrase its message must contain.
#include "core/Error.h"
#include "core/NoiseSchedule.h"
#include "core/Rng.h"

#include <Eigen/LU> // inverse() and determinant() for the textbook KL
#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

using ss::CurvePoint;
using ss::NoiseSchedule;

using Action = std::function<void()>;
Q_DECLARE_METATYPE(ss::NoiseSchedule)
Q_DECLARE_METATYPE(Action)

namespace {

bool near(double a, double b, double rel, double abs = 0.0)
{
    return std::abs(a - b) <= abs + rel * std::max(std::abs(a), std::abs(b));
}

QString str(double v) { return QString::number(v, 'g', 12); }

std::vector<CurvePoint> testCurve() { return {{0.0, -3.0}, {0.3, 0.0}, {1.0, 2.0}}; }

// One row per kind and a few parameter sets; every invariant runs on each.
void allKinds()
{
    QTest::addColumn<NoiseSchedule>("schedule");
    QTest::newRow("geometric-default") << NoiseSchedule();
    QTest::newRow("geometric-single") << NoiseSchedule::geometric(0.5, 2.0, 1);
    QTest::newRow("geometric-wide") << NoiseSchedule::geometric(0.001, 100.0, 200);
    QTest::newRow("sigma-levels") << NoiseSchedule::sigmaLevels({5.0, 2.0, 1.0, 0.3});
    QTest::newRow("sigma-levels-single") << NoiseSchedule::sigmaLevels({0.7});
    QTest::newRow("ve") << NoiseSchedule::veContinuous(0.01, 50.0);
    QTest::newRow("ddpm-linear-1000") << NoiseSchedule::ddpmLinear(1000);
    QTest::newRow("ddpm-linear-50") << NoiseSchedule::ddpmLinear(50);
    QTest::newRow("ddpm-linear-raw") << NoiseSchedule::ddpmLinear(200, 1e-3, 0.05, false);
    QTest::newRow("ddpm-cosine-1000") << NoiseSchedule::ddpmCosine(1000);
    QTest::newRow("ddpm-cosine-50") << NoiseSchedule::ddpmCosine(50);
    QTest::newRow("ddpm-cosine-100000") << NoiseSchedule::ddpmCosine(100000);
    QTest::newRow("ddpm-betas") << NoiseSchedule::ddpmBetas({0.01, 0.02, 0.05, 0.1});
    QTest::newRow("vp") << NoiseSchedule::vp();
    QTest::newRow("sub-vp") << NoiseSchedule::subVp();
    QTest::newRow("custom-continuous") << NoiseSchedule::customCurve(testCurve());
    QTest::newRow("custom-12-levels") << NoiseSchedule::customCurve(testCurve(), 12);
    QTest::newRow("custom-1-level") << NoiseSchedule::customCurve(testCurve(), 1);
}

void continuousKinds()
{
    QTest::addColumn<NoiseSchedule>("schedule");
    QTest::newRow("ve") << NoiseSchedule::veContinuous(0.01, 50.0);
    QTest::newRow("ve-narrow") << NoiseSchedule::veContinuous(0.5, 0.6);
    QTest::newRow("vp") << NoiseSchedule::vp();
    QTest::newRow("vp-steep") << NoiseSchedule::vp(1.0, 40.0);
    QTest::newRow("sub-vp") << NoiseSchedule::subVp();
    QTest::newRow("custom-continuous") << NoiseSchedule::customCurve(testCurve());
}

bool isDdpm(const NoiseSchedule& s) { return !s.betas().empty(); }

} // namespace

class TestSchedule : public QObject {
    Q_OBJECT

private slots:
    void invariants_data() { allKinds(); }
    void invariants();
    void ddpmQuantities_data() { allKinds(); }
    void ddpmQuantities();
    void sigmasAndPrior_data() { allKinds(); }
    void sigmasAndPrior();

    void geometricRatio();
    void defaultSchedule();
    void ddpmLinearKnownValue();
    void ddpmLinearRescale();
    void ddpmCosineValues();
    void vpAndSubVp();
    void customCurveValues();
    void annealedStepSizes();
    void tEpsilon();

    void marginalOde_data() { continuousKinds(); }
    void marginalOde();
    void ddpmSdeView();
    void discreteVeSdeView();

    void forwardProcess_data();
    void forwardProcess();
    void posteriorMean_data();
    void posteriorMean();

    void badInputs_data();
    void badInputs();
    void outOfRange();

    void priorMismatchExact();
    void priorMismatchVe();
    void priorMismatchGeneral();
};

// ---- invariants over every kind -------------------------------------------

void TestSchedule::invariants()
{
    QFETCH(NoiseSchedule, schedule);
    const bool ve = schedule.isVarianceExploding();
    QVERIFY(!schedule.name().empty());

    // Collect (t, mean, std) along the noise axis: levels, or a grid of t.
    std::vector<ss::NoiseLevel> path;
    if (schedule.isDiscrete()) {
        QVERIFY(schedule.numLevels() >= 1);
        for (int k = 1; k <= schedule.numLevels(); ++k) path.push_back(schedule.level(k));
        QCOMPARE(schedule.noisiest().marginal.std, path.back().marginal.std);
        // at() of a level's own time is that level.
        for (int k = 1; k <= schedule.numLevels(); k += std::max(1, schedule.numLevels() / 97)) {
            const ss::NoiseLevel l = schedule.at(path[k - 1].t);
            QVERIFY2(l.marginal.std == path[k - 1].marginal.std, qPrintable(QString("at(t_%1)").arg(k)));
        }
        QCOMPARE(schedule.at(0.0).marginal.std, path.front().marginal.std);
        QCOMPARE(schedule.at(1.0).marginal.std, path.back().marginal.std);
        QCOMPARE(path.back().t, 1.0); // the noisiest level is always t = 1
    } else {
        QCOMPARE(schedule.numLevels(), 0);
        const double t0 = schedule.tEpsilon();
        for (int i = 0; i <= 200; ++i) path.push_back(schedule.at(t0 + (1.0 - t0) * i / 200.0));
        QCOMPARE(path.back().t, 1.0);
        QCOMPARE(schedule.at(2.0).t, 1.0);   // clamped
        QCOMPARE(schedule.at(-1.0).t, 0.0);
    }

    for (std::size_t i = 0; i < path.size(); ++i) {
        const ss::NoiseLevel& l = path[i];
        const QString at = QString("entry %1 (t = %2)").arg(i).arg(str(l.t));
        QVERIFY2(l.t >= 0.0 && l.t <= 1.0, qPrintable(at));
        QVERIFY2(l.marginal.mean > 0.0 && l.marginal.mean <= 1.0, qPrintable(at + " mean " + str(l.marginal.mean)));
        QVERIFY2(l.marginal.std > 0.0, qPrintable(at));
        if (ve) QVERIFY2(l.marginal.mean == 1.0, qPrintable(at));
        if (i > 0) {
            QVERIFY2(l.t > path[i - 1].t, qPrintable(at + ": t not increasing"));
            QVERIFY2(l.marginal.std > path[i - 1].marginal.std, qPrintable(at + ": std not increasing"));
            if (!ve) QVERIFY2(l.marginal.mean < path[i - 1].marginal.mean, qPrintable(at + ": mean not decreasing"));
        }
    }
}

void TestSchedule::ddpmQuantities()
{
    QFETCH(NoiseSchedule, schedule);
    if (!isDdpm(schedule)) {
        QVERIFY(schedule.betas().empty());
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, schedule.alphaBar(1));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, schedule.betaTilde(1));
        return;
    }
    const int T = schedule.numLevels();
    QCOMPARE(int(schedule.betas().size()), T + 1);
    QCOMPARE(schedule.alphaBar(0), 1.0);
    QCOMPARE(schedule.betaTilde(1), 0.0); // abar_0 = 1: the last reverse step adds no noise
    for (int t = 1; t <= T; ++t) {
        const QString at = QString("t = %1").arg(t);
        const double b = schedule.betas()[t];
        QVERIFY2(b > 0.0 && b < 1.0, qPrintable(at));
        QCOMPARE(schedule.alpha(t), 1.0 - b);
        const double abar = schedule.alphaBar(t);
        QVERIFY2(abar > 0.0 && abar < 1.0 && abar < schedule.alphaBar(t - 1), qPrintable(at));
        QVERIFY2(near(abar, schedule.alphaBar(t - 1) * schedule.alpha(t), 1e-15), qPrintable(at));
        const double bt = schedule.betaTilde(t);
        QVERIFY2(bt >= 0.0 && bt <= b, qPrintable(at));
        // Posterior precision: 1/btilde = alpha_t/beta_t + 1/(1 - abar_{t-1}).
        if (t >= 2)
            QVERIFY2(near(1.0 / bt, schedule.alpha(t) / b + 1.0 / (1.0 - schedule.alphaBar(t - 1)), 1e-9),
                     qPrintable(at));
        const ss::NoiseLevel l = schedule.level(t);
        QVERIFY2(near(l.marginal.mean * l.marginal.mean, abar, 1e-14), qPrintable(at));
        QVERIFY2(near(l.marginal.std * l.marginal.std, 1.0 - abar, 1e-14), qPrintable(at));
        QVERIFY2(l.t == double(t) / T, qPrintable(at));
    }
}

void TestSchedule::sigmasAndPrior()
{
    QFETCH(NoiseSchedule, schedule);
    const std::vector<double> sig = schedule.sigmas();
    if (!schedule.isVarianceExploding()) {
        QVERIFY(sig.empty());
        QVERIFY(schedule.annealedStepSizes(1e-3).empty());
        QCOMPARE(schedule.priorStd(), 1.0);
        QCOMPARE(schedule.driftCoefficient(0.5), -0.5 * schedule.beta(0.5));
        return;
    }
    QCOMPARE(schedule.driftCoefficient(0.5), 0.0);
    QCOMPARE(schedule.beta(0.5), 0.0);
    QCOMPARE(schedule.integratedBeta(0.5), 0.0);
    QCOMPARE(int(sig.size()), schedule.isDiscrete() ? schedule.numLevels() : 2);
    for (std::size_t i = 1; i < sig.size(); ++i) QVERIFY2(sig[i] < sig[i - 1], "sigmas() not largest first");
    QCOMPARE(schedule.priorStd(), sig.front());
    QCOMPARE(schedule.noisiest().marginal.std, sig.front());
    if (schedule.isDiscrete()) // lecture numbering: sigma_1 is level N
        for (int k = 1; k <= schedule.numLevels(); ++k)
            QCOMPARE(schedule.level(k).marginal.std, sig[std::size_t(schedule.numLevels() - k)]);
}

// ---- kind-specific values -------------------------------------------------

void TestSchedule::geometricRatio()
{
    const NoiseSchedule s = NoiseSchedule::geometric(0.01, 10.0, 10);
    const std::vector<double> sig = s.sigmas();
    QCOMPARE(sig.front(), 10.0);
    QCOMPARE(sig.back(), 0.01);
    const double ratio = std::pow(1000.0, 1.0 / 9.0);
    for (std::size_t i = 1; i < sig.size(); ++i) QVERIFY2(near(sig[i - 1] / sig[i], ratio, 1e-12), qPrintable(str(i)));
    // Level times are equally spaced for a geometric schedule.
    for (int k = 1; k <= 10; ++k) QVERIFY(near(s.level(k).t, (k - 1) / 9.0, 0.0, 1e-14));
    // A single level is sigma_max at t = 1.
    const NoiseSchedule one = NoiseSchedule::geometric(0.1, 3.0, 1);
    QCOMPARE(one.level(1).marginal.std, 3.0);
    QCOMPARE(one.level(1).t, 1.0);
}

void TestSchedule::defaultSchedule()
{
    const NoiseSchedule s;
    QCOMPARE(s.kind(), ss::ScheduleKind::Geometric);
    QCOMPARE(s.name(), std::string("geometric"));
    QCOMPARE(s.numLevels(), 10);
    QCOMPARE(s.sigmaMin(), 0.01);
    QCOMPARE(s.sigmaMax(), 10.0);
}

void TestSchedule::ddpmLinearKnownValue()
{
    // prod_{t=1}^{1000} (1 - beta_t), beta linear 1e-4 .. 0.02: 4.0358e-5
    // (computed independently in double precision).
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(1000);
    QCOMPARE(s.betas()[1], 1e-4);
    QCOMPARE(s.betas()[1000], 0.02);
    QVERIFY2(near(s.alphaBar(1000), 4.0358297653756754e-05, 1e-9), qPrintable(str(s.alphaBar(1000))));
}

void TestSchedule::ddpmLinearRescale()
{
    const NoiseSchedule s = NoiseSchedule::ddpmLinear(50);
    QVERIFY(near(s.betas()[1], 1e-4 * 20, 1e-14));
    QVERIFY(near(s.betas()[50], 0.02 * 20, 1e-14));
    const NoiseSchedule raw = NoiseSchedule::ddpmLinear(50, 1e-4, 0.02, false);
    QCOMPARE(raw.betas()[50], 0.02);
    QCOMPARE(s.betaMin(), 1e-4); // the parameters as given, before rescaling
    // Rescaling keeps the signal comparably destroyed at T: abar_T well below 1e-3.
    QVERIFY(s.alphaBar(50) < 1e-3);
    QVERIFY(raw.alphaBar(50) > 0.5);
}

void TestSchedule::ddpmCosineValues()
{
    const int T = 1000;
    const double sOff = 0.008;
    const NoiseSchedule s = NoiseSchedule::ddpmCosine(T, sOff);
    const auto f = [&](double t) {
        const double c = std::cos((t / T + sOff) / (1.0 + sOff) * std::numbers::pi / 2.0);
        return c * c;
    };
    // Unclipped steps follow abar(t) = f(t)/f(0) exactly (up to the product's rounding).
    for (int t : {1, 10, 250, 500, 900, 999})
        QVERIFY2(near(s.alphaBar(t), f(t) / f(0), 1e-10), qPrintable(QString("t = %1").arg(t)));
    QCOMPARE(s.betas()[T], 0.999); // f(T) = 0: the last beta is clipped
    QVERIFY2(s.alphaBar(T) < 1e-8, qPrintable(str(s.alphaBar(T))));
    for (int t = 1; t <= T; ++t) QVERIFY(s.betas()[t] <= 0.999);
    QCOMPARE(s.cosineS(), sOff);
}

void TestSchedule::vpAndSubVp()
{
    const NoiseSchedule vp = NoiseSchedule::vp(0.1, 20.0);
    const NoiseSchedule sub = NoiseSchedule::subVp(0.1, 20.0);
    for (int i = 0; i <= 100; ++i) {
        const double t = i / 100.0;
        const ss::Marginal a = vp.at(t).marginal, b = sub.at(t).marginal;
        QVERIFY2(near(a.mean * a.mean + a.std * a.std, 1.0, 0.0, 1e-14), qPrintable(str(t)));
        QCOMPARE(a.mean, b.mean);
        QVERIFY2(b.std <= a.std, qPrintable(str(t)));
        const double B = 0.1 * t + 0.5 * t * t * 19.9;
        QVERIFY(near(vp.integratedBeta(t), B, 1e-14, 1e-300));
        QVERIFY(near(a.mean, std::exp(-0.5 * B), 1e-14));
        QVERIFY(near(b.std, 1.0 - std::exp(-B), 1e-12, 1e-15));
    }
    QCOMPARE(vp.beta(0.0), 0.1);
    QCOMPARE(vp.beta(1.0), 20.0);
}

void TestSchedule::customCurveValues()
{
    const NoiseSchedule c = NoiseSchedule::customCurve(testCurve());
    QVERIFY(c.isVarianceExploding());
    QVERIFY(!c.isDiscrete());
    QVERIFY(near(c.at(0.3).marginal.std, 1.0, 1e-15));
    QVERIFY(near(c.at(0.15).marginal.std, std::exp(-1.5), 1e-14));
    QCOMPARE(c.at(0.0).marginal.std, std::exp(-3.0));
    QCOMPARE(c.at(1.0).marginal.std, std::exp(2.0));

    // Discrete: levels at u = 0, 0.5, 1; t by the VE log formula.
    const NoiseSchedule d = NoiseSchedule::customCurve(testCurve(), 3);
    QCOMPARE(d.numLevels(), 3);
    const double logMid = 0.0 + (0.5 - 0.3) / 0.7 * 2.0;
    QVERIFY(near(d.level(2).marginal.std, std::exp(logMid), 1e-14));
    QVERIFY(near(d.level(2).t, (logMid + 3.0) / 5.0, 1e-14));
    QCOMPARE(d.level(1).t, 0.0);
    QCOMPARE(d.level(3).t, 1.0);
}

void TestSchedule::annealedStepSizes()
{
    const NoiseSchedule s = NoiseSchedule::geometric(0.01, 10.0, 10);
    const std::vector<double> a = s.annealedStepSizes(2e-5);
    QCOMPARE(int(a.size()), 10);
    QVERIFY(near(a.front(), 2e-5 * 1e6, 1e-12)); // largest sigma first
    QCOMPARE(a.back(), 2e-5);
    for (std::size_t i = 1; i < a.size(); ++i) QVERIFY(a[i] < a[i - 1]);
}

void TestSchedule::tEpsilon()
{
    QCOMPARE(NoiseSchedule::vp().tEpsilon(), 1e-5);
    QCOMPARE(NoiseSchedule::subVp().tEpsilon(), 1e-5);
    QCOMPARE(NoiseSchedule::veContinuous(0.1, 1).tEpsilon(), 0.0);
    QCOMPARE(NoiseSchedule().tEpsilon(), 0.0);
    QCOMPARE(NoiseSchedule::ddpmLinear(100).tEpsilon(), 0.01);
}

// ---- SDE view ---------------------------------------------------------------

// For dx = f x dt + g dw the noise variance obeys d var/dt = 2 f var + g^2.
// Central differences with h = 1e-5: truncation ~ h^2 var''' stays below the
// 1e-6 relative tolerance; rounding ~ 1e-16 var / h ~ 1e-11 var is absolute
// (it dominates where VP's var is flat near 1), hence the 1e-9 var floor.
void TestSchedule::marginalOde()
{
    QFETCH(NoiseSchedule, schedule);
    const auto var = [&](double t) {
        const double s = schedule.at(t).marginal.std;
        return s * s;
    };
    const double h = 1e-5;
    // Points avoid the custom curve's knot at u = 0.3 (its g^2 jumps there).
    for (double t : {0.01, 0.05, 0.2, 0.37, 0.5, 0.71, 0.9, 0.95, 0.99}) {
        const double lhs = (var(t + h) - var(t - h)) / (2.0 * h);
        const double rhs = 2.0 * schedule.driftCoefficient(t) * var(t) + schedule.diffusionSquared(t);
        QVERIFY2(near(lhs, rhs, 1e-6, 1e-9 * var(t)), qPrintable(QString("t = %1: d var/dt = %2, 2 f var + g^2 = %3")
                                                      .arg(t).arg(str(lhs)).arg(str(rhs))));
        // The mean coefficient obeys d mean/dt = f mean.
        const double dm = (schedule.at(t + h).marginal.mean - schedule.at(t - h).marginal.mean) / (2.0 * h);
        QVERIFY(near(dm, schedule.driftCoefficient(t) * schedule.at(t).marginal.mean, 1e-6, 1e-12));
    }
}

void TestSchedule::ddpmSdeView()
{
    // The DDPM SDE view (NoiseSchedule.cpp): integratedBeta is a C^1 cubic
    // through -log abar_k at the level times, beta(t) its derivative -- a
    // quadratic on each interval, so Simpson's rule integrates it exactly --
    // continuous at the knots (no jumps for the ODE solvers) and >= 0.
    const NoiseSchedule wild = NoiseSchedule::ddpmBetas({1e-4, 0.5, 1e-4, 0.9, 1e-3, 0.2, 0.999, 0.01});
    for (const NoiseSchedule& s : {NoiseSchedule::ddpmLinear(100), NoiseSchedule::ddpmCosine(100),
                                   NoiseSchedule::ddpmLinear(1, 1e-4, 0.3, false), NoiseSchedule::ddpmLinear(2, 1e-4, 0.3, false), wild}) {
        const int T = s.numLevels();
        const QString name = QString::fromStdString(s.name()) + QString(" T = %1").arg(T);
        for (int k = 1; k <= T; ++k) {
            const double tk = double(k) / T, t0 = double(k - 1) / T, mid = (k - 0.5) / T;
            QVERIFY2(near(std::exp(-s.integratedBeta(tk)), s.alphaBar(k), 1e-12), qPrintable(name + QString(" k = %1").arg(k)));
            const double simpson = (s.beta(t0) + 4.0 * s.beta(mid) + s.beta(tk)) / (6.0 * T);
            QVERIFY2(near(simpson, s.integratedBeta(tk) - s.integratedBeta(t0), 1e-12),
                     qPrintable(name + QString(" k = %1: Simpson %2 vs %3").arg(k).arg(str(simpson))
                                           .arg(str(s.integratedBeta(tk) - s.integratedBeta(t0)))));
            const double h = 1e-4 / T;
            const double dB = (s.integratedBeta(mid + h) - s.integratedBeta(mid - h)) / (2.0 * h);
            // Truncation ~h^2 B''' / 6: relative to the interval's rates, not to
            // beta(mid), which the wild betas make tiny between large ones.
            const double scale = s.beta(t0) + s.beta(tk) + T * (s.integratedBeta(tk) - s.integratedBeta(t0));
            QVERIFY2(near(dB, s.beta(mid), 1e-6, 1e-6 * scale), qPrintable(name + QString(" k = %1").arg(k)));
            QCOMPARE(s.diffusionSquared(mid), s.beta(mid));
            QCOMPARE(s.driftCoefficient(mid), -0.5 * s.beta(mid));
            // Continuous at the knot: the two sides agree to the slope times the gap.
            if (k < T) {
                const double e = 1e-12 / T;
                QVERIFY2(near(s.beta(tk - e), s.beta(tk + e), 1e-6), qPrintable(name + QString(" knot %1").arg(k)));
            }
            for (int i = 0; i <= 20; ++i) QVERIFY2(s.beta(t0 + i / (20.0 * T)) >= 0.0, qPrintable(name));
        }
    }
    // The standard continuous limit: DDPM-linear's beta(t) is the line through
    // T beta_k (0.1 .. 20 for T = 1000) with beta_k placed mid-interval, at
    // t = (k - 1/2)/T, up to -log(1 - beta_k) = beta_k (1 + beta_k / 2 + ...): 1%.
    const NoiseSchedule linear = NoiseSchedule::ddpmLinear(1000);
    for (double t = 0.01; t < 1.0; t += 0.0137) {
        const double line = 0.1 + 19.9 * (1000 * t - 0.5) / 999.0;
        QVERIFY2(near(linear.beta(t), line, 0.011), qPrintable(QString("t = %1: %2").arg(t).arg(linear.beta(t))));
    }
}

void TestSchedule::discreteVeSdeView()
{
    // Discrete VE kinds use the continuous VE between their end sigmas.
    const NoiseSchedule ve = NoiseSchedule::veContinuous(0.01, 10.0);
    const NoiseSchedule levels = NoiseSchedule::sigmaLevels({10.0, 3.0, 0.2, 0.01});
    const NoiseSchedule curve = NoiseSchedule::customCurve({{0.0, std::log(0.01)}, {0.5, 0.0}, {1.0, std::log(10.0)}}, 7);
    for (double t : {0.0, 0.3, 0.8, 1.0}) {
        QVERIFY(near(NoiseSchedule().diffusionSquared(t), ve.diffusionSquared(t), 1e-12));
        QVERIFY(near(levels.diffusionSquared(t), ve.diffusionSquared(t), 1e-12));
        QVERIFY(near(curve.diffusionSquared(t), ve.diffusionSquared(t), 1e-12));
        // g^2 = d sigma^2/dt = 2 sigma^2 ln(sigma_max/sigma_min).
        const double sigma = ve.at(t).marginal.std;
        QVERIFY(near(ve.diffusionSquared(t), 2.0 * sigma * sigma * std::log(1000.0), 1e-12));
    }
    QCOMPARE(NoiseSchedule::sigmaLevels({0.5}).diffusionSquared(0.5), 0.0); // one level: no range
}

// ---- forward process --------------------------------------------------------

void TestSchedule::forwardProcess_data()
{
    QTest::addColumn<NoiseSchedule>("schedule");
    QTest::newRow("ddpm-linear-50") << NoiseSchedule::ddpmLinear(50);
    QTest::newRow("ddpm-cosine-50") << NoiseSchedule::ddpmCosine(50);
}

// Runs n chains x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps from a fixed
// x0 and compares, per coordinate, the empirical mean and std at several t with
// sqrt(abar_t) x0 and sqrt(1 - abar_t). Tolerance: 5 standard errors (mean:
// sd/sqrt(n); sd: sd/sqrt(2n) for Gaussian samples). With 40 such checks a false
// failure has probability ~1e-5, and the seed is fixed anyway.
void TestSchedule::forwardProcess()
{
    QFETCH(NoiseSchedule, schedule);
    const int n = 20000, T = schedule.numLevels();
    const Eigen::Vector2d x0(1.5, -0.7);
    Eigen::Matrix2Xd x = x0.replicate(1, n);
    ss::Rng rng(12345);
    for (int t = 1; t <= T; ++t) {
        const double b = schedule.betas()[t];
        const double keep = std::sqrt(1.0 - b), add = std::sqrt(b);
        for (int j = 0; j < n; ++j)
            for (int d = 0; d < 2; ++d) x(d, j) = keep * x(d, j) + add * rng.normal();
        if (t != 1 && t != 5 && t != 10 && t != 25 && t != T) continue;
        const double wantStd = std::sqrt(1.0 - schedule.alphaBar(t));
        for (int d = 0; d < 2; ++d) {
            const double mean = x.row(d).mean();
            const double sd = std::sqrt((x.row(d).array() - mean).square().sum() / (n - 1));
            const double wantMean = std::sqrt(schedule.alphaBar(t)) * x0(d);
            const QString at = QString("t = %1, coordinate %2: ").arg(t).arg(d);
            QVERIFY2(std::abs(mean - wantMean) <= 5.0 * wantStd / std::sqrt(double(n)),
                     qPrintable(at + "mean " + str(mean) + " vs " + str(wantMean)));
            QVERIFY2(std::abs(sd - wantStd) <= 5.0 * wantStd / std::sqrt(2.0 * n),
                     qPrintable(at + "std " + str(sd) + " vs " + str(wantStd)));
        }
    }
}

void TestSchedule::posteriorMean_data() { forwardProcess_data(); }

// mutilde_t in its x0 and eps forms (docs/reference/schedules.md#forward-process-and-posterior) agree
// for x_t built from the same x0 and eps.
void TestSchedule::posteriorMean()
{
    QFETCH(NoiseSchedule, schedule);
    ss::Rng rng(7);
    for (int t = 1; t <= schedule.numLevels(); ++t) {
        const double ab = schedule.alphaBar(t), abPrev = schedule.alphaBar(t - 1);
        const double b = schedule.betas()[t], a = schedule.alpha(t);
        for (int rep = 0; rep < 20; ++rep) {
            const Eigen::Vector2d x0(3.0 * rng.normal(), 3.0 * rng.normal());
            const Eigen::Vector2d eps(rng.normal(), rng.normal());
            const Eigen::Vector2d xt = std::sqrt(ab) * x0 + std::sqrt(1.0 - ab) * eps;
            const Eigen::Vector2d viaX0 = std::sqrt(abPrev) * b / (1.0 - ab) * x0
                                        + std::sqrt(a) * (1.0 - abPrev) / (1.0 - ab) * xt;
            const Eigen::Vector2d viaEps = (xt - b / std::sqrt(1.0 - ab) * eps) / std::sqrt(a);
            // 1/sqrt(alpha) <= 32 amplifies rounding at the clipped last step.
            QVERIFY2((viaX0 - viaEps).norm() <= 1e-12 * (1.0 + x0.norm() + eps.norm()) / std::sqrt(a),
                     qPrintable(QString("t = %1: |diff| = %2").arg(t).arg(str((viaX0 - viaEps).norm()))));
        }
    }
}

// ---- refused inputs ---------------------------------------------------------

void TestSchedule::badInputs_data()
{
    QTest::addColumn<Action>("action");
    QTest::addColumn<QString>("phrase");
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> seventeen(17, 0.01);
    seventeen[16] = 1.2;

    QTest::newRow("geometric negative min") << Action([] { NoiseSchedule::geometric(-1, 10, 10); })
                                            << "sigma_min must be positive and finite (got -1)";
    QTest::newRow("geometric infinite max") << Action([=] { NoiseSchedule::geometric(0.1, inf, 10); })
                                            << "sigma_max must be positive and finite (got inf)";
    QTest::newRow("geometric min above max") << Action([] { NoiseSchedule::geometric(5, 1, 10); })
                                             << "sigma_min (5) must be below sigma_max (1)";
    QTest::newRow("geometric min equals max") << Action([] { NoiseSchedule::geometric(1, 1, 5); })
                                              << "sigma_min (1) must be below sigma_max (1)";
    QTest::newRow("geometric zero levels") << Action([] { NoiseSchedule::geometric(0.01, 10, 0); })
                                           << "need at least 1 level (got 0)";
    QTest::newRow("geometric too many levels") << Action([] { NoiseSchedule::geometric(0.01, 10, 10001); })
                                               << "at most 10000 levels";
    QTest::newRow("geometric levels coincide") << Action([] { NoiseSchedule::geometric(1, 1 + 1e-15, 10000); })
                                               << "have the same sigma";
    QTest::newRow("sigma levels empty") << Action([] { NoiseSchedule::sigmaLevels({}); })
                                        << "need at least 1 level (got 0)";
    QTest::newRow("sigma levels not decreasing") << Action([] { NoiseSchedule::sigmaLevels({1.0, 0.4, 0.5}); })
                                                 << "strictly decreasing: sigma_3 = 0.5 is not below sigma_2 = 0.4";
    QTest::newRow("sigma levels repeated") << Action([] { NoiseSchedule::sigmaLevels({1.0, 1.0}); })
                                           << "sigma_2 = 1 is not below sigma_1 = 1";
    QTest::newRow("sigma levels negative") << Action([] { NoiseSchedule::sigmaLevels({1.0, -0.5}); })
                                           << "sigma_2 = -0.5 must be positive and finite";
    QTest::newRow("sigma levels nan") << Action([=] { NoiseSchedule::sigmaLevels({1.0, nan}); })
                                      << "must be positive and finite";
    QTest::newRow("ve zero min") << Action([] { NoiseSchedule::veContinuous(0, 1); })
                                 << "sigma_min must be positive and finite (got 0)";
    QTest::newRow("ve equal ends") << Action([] { NoiseSchedule::veContinuous(2, 2); })
                                   << "sigma_min (2) must be below sigma_max (2)";
    QTest::newRow("linear T 0") << Action([] { NoiseSchedule::ddpmLinear(0); })
                                << "T must be in [1, 100000] (got 0)";
    QTest::newRow("linear T too big") << Action([] { NoiseSchedule::ddpmLinear(100001); }) << "(got 100001)";
    QTest::newRow("linear rescaled beta >= 1") << Action([] { NoiseSchedule::ddpmLinear(10); })
                                               << "beta_T = 2 (rescaled by 1000/T for T = 10) must be in (0, 1)";
    QTest::newRow("linear beta above 1") << Action([] { NoiseSchedule::ddpmLinear(100, 1e-4, 1.5, false); })
                                         << "beta_T = 1.5 must be in (0, 1)";
    QTest::newRow("linear negative beta1") << Action([] { NoiseSchedule::ddpmLinear(100, -1e-4, 0.02); })
                                           << "beta_1 must be positive and finite (got -0.0001)";
    QTest::newRow("linear swapped") << Action([] { NoiseSchedule::ddpmLinear(100, 0.02, 1e-4, false); })
                                    << "beta_1 (0.02) must not exceed beta_T (0.0001)";
    QTest::newRow("linear underflow") << Action([] { NoiseSchedule::ddpmLinear(100000, 1e-4, 0.02, false); })
                                      << "underflows to 0";
    QTest::newRow("cosine T 0") << Action([] { NoiseSchedule::ddpmCosine(0); }) << "T must be in [1, 100000]";
    QTest::newRow("cosine s 0") << Action([] { NoiseSchedule::ddpmCosine(100, 0.0); })
                                << "cosine offset s must be positive and finite (got 0)";
    QTest::newRow("cosine s nan") << Action([=] { NoiseSchedule::ddpmCosine(100, nan); })
                                  << "cosine offset s must be positive and finite";
    QTest::newRow("betas empty") << Action([] { NoiseSchedule::ddpmBetas({}); }) << "need at least 1 beta (got 0)";
    QTest::newRow("betas 17 too big") << Action([=] { NoiseSchedule::ddpmBetas(seventeen); })
                                      << "beta_17 = 1.2 must be in (0, 1)";
    QTest::newRow("betas zero") << Action([] { NoiseSchedule::ddpmBetas({0.1, 0.0}); })
                                << "beta_2 = 0 must be in (0, 1)";
    QTest::newRow("betas nan") << Action([=] { NoiseSchedule::ddpmBetas({0.1, nan}); }) << "must be in (0, 1)";
    QTest::newRow("betas negligible") << Action([] { NoiseSchedule::ddpmBetas({0.1, 1e-18}); })
                                      << "beta_2 = 1e-18 is too small to change abar";
    QTest::newRow("vp zero beta min") << Action([] { NoiseSchedule::vp(0, 20); })
                                      << "beta_min must be positive and finite (got 0)";
    QTest::newRow("vp max not above min") << Action([] { NoiseSchedule::vp(5, 5); })
                                          << "beta_max (5) must be finite and above beta_min (5)";
    QTest::newRow("sub-vp infinite max") << Action([=] { NoiseSchedule::subVp(0.1, inf); }) << "beta_max (inf)";
    QTest::newRow("vp huge max") << Action([] { NoiseSchedule::vp(0.1, 5000); }) << "must be at most 1000";
    QTest::newRow("curve one point") << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}}); })
                                     << "at least 2 control points (got 1)";
    QTest::newRow("curve u not from 0") << Action([] { NoiseSchedule::customCurve({{0.1, 0.0}, {1.0, 1.0}}); })
                                        << "curve point 1: u must be 0 at the first point (got 0.1)";
    QTest::newRow("curve u not to 1") << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}, {0.9, 1.0}}); })
                                      << "curve point 2: u must be 1 at the last point (got 0.9)";
    QTest::newRow("curve u not increasing")
        << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}, {0.5, 1.0}, {0.4, 2.0}, {1.0, 3.0}}); })
        << "point 3 (u = 0.4) is not above point 2 (u = 0.5)";
    QTest::newRow("curve log sigma flat")
        << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}, {0.5, 1.0}, {1.0, 1.0}}); })
        << "log sigma must be strictly increasing: curve point 3";
    QTest::newRow("curve log sigma huge") << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}, {1.0, 800.0}}); })
                                          << "log sigma must be finite and within [-700, 700] (got 800)";
    QTest::newRow("curve negative levels")
        << Action([] { NoiseSchedule::customCurve({{0.0, 0.0}, {1.0, 1.0}}, -1); })
        << "curve levels must be 0 (continuous) or in [1, 10000] (got -1)";
    QTest::newRow("step size zero") << Action([] { NoiseSchedule().annealedStepSizes(0.0); })
                                    << "eps must be positive and finite (got 0)";
    QTest::newRow("kl covariance not psd")
        << Action([] { NoiseSchedule().priorMismatchKl(Eigen::Vector2d::Zero(), Eigen::Matrix2d{{1.0, 2.0}, {2.0, 1.0}}); })
        << "positive semi-definite";
    QTest::newRow("kl covariance asymmetric")
        << Action([] { NoiseSchedule().priorMismatchKl(Eigen::Vector2d::Zero(), Eigen::Matrix2d{{1.0, 0.5}, {0.0, 1.0}}); })
        << "must be symmetric";
}

void TestSchedule::badInputs()
{
    QFETCH(Action, action);
    QFETCH(QString, phrase);
    try {
        action();
    } catch (const ss::InputError& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(phrase), qPrintable("message \"" + message + "\" lacks \"" + phrase + "\""));
        QVERIFY2(!message.contains('\n'), "message is not one line");
        return;
    }
    QFAIL("no ss::InputError thrown");
}

void TestSchedule::outOfRange()
{
    const NoiseSchedule s;
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, s.level(0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, s.level(11));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, NoiseSchedule::vp().level(1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, NoiseSchedule::ddpmLinear(100).alphaBar(101));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, NoiseSchedule::ddpmLinear(100).betaTilde(0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, s.at(std::numeric_limits<double>::quiet_NaN()));
}

// ---- prior mismatch ---------------------------------------------------------

void TestSchedule::priorMismatchExact()
{
    // Data N(0, I) under a VP kind: the final marginal is N(0, (mean^2 + std^2) I)
    // = N(0, I), exactly the prior, even though mean > 0.
    const Eigen::Matrix2d I = Eigen::Matrix2d::Identity();
    for (const NoiseSchedule& s : {NoiseSchedule::vp(), NoiseSchedule::vp(0.1, 2.0), NoiseSchedule::ddpmLinear(1000),
                                   NoiseSchedule::ddpmCosine(200), NoiseSchedule::ddpmBetas({0.1, 0.2})}) {
        const double kl = s.priorMismatchKl(Eigen::Vector2d::Zero(), I);
        QVERIFY2(kl >= 0.0 && kl < 1e-12, qPrintable(QString::fromStdString(s.name()) + ": " + str(kl)));
    }
    // With a data mean mu the only term left is |mean mu|^2 / 2.
    const NoiseSchedule weak = NoiseSchedule::vp(0.1, 2.0);
    const Eigen::Vector2d mu(1.0, -2.0);
    const double m = weak.noisiest().marginal.mean;
    QVERIFY(near(weak.priorMismatchKl(mu, I), 0.5 * m * m * mu.squaredNorm(), 1e-12));
}

void TestSchedule::priorMismatchVe()
{
    // Unit data under VE: KL = 1/sigma^2 - ln(1 + 1/sigma^2), positive and
    // decreasing in sigma_max.
    double previous = std::numeric_limits<double>::infinity();
    for (double sigmaMax : {1.0, 2.0, 5.0, 10.0, 50.0, 100.0}) {
        const NoiseSchedule s = NoiseSchedule::geometric(0.01, sigmaMax, 10);
        const double kl = s.priorMismatchKl(Eigen::Vector2d::Zero(), Eigen::Matrix2d::Identity());
        const double r = 1.0 / (sigmaMax * sigmaMax);
        QVERIFY2(near(kl, r - std::log1p(r), 1e-9), qPrintable(str(kl)));
        QVERIFY(kl > 0.0);
        QVERIFY(kl < previous);
        previous = kl;
        QVERIFY(near(NoiseSchedule::veContinuous(0.01, sigmaMax).priorMismatchKl(Eigen::Vector2d::Zero(),
                                                                                  Eigen::Matrix2d::Identity()),
                     kl, 1e-12));
    }
}

void TestSchedule::priorMismatchGeneral()
{
    // Against the textbook formula with matrix inverse and determinants.
    const Eigen::Vector2d mu(0.5, 2.0);
    const Eigen::Matrix2d cov{{2.0, 0.6}, {0.6, 0.5}};
    for (const NoiseSchedule& s : {NoiseSchedule::subVp(), NoiseSchedule::ddpmCosine(30), NoiseSchedule(),
                                   NoiseSchedule::customCurve(testCurve())}) {
        const ss::Marginal m = s.noisiest().marginal;
        const Eigen::Matrix2d S0 = m.mean * m.mean * cov + m.std * m.std * Eigen::Matrix2d::Identity();
        const Eigen::Matrix2d S1 = s.priorStd() * s.priorStd() * Eigen::Matrix2d::Identity();
        const Eigen::Vector2d m0 = m.mean * mu;
        const double want = 0.5 * ((S1.inverse() * S0).trace() + m0.dot(S1.inverse() * m0) - 2.0
                                   + std::log(S1.determinant() / S0.determinant()));
        QVERIFY2(near(s.priorMismatchKl(mu, cov), want, 1e-10, 1e-14), qPrintable(QString::fromStdString(s.name())));
    }
}

QTEST_APPLESS_MAIN(TestSchedule)
#include "tst_schedule.moc"
