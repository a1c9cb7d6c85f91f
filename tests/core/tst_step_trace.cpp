// The step-through (core/StepTrace.h): for every sampler, the traced parts of
// a followed particle reproduce its real update, their numbers are the
// equation's (the score is the exact score at x; the ODE's weights sum to one),
// and following changes nothing in the run.
#include "core/OdeSolver.h"
#include "core/Presets.h"
#include "core/Sampler.h"
#include "core/ScoreSource.h"
#include "core/StepTrace.h"

#include <QtTest>

#include <memory>

using namespace ss;

Q_DECLARE_METATYPE(ss::SamplerConfig)
Q_DECLARE_METATYPE(ss::NoiseSchedule)

namespace {

std::shared_ptr<const Dataset> eightGaussians() { return std::make_shared<const Dataset>(makePreset("8gaussians", 500, 3)); }

SamplerConfig configFor(SamplerKind kind)
{
    SamplerConfig c;
    c.kind = kind;
    c.particles = 64;
    c.seed = 11;
    return c;
}

double relativeGap(const Eigen::Vector2d& a, const Eigen::Vector2d& b) { return (a - b).norm() / std::max(1.0, b.norm()); }

} // namespace

class TestStepTrace : public QObject {
    Q_OBJECT
private slots:
    void traceReproducesTheStep_data();
    void traceReproducesTheStep();
    void followingChangesNothing();
    void langevinNumbersAreTheEquations();
    void odeWeightsSumToOne();
    void followSelection();
    void describedLines();
};

void TestStepTrace::traceReproducesTheStep_data()
{
    QTest::addColumn<SamplerConfig>("config");
    QTest::addColumn<NoiseSchedule>("schedule");
    QTest::addColumn<int>("partsPerStep"); // -1: not checked
    const NoiseSchedule ve = NoiseSchedule::geometric(0.05, 4.0, 10);
    const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(100);
    const NoiseSchedule vp = NoiseSchedule::vp();

    SamplerConfig langevin = configFor(SamplerKind::Langevin);
    langevin.langevinStd = 0.3;
    langevin.stepSize = 0.01;
    QTest::newRow("langevin") << langevin << ve << 1;
    SamplerConfig annealed = configFor(SamplerKind::AnnealedLangevin);
    annealed.stepSize = 1e-4;
    annealed.stepsPerLevel = 5;
    QTest::newRow("annealed") << annealed << ve << 1;
    QTest::newRow("ddpm") << configFor(SamplerKind::Ddpm) << ddpm << 1;
    SamplerConfig ddpmTilde = configFor(SamplerKind::Ddpm);
    ddpmTilde.ddpmVariance = DdpmVariance::BetaTilde;
    QTest::newRow("ddpm beta-tilde") << ddpmTilde << ddpm << 1;
    SamplerConfig ddim = configFor(SamplerKind::Ddim);
    ddim.ddimSteps = 10;
    QTest::newRow("ddim eta 0") << ddim << ddpm << 1;
    ddim.eta = 0.5;
    QTest::newRow("ddim eta 0.5") << ddim << ddpm << 1;
    SamplerConfig encode = configFor(SamplerKind::Ddim);
    encode.ddimSteps = 10;
    encode.direction = Direction::DataToNoise;
    QTest::newRow("ddim encoding") << encode << ddpm << 1;
    SamplerConfig odeEncode = configFor(SamplerKind::ProbabilityFlow);
    odeEncode.ode = OdeMethod::Heun;
    odeEncode.steps = 30;
    odeEncode.direction = Direction::DataToNoise;
    QTest::newRow("ode encoding") << odeEncode << vp << 3;
    SamplerConfig em = configFor(SamplerKind::ReverseSde);
    em.steps = 50;
    QTest::newRow("em vp") << em << vp << 1;
    QTest::newRow("em ve") << em << NoiseSchedule::veContinuous(0.05, 4.0) << 1;
    for (Predictor p : {Predictor::EulerMaruyama, Predictor::ReverseDiffusion, Predictor::Ancestral}) {
        SamplerConfig pc = configFor(SamplerKind::PredictorCorrector);
        pc.steps = 40;
        pc.predictor = p;
        pc.correctorSteps = 2;
        QTest::newRow(("pc " + predictorName(p)).c_str()) << pc << vp << 3;
    }
    for (OdeMethod m : {OdeMethod::Euler, OdeMethod::Heun, OdeMethod::Rk4, OdeMethod::Rk45}) {
        SamplerConfig ode = configFor(SamplerKind::ProbabilityFlow);
        ode.ode = m;
        ode.steps = 30;
        QTest::newRow(("ode " + odeMethodName(m)).c_str())
            << ode << vp << OdeSolver(m).stagesPerStep() + 1; // the stages, then their sum
    }
    SamplerConfig inpaint = configFor(SamplerKind::Ddpm);
    inpaint.fixCoordinate = 0;
    inpaint.fixValue = 1.0;
    QTest::newRow("ddpm inpainting") << inpaint << ddpm << 2;
}

