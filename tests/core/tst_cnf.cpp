// Continuous normalizing flows (core/Cnf.h, CnfTrainer.h, CnfFile.h) against
// ground truth:
//  - divergenceMatchesFiniteDifferences: the exact divergence (two tangent
//    passes) equals central differences of the velocity (double net, 1e-7).
//  - hutchinsonUnbiased (rows gaussian, rademacher): over 40,000 single-probe
//    draws the mean is the exact trace (within 4 standard errors) and the
//    sample variance is the formula of hutchinsonVariance (within 5%).
//  - backpropMatchesFiniteDifferences (rows exact, hutchinson): the backprop
//    gradient of the discrete RK4 loss equals central differences of that loss
//    for every parameter and input (double net, rel. 1e-6); its NLL equals
//    cnfLogDensity's (the same tableau as OdeSolver).
//  - adjointMatchesBackprop: at 32 RK4 steps the adjoint and backprop
//    gradients agree to 1e-6 relative (the adjoint's reverse solve is exact
//    only as the step goes to 0); rk45 (rtol 1e-9) too.
//  - densityIntegratesToOne: a random, far-from-identity flow's density sums
//    to 1 +- 0.01 on a grid.
//  - trainsToGaussianNll: trained on N((1,-0.5), 0.7^2 I) it reaches the
//    analytic NLL of held-out points within 0.05 nats; its samples' mean and
//    std match the data's.
//  - nonFiniteStepSkipped: a batch whose flow goes non-finite is not applied; the
//    weights stay, the learning rate halves.
//  - fileRoundTrip / fileRefusesBadInput: save/load bit-exact, strict reading.
#include "core/Cnf.h"
#include "core/CnfFile.h"
#include "core/CnfTrainer.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "core/Rng.h"

#include <QtTest>

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <numbers>

using namespace ss;

namespace {

CnfNetT<double> smallNet(double scale = 1)
{
    CnfConfig c;
    c.hidden = {8, 8};
    c.seed = 5;
    CnfNetT<double> net(c);
    net.mlp().params() *= scale;
    return net;
}

Eigen::Matrix2Xd somePoints(int n, std::uint64_t seed)
{
    Rng rng(seed);
    Eigen::Matrix2Xd x(2, n);
    for (Eigen::Index j = 0; j < x.size(); ++j) x.data()[j] = 1.2 * rng.normal();
    return x;
}

double maxRelative(const Eigen::VectorXd& a, const Eigen::VectorXd& b)
{
    return (a - b).cwiseAbs().maxCoeff() / std::max(1e-12, b.cwiseAbs().maxCoeff());
}

} // namespace

class TestCnf : public QObject {
    Q_OBJECT
private slots:
    void divergenceMatchesFiniteDifferences();
    void hutchinsonUnbiased_data();
    void hutchinsonUnbiased();
    void backpropMatchesFiniteDifferences_data();
    void backpropMatchesFiniteDifferences();
    void adjointMatchesBackprop();
    void densityIntegratesToOne();
    void trainsToGaussianNll();
    void nonFiniteStepSkipped();
    void fileRoundTrip();
    void fileRefusesBadInput();
};

void TestCnf::divergenceMatchesFiniteDifferences()
{
    const auto net = smallNet(2);
    const Eigen::Matrix2Xd x = somePoints(5, 1);
    const double t = 0.3, d = 1e-5;
    Rng rng(0);
    const TraceProbes exact = makeProbes(CnfSolveConfig{}, 5, rng);
    CnfNetT<double>::Tape tape;
    Eigen::Matrix2Xd v(2, 5), vp(2, 5), vm(2, 5);
    Eigen::VectorXd div(5);
    net.velocityDivergence(x, t, exact, tape, v, div);
    Eigen::Matrix2Xd direct(2, 5);
    net.velocity(x, t, direct);
    QVERIFY((direct - v).cwiseAbs().maxCoeff() < 1e-12);
    Eigen::VectorXd fd = Eigen::VectorXd::Zero(5);
    for (int i = 0; i < 2; ++i) {
        Eigen::Matrix2Xd xp = x, xm = x;
        xp.row(i).array() += d;
        xm.row(i).array() -= d;
        net.velocity(xp, t, vp);
        net.velocity(xm, t, vm);
        fd += ((vp.row(i) - vm.row(i)) / (2 * d)).transpose();
    }
    QVERIFY2((fd - div).cwiseAbs().maxCoeff() < 1e-7, qPrintable(QString::number((fd - div).cwiseAbs().maxCoeff())));
    QVERIFY(div.cwiseAbs().maxCoeff() > 0.05); // a field with real divergence
}

