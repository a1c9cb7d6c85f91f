// Hand-written gradients against finite differences (double precision).
//
// Overview: for every objective x activation (and a few model variants: noise
// embedding, labels, epsilon parametrisation, VLB weights, continuous VP), a
// small double-precision network draws a fixed batch; the analytic gradient
// from Objective::accumulate (computed in two chunks, as the trainer does) is
// compared with central differences of the loss in every parameter. The
// tangent pass (J v) is compared with differences of the network output, and
// the float32 build with the double one.
// How to add a case: add a row in objectiveGradient_data() with a Case.
#include "core/Dataset.h"
#include "core/Mlp.h"
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/ScoreNet.h"

#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;

namespace {

struct Case {
    ObjectiveConfig objective;
    ModelConfig model;
    NoiseSchedule schedule;
};

Dataset smallData(bool labelled)
{
    Dataset d;
    d.name = "test";
    d.points.resize(2, 6);
    d.points << -1.0, 0.5, 2.0, -0.3, 1.2, 0.1, 0.4, -1.5, 0.7, 1.1, -0.2, 2.2;
    if (labelled) {
        d.labels = {0, 1, 2, 0, 1, 2};
        d.numClasses = 3;
    }
    return d;
}

ModelConfig smallModel(Activation a)
{
    ModelConfig m;
    m.hidden = {7, 5};
    m.activation = a;
    m.seed = 11;
    return m;
}

double lossOf(const Objective& obj, const ScoreNetT<double>& net, BatchT<double> batch)
{
    ObjectiveWorkspace<double> ws;
    Eigen::VectorXd g = Eigen::VectorXd::Zero(net.mlp().numParams());
    return obj.accumulate(net, batch, 0, batch.size, ws, g);
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestGradients : public QObject {
    Q_OBJECT
private slots:
    void objectiveGradient_data();
    void objectiveGradient();
    void tangentPass_data();
    void tangentPass();
    void floatMatchesDouble();
    void sharedTransposesMatch();
};

void TestGradients::objectiveGradient_data()
{
    QTest::addColumn<Case>("c");
    const auto geometric = NoiseSchedule::geometric(0.1, 3.0, 5);
    const auto ddpm = NoiseSchedule::ddpmLinear(50);
    const auto vp = NoiseSchedule::vp();
    const std::pair<const char*, Activation> acts[] = {{"silu", Activation::SiLU},
                                                       {"softplus", Activation::Softplus},
                                                       {"tanh", Activation::Tanh},
                                                       {"relu", Activation::ReLU}};
    const std::pair<const char*, ObjectiveKind> kinds[] = {
        {"dsm", ObjectiveKind::Dsm}, {"ncsn", ObjectiveKind::Ncsn}, {"ddpm", ObjectiveKind::Ddpm},
        {"ism", ObjectiveKind::Ism}, {"ssm", ObjectiveKind::Ssm},   {"ssm-vr", ObjectiveKind::SsmVr}};
    for (auto [an, a] : acts)
        for (auto [kn, k] : kinds) {
            Case c{ObjectiveConfig{}, smallModel(a), k == ObjectiveKind::Ddpm ? ddpm : geometric};
            c.objective.kind = k;
            c.objective.sigma = 0.3;
            c.objective.projections = 2;
            if (k == ObjectiveKind::Ddpm) {
                c.model.parametrisation = Parametrisation::Epsilon;
                c.model.conditioning = NoiseConditioning::Time;
            }
            QTest::newRow((std::string(kn) + "/" + an).c_str()) << c;
        }
    // Variants: inputs and outputs that change the loss head or the encoding.
    Case emb{ObjectiveConfig{}, smallModel(Activation::SiLU), vp};
    emb.model.embeddingFrequencies = 3;
    emb.model.conditioning = NoiseConditioning::Time;
    QTest::newRow("ncsn/continuous-vp/embedding") << emb;
    Case labels{ObjectiveConfig{}, smallModel(Activation::SiLU), geometric};
    labels.model.numClasses = 3;
    labels.objective.labelDropout = 0.3;
    QTest::newRow("ncsn/labels") << labels;
    Case vlb{ObjectiveConfig{}, smallModel(Activation::SiLU), ddpm};
    vlb.objective.kind = ObjectiveKind::Ddpm;
    vlb.objective.vlbWeights = true;
    vlb.model.parametrisation = Parametrisation::Epsilon;
    QTest::newRow("ddpm/vlb-weights") << vlb;
    Case ismScore{ObjectiveConfig{}, smallModel(Activation::Tanh), geometric};
    ismScore.objective.kind = ObjectiveKind::Ism;
    ismScore.objective.sigma = 0.0;
    ismScore.model.parametrisation = Parametrisation::Score;
    ismScore.model.conditioning = NoiseConditioning::None;
    QTest::newRow("ism/clean-data/score") << ismScore;
    // Every parametrisation's output map (score = a x + b F(inScale x)) under
    // the multi-level regression, ism's trace (2a + b tr J_F) and ssm's v^T J v.
    for (Parametrisation p : {Parametrisation::X0, Parametrisation::V, Parametrisation::Velocity,
                              Parametrisation::Edm, Parametrisation::Score})
        for (ObjectiveKind k : {ObjectiveKind::Ncsn, ObjectiveKind::Dsm, ObjectiveKind::Ism, ObjectiveKind::Ssm}) {
            Case c{ObjectiveConfig{}, smallModel(Activation::SiLU), k == ObjectiveKind::Ncsn ? vp : geometric};
            c.objective.kind = k;
            c.objective.sigma = 0.3;
            c.objective.projections = 2;
            c.model.parametrisation = p;
            c.model.sigmaData = 0.7;
            QTest::newRow((parametrisationName(p) + "/" + objectiveName(k)).c_str()) << c;
        }
    // Weightings (each a per-level weight on the regression).
    for (Weighting w : explicitWeightings()) {
        Case c{ObjectiveConfig{}, smallModel(Activation::SiLU), ddpm};
        c.objective.kind = ObjectiveKind::Ddpm;
        c.objective.weighting = w;
        c.objective.minSnrGamma = 2.0;
        c.model.parametrisation = Parametrisation::V;
        c.model.conditioning = NoiseConditioning::Time;
        c.model.sigmaData = 0.7;
        QTest::newRow(("ddpm/v/" + weightingName(w)).c_str()) << c;
    }
    Case ssmRad{ObjectiveConfig{}, smallModel(Activation::Softplus), geometric};
    ssmRad.objective.kind = ObjectiveKind::Ssm;
    ssmRad.objective.projection = Projection::Rademacher;
    ssmRad.objective.projections = 3;
    QTest::newRow("ssm/rademacher") << ssmRad;
}

void TestGradients::objectiveGradient()
{
    QFETCH(Case, c);
    const Dataset data = smallData(c.model.numClasses > 0);
    const Objective obj(c.objective, c.schedule, c.model);
    ScoreNetT<double> net(c.model);
    Rng rng(5);
    BatchT<double> batch;
    obj.draw(data, net, 9, rng, batch);

    // Analytic: two uneven chunks, as the trainer splits a batch.
    ObjectiveWorkspace<double> ws;
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(net.mlp().numParams());
    BatchT<double> b2 = batch;
    const double loss = obj.accumulate(net, b2, 0, 4, ws, grad) + obj.accumulate(net, b2, 4, 9, ws, grad);
    QVERIFY(std::isfinite(loss));
    QVERIFY(std::abs(loss - lossOf(obj, net, batch)) < 1e-12 * (1 + std::abs(loss)));

    // Central differences in every parameter. Tolerance: h = 1e-5 gives a
    // truncation error ~h^2 |f'''| ~ 1e-9 relative; 1e-6 leaves room for
    // round-off (~1e-16 / h ~ 1e-11) while catching any missing term.
    const double h = 1e-5;
    double worst = 0;
    Eigen::Index worstAt = -1;
    for (Eigen::Index i = 0; i < grad.size(); ++i) {
        ScoreNetT<double> plus = net, minus = net;
        plus.mlp().params()[i] += h;
        minus.mlp().params()[i] -= h;
        const double fd = (lossOf(obj, plus, batch) - lossOf(obj, minus, batch)) / (2 * h);
        const double err = std::abs(fd - grad[i]) / (1e-4 + std::abs(fd) + std::abs(grad[i]));
        if (err > worst) {
            worst = err;
            worstAt = i;
        }
    }
    if (worst > 1e-6)
        qWarning("worst relative error %.3g at parameter %lld (analytic %.10g)", worst, (long long)worstAt,
                 grad[worstAt]);
    QVERIFY2(worst < 1e-6, "analytic gradient disagrees with central differences");
}

void TestGradients::tangentPass_data()
{
    QTest::addColumn<int>("activation");
    QTest::newRow("silu") << int(Activation::SiLU);
    QTest::newRow("softplus") << int(Activation::Softplus);
    QTest::newRow("tanh") << int(Activation::Tanh);
    QTest::newRow("relu") << int(Activation::ReLU);
}

void TestGradients::tangentPass()
{
    QFETCH(int, activation);
    const MlpT<double> net({3, 9, 6, 2}, Activation(activation), 3);
    Rng rng(9);
    const int B = 7, K = 2;
    Eigen::MatrixXd x(3, B), xdot(3, K * B);
    for (double* p = x.data(); p != x.data() + x.size(); ++p) *p = rng.normal();
    for (double* p = xdot.data(); p != xdot.data() + xdot.size(); ++p) *p = rng.normal();
    MlpT<double>::Tape tape;
    net.forward(x, xdot, K, tape);
    Eigen::MatrixXd scratch[2];
    const double h = 1e-6;
    for (int k = 0; k < K; ++k) {
        Eigen::MatrixXd yp(2, B), ym(2, B);
        net.evaluate(x + h * xdot.middleCols(k * B, B), yp, scratch);
        net.evaluate(x - h * xdot.middleCols(k * B, B), ym, scratch);
        const Eigen::MatrixXd fd = (yp - ym) / (2 * h);
        const Eigen::MatrixXd jv = tape.output.middleCols((1 + k) * B, B);
        QVERIFY2((fd - jv).cwiseAbs().maxCoeff() < 1e-7 * (1 + jv.cwiseAbs().maxCoeff()),
                 "J v from the tangent pass disagrees with central differences");
    }
    // The primal columns equal plain evaluation.
    Eigen::MatrixXd y(2, B);
    net.evaluate(x, y, scratch);
    QVERIFY((y - tape.output.leftCols(B)).cwiseAbs().maxCoeff() < 1e-12);
}

void TestGradients::floatMatchesDouble()
{
    // The float32 build computes the same gradient as the checked double one,
    // to float precision (relative 1e-3 of the largest entry). Widths 7 and 5
    // take the float fallback paths; 32 and 16 the AVX2 kernels with the SiLU
    // (and its derivatives, for ISM/SSM's tangents) fused into the product.
    for (std::vector<int> hidden : {std::vector<int>{7, 5}, std::vector<int>{32, 16}})
    for (auto kind : {ObjectiveKind::Ncsn, ObjectiveKind::Ism, ObjectiveKind::Ssm}) {
        ObjectiveConfig oc;
        oc.kind = kind;
        ModelConfig mc = smallModel(Activation::SiLU);
        mc.hidden = hidden;
        const auto schedule = NoiseSchedule::geometric(0.1, 3.0, 5);
        const Objective obj(oc, schedule, mc);
        const Dataset data = smallData(false);
        ScoreNetT<double> netD(mc);
        ScoreNetT<float> netF = netD.cast<float>();
        Rng r1(3), r2(3);
        BatchT<double> bd;
        BatchT<float> bf;
        obj.draw(data, netD, 16, r1, bd);
        obj.draw(data, netF, 16, r2, bf);
        ObjectiveWorkspace<double> wd;
        ObjectiveWorkspace<float> wf;
        Eigen::VectorXd gd = Eigen::VectorXd::Zero(netD.mlp().numParams());
        Eigen::VectorXf gf = Eigen::VectorXf::Zero(netF.mlp().numParams());
        const double ld = obj.accumulate(netD, bd, 0, 16, wd, gd);
        const double lf = obj.accumulate(netF, bf, 0, 16, wf, gf);
        QVERIFY(std::abs(ld - lf) < 1e-4 * (1 + std::abs(ld)));
        QVERIFY((gd - gf.cast<double>()).cwiseAbs().maxCoeff() < 1e-3 * gd.cwiseAbs().maxCoeff());
    }
}

void TestGradients::sharedTransposesMatch()
{
    // The trainer hands wide backward passes W^T made once per step; the
    // gradient must be the same, bit for bit, as when backward makes its own.
    const MlpT<float> net({3, 64, 64, 2}, Activation::SiLU, 4);
    Rng rng(2);
    const int B = 96;
    Eigen::MatrixXf x(3, B), gOut(2, B);
    for (float* p = x.data(); p != x.data() + x.size(); ++p) *p = float(rng.normal());
    for (float* p = gOut.data(); p != gOut.data() + gOut.size(); ++p) *p = float(rng.normal());
    std::vector<Eigen::MatrixXf> transposes;
    net.transposeWeights(transposes);
    Eigen::VectorXf own = Eigen::VectorXf::Zero(net.numParams()), shared = own;
    MlpT<float>::Tape tape;
    net.forward(x, Eigen::MatrixXf(3, 0), 0, tape);
    net.backward(tape, gOut, own);
    tape.transposes = &transposes;
    net.forward(x, Eigen::MatrixXf(3, 0), 0, tape);
    net.backward(tape, gOut, shared);
    QVERIFY(own == shared);
    QVERIFY(own.cwiseAbs().maxCoeff() > 0);
}

QTEST_APPLESS_MAIN(TestGradients)
#include "tst_gradients.moc"