void TestStepTrace::traceReproducesTheStep()
{
    // Each part's start is the previous part's end (ODE stages aside), the
    // first starts at the particle before the step and the last ends where
    // the sampler put it: to rounding (1e-12 relative).
    QFETCH(SamplerConfig, config);
    QFETCH(NoiseSchedule, schedule);
    QFETCH(int, partsPerStep);
    const auto data = eightGaussians();
    Sampler sampler(config, schedule, std::make_shared<ExactScoreSource>(data), 2);
    if (config.direction == Direction::DataToNoise) sampler.resetFrom(data->points.leftCols(64));
    const std::vector<Eigen::Index> followed{5, 0, 63};
    sampler.follow(followed);
    QVERIFY(sampler.trace().empty());
    for (int k = 0; k < 8 && !sampler.done(); ++k) {
        const Eigen::Matrix2Xd before = sampler.particles();
        QVERIFY(sampler.step());
        QVERIFY(!sampler.diverged());
        const StepTrace& t = sampler.trace();
        QCOMPARE(t.step, sampler.stepsTaken());
        if (partsPerStep > 0) QCOMPARE(int(t.parts.size()), partsPerStep);
        for (std::size_t f = 0; f < followed.size(); ++f) {
            const Eigen::Index j = followed[f];
            Eigen::Vector2d at = before.col(j);
            int moving = 0;
            for (const StepPart& part : t.parts) {
                QCOMPARE(part.particles.size(), followed.size());
                const TracedParticle& p = part.particles[f];
                QCOMPARE(p.index, j);
                QVERIFY(!part.equation.empty());
                if (part.stage) continue;
                ++moving;
                QVERIFY2(relativeGap(p.x, at) < 1e-12, qPrintable(QString::fromStdString(part.title)));
                Eigen::Vector2d sum = p.x;
                for (const TracedTerm& term : p.terms) sum += term.value;
                QVERIFY(relativeGap(sum, p.next) < 1e-15);
                at = p.next;
            }
            QVERIFY(moving >= 1);
            QVERIFY2(relativeGap(at, sampler.particles().col(j)) < 1e-12,
                     qPrintable(QString("step %1, particle %2: traced (%3, %4), real (%5, %6)")
                                    .arg(t.step).arg(j).arg(at.x()).arg(at.y())
                                    .arg(sampler.particles()(0, j)).arg(sampler.particles()(1, j))));
        }
    }
}

void TestStepTrace::followingChangesNothing()
{
    // The trace reads the run; it draws no random numbers: followed or not,
    // the particles are the same to the bit.
    for (SamplerKind kind : {SamplerKind::Ddpm, SamplerKind::PredictorCorrector, SamplerKind::ProbabilityFlow,
                             SamplerKind::Ddim}) {
        SamplerConfig c = configFor(kind);
        c.steps = 20;
        c.ddimSteps = 10;
        c.eta = 0.7;
        const NoiseSchedule s =
            kind == SamplerKind::Ddpm || kind == SamplerKind::Ddim ? NoiseSchedule::ddpmLinear(100) : NoiseSchedule::vp();
        Sampler plain(c, s, std::make_shared<ExactScoreSource>(eightGaussians()), 2);
        Sampler followed(c, s, std::make_shared<ExactScoreSource>(eightGaussians()), 2);
        followed.follow({1, 2});
        plain.run(15);
        followed.run(15);
        QVERIFY(!followed.trace().empty());
        QVERIFY(plain.trace().empty());
        QVERIFY(plain.particles() == followed.particles());
    }
}