void TestCnf::hutchinsonUnbiased_data()
{
    QTest::addColumn<int>("probe");
    QTest::newRow("gaussian") << int(ProbeKind::Gaussian);
    QTest::newRow("rademacher") << int(ProbeKind::Rademacher);
}

void TestCnf::hutchinsonUnbiased()
{
    QFETCH(int, probe);
    const auto net = smallNet(4);
    const Eigen::Matrix2Xd x = somePoints(1, 2);
    const int draws = 40000;
    // One column per draw, all at the same point: the probes differ per column.
    const Eigen::Matrix2Xd xs = x.replicate(1, draws);
    CnfSolveConfig solve;
    solve.trace = TraceEstimator::Hutchinson;
    solve.probe = ProbeKind(probe);
    solve.probes = 1;
    Rng rng(9);
    const TraceProbes probes = makeProbes(solve, draws, rng);
    CnfNetT<double>::Tape tape;
    Eigen::Matrix2Xd v(2, draws);
    Eigen::VectorXd est(draws);
    net.velocityDivergence(xs, 0.6, probes, tape, v, est);
    const Eigen::Vector4d J = net.jacobian(x, 0.6).col(0);
    const double exact = J(0) + J(3);
    const double mean = est.mean();
    const double var = (est.array() - mean).square().sum() / (draws - 1);
    const double formula = hutchinsonVariance(J, ProbeKind(probe), 1);
    QVERIFY2(std::abs(mean - exact) < 4 * std::sqrt(formula / draws) + 1e-12,
             qPrintable(QString("mean %1 exact %2").arg(mean).arg(exact)));
    QVERIFY2(std::abs(var - formula) < 0.05 * formula, qPrintable(QString("var %1 formula %2").arg(var).arg(formula)));
    QVERIFY2(formula > 1e-3, qPrintable(QString("J %1 %2 %3 %4").arg(J(0)).arg(J(1)).arg(J(2)).arg(J(3)))); // not vacuous
}

void TestCnf::backpropMatchesFiniteDifferences_data()
{
    QTest::addColumn<bool>("hutchinson");
    QTest::newRow("exact") << false;
    QTest::newRow("hutchinson") << true;
}

void TestCnf::backpropMatchesFiniteDifferences()
{
    QFETCH(bool, hutchinson);
    auto net = smallNet(1.5);
    const Eigen::Matrix2Xd x = somePoints(3, 3);
    CnfSolveConfig solve;
    solve.gradient = CnfGradient::Backprop;
    solve.method = OdeMethod::Rk4;
    solve.steps = 4;
    solve.trace = hutchinson ? TraceEstimator::Hutchinson : TraceEstimator::Exact;
    solve.probes = 2;
    Rng rng(4);
    const TraceProbes probes = makeProbes(solve, 3, rng);
    const CnfGradientResult g = cnfLossGradient(net, x, solve, probes);
    if (!hutchinson) {
        Rng unused(0);
        const double nll = -cnfLogDensity(net, x, solve, unused).logDensity.mean();
        QVERIFY2(std::abs(nll - g.loss) < 1e-12, qPrintable(QString("%1 vs %2").arg(nll).arg(g.loss)));
    }
    auto loss = [&](const CnfNetT<double>& n, const Eigen::Matrix2Xd& at) {
        return cnfBackpropGradient(n, at, solve, probes).loss;
    };
    const double d = 1e-6;
    Eigen::VectorXd fd(net.mlp().numParams());
    for (Eigen::Index i = 0; i < fd.size(); ++i) {
        CnfNetT<double> p = net, m = net;
        p.mlp().params()(i) += d;
        m.mlp().params()(i) -= d;
        fd(i) = (loss(p, x) - loss(m, x)) / (2 * d);
    }
    QVERIFY2(maxRelative(g.gradient, fd) < 1e-6, qPrintable(QString::number(maxRelative(g.gradient, fd))));
    Eigen::VectorXd fdx(6);
    for (int i = 0; i < 6; ++i) {
        Eigen::Matrix2Xd p = x, m = x;
        p.data()[i] += d;
        m.data()[i] -= d;
        fdx(i) = (loss(net, p) - loss(net, m)) / (2 * d);
    }
    const Eigen::VectorXd gx = g.inputGradient.reshaped();
    QVERIFY2(maxRelative(gx, fdx) < 1e-6, qPrintable(QString::number(maxRelative(gx, fdx))));
}