void TestStepTrace::langevinNumbersAreTheEquations()
{
    // x' = x + (eta/2) s(x, sigma) + sqrt(eta) z: s is the exact score at x and
    // the level, the terms are the coefficients times s and z.
    const auto data = eightGaussians();
    SamplerConfig c = configFor(SamplerKind::Langevin);
    c.langevinStd = 0.4;
    c.stepSize = 0.02;
    const NoiseSchedule schedule = NoiseSchedule::geometric(0.05, 4.0, 10);
    Sampler sampler(c, schedule, std::make_shared<ExactScoreSource>(data), 1);
    sampler.follow({7});
    sampler.step();
    const StepPart& part = sampler.trace().parts.at(0);
    const TracedParticle& p = part.particles.at(0);
    QCOMPARE(part.title, std::string("Langevin"));
    QCOMPARE(part.equation, std::string("x′ = x + (η/2)·s(x, σ) + √η·z"));
    QCOMPARE(part.constants.at(0).name, std::string("σ"));
    QCOMPARE(part.constants.at(0).value, 0.4);
    QCOMPARE(part.constants.at(1).value, 0.02);
    Eigen::Matrix2Xd x(2, 1), s(2, 1);
    x.col(0) = p.x;
    ExactScoreSource(data).score(x, NoiseLevel{{1.0, 0.4}, 0.0}, s);
    QCOMPARE(p.values.at(0).name, std::string("s(x, σ)"));
    QVERIFY((p.values.at(0).value - s.col(0)).norm() < 1e-12 * s.norm());
    QVERIFY((p.terms.at(0).value - 0.01 * s.col(0)).norm() < 1e-14);
    QCOMPARE(p.terms.at(0).kind, TermKind::Score);
    QVERIFY((p.terms.at(1).value - std::sqrt(0.02) * p.values.at(1).value).norm() < 1e-14);
    QCOMPARE(p.terms.at(1).kind, TermKind::Noise);
}

void TestStepTrace::odeWeightsSumToOne()
{
    for (OdeMethod m : {OdeMethod::Euler, OdeMethod::Heun, OdeMethod::Rk4, OdeMethod::Rk45}) {
        const std::vector<double> b = OdeSolver::weights(m);
        QCOMPARE(int(b.size()), OdeSolver(m).stagesPerStep());
        double sum = 0;
        for (double w : b) sum += w;
        QVERIFY(std::abs(sum - 1.0) < 1e-14);
    }
}

void TestStepTrace::followSelection()
{
    // Duplicates and negative columns dropped, the order kept; columns past the
    // particle count left out of the parts; nothing followed: no trace.
    SamplerConfig c = configFor(SamplerKind::Ddpm);
    c.particles = 10;
    Sampler sampler(c, NoiseSchedule::ddpmLinear(100), std::make_shared<ExactScoreSource>(eightGaussians()), 1);
    sampler.follow({4, -1, 2, 4, 50});
    QCOMPARE(sampler.followed(), (std::vector<Eigen::Index>{4, 2, 50}));
    sampler.step();
    const StepPart& part = sampler.trace().parts.at(0);
    QCOMPARE(part.particles.size(), std::size_t(2));
    QCOMPARE(part.particles[0].index, Eigen::Index(4));
    QCOMPARE(part.particles[1].index, Eigen::Index(2));
    sampler.reset(); // the choice survives a reset
    QCOMPARE(sampler.followed().size(), std::size_t(3));
    sampler.follow({});
    sampler.step();
    QVERIFY(sampler.trace().empty());
}

void TestStepTrace::describedLines()
{
    // Title with constants, equation, values, the substituted sum, the result.
    SamplerConfig c = configFor(SamplerKind::Ddpm);
    Sampler sampler(c, NoiseSchedule::ddpmLinear(100), std::make_shared<ExactScoreSource>(eightGaussians()), 1);
    sampler.follow({3});
    sampler.step();
    const StepPart& part = sampler.trace().parts.at(0);
    const std::vector<std::string> lines = describePart(part, 0);
    QCOMPARE(lines.size(), std::size_t(5));
    QVERIFY(lines[0].starts_with("DDPM (ancestral):  t = "));
    QCOMPARE(lines[1], part.equation);
    QVERIFY(lines[2].starts_with("x = " + formatVector(part.particles[0].x)));
    QVERIFY(lines[3].starts_with("x′ = " + formatVector(part.particles[0].x) + " + "));
    QCOMPARE(lines[4], "   = " + formatVector(part.particles[0].next));
    QVERIFY(describePart(part, 1).empty());
    QCOMPARE(formatVector(Eigen::Vector2d(0.000021234, -1.5)), std::string("(2.123e-05, -1.5)"));
    QCOMPARE(formatNumber(-0.0), std::string("0"));
}

QTEST_APPLESS_MAIN(TestStepTrace)
#include "tst_step_trace.moc"