void TestCnf::adjointMatchesBackprop()
{
    const auto net = smallNet(1.5);
    const Eigen::Matrix2Xd x = somePoints(4, 6);
    CnfSolveConfig solve;
    solve.method = OdeMethod::Rk4;
    solve.steps = 32;
    Rng rng(0);
    const TraceProbes probes = makeProbes(solve, 4, rng);
    solve.gradient = CnfGradient::Backprop;
    const CnfGradientResult b = cnfLossGradient(net, x, solve, probes);
    solve.gradient = CnfGradient::Adjoint;
    const CnfGradientResult a = cnfLossGradient(net, x, solve, probes);
    QVERIFY2(maxRelative(a.gradient, b.gradient) < 1e-6, qPrintable(QString::number(maxRelative(a.gradient, b.gradient))));
    QVERIFY(maxRelative(a.inputGradient.reshaped(), b.inputGradient.reshaped()) < 1e-6);
    QCOMPARE(a.forwardEvaluations, 128);
    QCOMPARE(a.backwardEvaluations, 128);
    QVERIFY(std::abs(a.loss - b.loss) < 1e-12);
    solve.method = OdeMethod::Rk45;
    solve.rtol = solve.atol = 1e-9;
    const CnfGradientResult r = cnfLossGradient(net, x, solve, probes);
    QVERIFY2(maxRelative(r.gradient, b.gradient) < 1e-6, qPrintable(QString::number(maxRelative(r.gradient, b.gradient))));
    QVERIFY(r.forwardEvaluations > 7 && r.backwardEvaluations > 7);
}

void TestCnf::densityIntegratesToOne()
{
    const auto net = smallNet(3);
    const int n = 100;
    const double lo = -7, hi = 7, cell = (hi - lo) / n;
    Eigen::Matrix2Xd grid(2, n * n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) grid.col(i * n + j) = Eigen::Vector2d(lo + (i + 0.5) * cell, lo + (j + 0.5) * cell);
    CnfSolveConfig solve;
    solve.steps = 16;
    Rng rng(0);
    const CnfDensity d = cnfLogDensity(net, grid, solve, rng);
    const double mass = d.logDensity.array().exp().sum() * cell * cell;
    qInfo("mass %.5f", mass);
    QVERIFY2(std::abs(mass - 1) < 0.01, qPrintable(QString::number(mass)));
    // Not the base density: the flow moves mass (max |log p - log N| over the grid).
    double moved = 0;
    for (Eigen::Index j = 0; j < grid.cols(); ++j)
        moved = std::max(moved, std::abs(d.logDensity(j) - standardNormalLogDensity(grid.col(j))));
    QVERIFY2(moved > 0.5, qPrintable(QString::number(moved)));
}

void TestCnf::trainsToGaussianNll()
{
    const double sigma = 0.7;
    auto data = std::make_shared<const Dataset>(
        makePreset("gaussian", 4000, 1, {{"mean_x", 1.0}, {"mean_y", -0.5}, {"std", sigma}}));
    CnfConfig model;
    model.hidden = {32, 32};
    CnfSolveConfig solve;
    solve.steps = 4;
    OptimizerConfig opt;
    opt.learningRate = 1e-2;
    opt.emaDecay = 0.99;
    CnfTrainerConfig tc;
    tc.batchSize = 128;
    CnfTrainer trainer(data, model, solve, opt, tc);
    CnfStepStats s;
    for (int i = 0; i < 250; ++i) s = trainer.step();
    QCOMPARE(s.forwardEvaluations, 16);
    QCOMPARE(trainer.skippedSteps(), 0);
    // Held-out points: the model's NLL against the true density's on the same points.
    const Dataset test = makePreset("gaussian", 2000, 77, {{"mean_x", 1.0}, {"mean_y", -0.5}, {"std", sigma}});
    double truth = 0;
    for (Eigen::Index j = 0; j < test.points.cols(); ++j)
        truth -= standardNormalLogDensity((test.points.col(j) - Eigen::Vector2d(1.0, -0.5)) / sigma) -
                 2 * std::log(sigma);
    truth /= test.size();
    Rng rng(0);
    const double nll = -cnfLogDensity(trainer.emaNet(), test.points, solve, rng).logDensity.mean();
    qInfo("CNF NLL %.4f, analytic %.4f (entropy %.4f)", nll, truth, 1 + std::log(2 * std::numbers::pi * sigma * sigma));
    QVERIFY2(std::abs(nll - truth) < 0.05, qPrintable(QString("%1 vs %2").arg(nll).arg(truth)));
    // Samples from N(0, I) carried back to t = 0.
    Rng base(3);
    Eigen::Matrix2Xd z(2, 4000);
    for (Eigen::Index j = 0; j < z.size(); ++j) z.data()[j] = base.normal();
    cnfTransportToData(trainer.emaNet(), z, solve);
    const Eigen::Vector2d mean = z.rowwise().mean();
    QVERIFY2((mean - Eigen::Vector2d(1.0, -0.5)).norm() < 0.05, qPrintable(QString("%1 %2").arg(mean(0)).arg(mean(1))));
    const double std0 = std::sqrt((z.row(0).array() - mean(0)).square().mean());
    QVERIFY2(std::abs(std0 - sigma) < 0.05, qPrintable(QString::number(std0)));
}

void TestCnf::nonFiniteStepSkipped()
{
    auto data = std::make_shared<Dataset>();
    data->name = "far";
    data->points = Eigen::Matrix2Xd::Constant(2, 4, std::numeric_limits<double>::infinity());
    CnfConfig model;
    model.hidden = {8};
    CnfTrainerConfig tc;
    tc.batchSize = 4;
    CnfTrainer trainer(data, model, CnfSolveConfig{}, {}, tc);
    const Eigen::VectorXf before = trainer.net().mlp().params();
    const double lr = trainer.optimizer().config().learningRate;
    const CnfStepStats s = trainer.step();
    QVERIFY(s.skipped);
    QCOMPARE(trainer.skippedSteps(), 1);
    QCOMPARE(s.step, 0);
    QVERIFY(trainer.net().mlp().params() == before);
    QCOMPARE(trainer.optimizer().config().learningRate, lr / 2);
    QVERIFY_THROWS_EXCEPTION(InputError, CnfTrainer(std::make_shared<Dataset>(), model, CnfSolveConfig{}));
}

void TestCnf::fileRoundTrip()
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 300, 1));
    CnfConfig model;
    model.hidden = {16, 16};
    CnfSolveConfig solve;
    solve.trace = TraceEstimator::Hutchinson;
    solve.probes = 3;
    solve.probe = ProbeKind::Rademacher;
    solve.method = OdeMethod::Euler;
    solve.steps = 5;
    solve.gradient = CnfGradient::Backprop;
    CnfTrainerConfig tc;
    tc.batchSize = 32;
    CnfTrainer trainer(data, model, solve, {}, tc);
    for (int i = 0; i < 3; ++i) trainer.step();
    const CnfModel m = cnfModelOf(trainer);
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.json").toStdString();
    saveCnfModel(path, m);
    const CnfModel r = loadCnfModel(path);
    QVERIFY(r.model == m.model);
    QVERIFY(r.solve == m.solve);
    QVERIFY(r.optimizer == m.optimizer);
    QCOMPARE(r.step, 3);
    QCOMPARE(r.dataName, std::string("8gaussians"));
    QVERIFY(r.params == m.params);
    QVERIFY(r.ema == m.ema);
    QVERIFY(r.net(false).mlp().params() == trainer.net().mlp().params());
}

void TestCnf::fileRefusesBadInput()
{
    const CnfModel m;
    const std::string good = cnfModelToJsonText(m);
    QVERIFY(cnfModelFromJsonText(good, "f").params.size() == CnfConfig{}.numParams());
    auto refused = [](const std::string& text, const char* needle) {
        try {
            cnfModelFromJsonText(text, "f.json");
        } catch (const InputError& e) {
            return std::string(e.what()).find(needle) != std::string::npos;
        }
        return false;
    };
    auto edit = [&](auto f) -> std::string {
        nlohmann::json j = nlohmann::json::parse(good);
        f(j);
        return j.dump();
    };
    QVERIFY(refused("{", "f.json"));
    QVERIFY(refused(edit([](auto& j) { j["format"] = "scorescope-model"; }), "format"));
    QVERIFY(refused(edit([](auto& j) { j["version"] = 99; }), "newer"));
    QVERIFY(refused(edit([](auto& j) { j["solve"]["trace"] = "exactly"; }), "trace"));
    QVERIFY(refused(edit([](auto& j) { j["solve"]["probes"] = 0; }), "probes"));
    QVERIFY(refused(edit([](auto& j) { j["model"]["hidden"] = nlohmann::json::array({0}); }), "hidden"));
    QVERIFY(refused(edit([](auto& j) { j["params"].erase(0); }), "params"));
    QVERIFY(refused(edit([](auto& j) { j["extra"] = 1; }), "extra"));
}

QTEST_APPLESS_MAIN(TestCnf)
#include "tst_cnf.moc"
