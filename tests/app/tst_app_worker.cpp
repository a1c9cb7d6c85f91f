// The training worker on its thread: messages are applied between steps,
// snapshots arrive at a bounded rate, pause/step/stop behave, nothing
// deadlocks, and shutting down while training returns promptly.
#include "engine/FieldWorker.h"
#include "engine/SamplingWorker.h"
#include "engine/TrainingWorker.h"

#include "core/Presets.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace ss;
using namespace ss::app;

namespace {

TrainingSetup smallSetup()
{
    TrainingSetup s;
    s.data = std::make_shared<const Dataset>(makePreset("8gaussians", 2000, 1));
    s.model.hidden = {32, 32};
    s.schedule = NoiseSchedule::geometric(0.05, 4, 8);
    s.trainer.batchSize = 128;
    s.trainer.threads = 1;
    return s;
}

// Waits (serving events) until the worker's latest snapshot satisfies pred.
template <typename Worker, typename P>
bool waitFor(const Worker& w, P pred, int timeoutMs = 5000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (pred(*w.latest())) return true;
        QTest::qWait(5);
    }
    return false;
}

} // namespace

class TestAppWorker : public QObject {
    Q_OBJECT
private slots:
    void runsAndPublishesAtBoundedRate();
    void liveChangesBetweenSteps();
    void refusedSettingIsReported();
    void pauseAndStep();
    void shutdownWhileRunning();
    void samplingPlaysAndLoops();
    void samplingFollowsTheModel();
    void samplingRefusesBadSetup();
    void fieldsOnRequest();
    void emaSettingsApplyLive();
    void encodingStartsFromTheData();
    void noisedDataFollowTheLevel();
};

void TestAppWorker::runsAndPublishesAtBoundedRate()
{
    // Publishing every 40 ms at most: over ~800 ms of training at hundreds of
    // steps/s, between 4 and 800/40 + a few snapshots arrive, each newer.
    TrainingThread thread(smallSetup(), 40);
    TrainingWorker* w = thread.worker();
    QSignalSpy spy(w, &TrainingWorker::snapshotReady);
    w->postStart();
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.running && s.step > 0; }));
    spy.clear();
    const std::int64_t before = w->latest()->step;
    QTest::qWait(800);
    const int snapshots = spy.count();
    QVERIFY2(snapshots >= 4 && snapshots <= 800 / 40 + 3, qPrintable(QString::number(snapshots)));
    const SnapshotPtr s = w->latest();
    QVERIFY2(s->step > before + 20, qPrintable(QString("%1 -> %2").arg(before).arg(s->step)));
    QVERIFY(std::isfinite(s->stats.smoothedLoss));
    QCOMPARE(s->net.config().hidden, std::vector<int>({32, 32}));
}

void TestAppWorker::liveChangesBetweenSteps()
{
    TrainingThread thread(smallSetup());
    TrainingWorker* w = thread.worker();
    w->postStart();
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.step > 10; }));
    w->postSchedule(NoiseSchedule::geometric(0.02, 6, 5));
    w->postLearningRate(3e-4);
    w->postBatchSize(64);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.schedule.numLevels() == 5; }));
    QCOMPARE(w->latest()->schedule.sigmas().front(), 6.0);
    const std::int64_t at = w->latest()->step;
    QVERIFY(waitFor(*w, [&](const TrainingSnapshot& s) { return s.step > at + 10; })); // still training
    QCOMPARE(int(w->latest()->stats.levelLoss.size()), 5); // per-level losses follow the new levels
}

void TestAppWorker::refusedSettingIsReported()
{
    TrainingThread thread(smallSetup());
    TrainingWorker* w = thread.worker();
    QSignalSpy messages(w, &TrainingWorker::message);
    w->postBatchSize(0);
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 5000);
    QVERIFY(messages.at(0).at(1).toBool()); // an error
    QVERIFY2(messages.at(0).at(0).toString().contains("batch"), qPrintable(messages.at(0).at(0).toString()));
    w->postStep(3); // the trainer is intact and still steps
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.step == 3; }));
}

void TestAppWorker::pauseAndStep()
{
    TrainingThread thread(smallSetup());
    TrainingWorker* w = thread.worker();
    w->postStart();
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.step > 5; }));
    w->postPause();
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return !s.running; }));
    const std::int64_t paused = w->latest()->step;
    QTest::qWait(200);
    QCOMPARE(w->latest()->step, paused);
    w->postStep(5);
    QVERIFY(waitFor(*w, [&](const TrainingSnapshot& s) { return s.step == paused + 5; }));
    QTest::qWait(100);
    QCOMPARE(w->latest()->step, paused + 5);
}

void TestAppWorker::shutdownWhileRunning()
{
    // The destructor interrupts the running slice and joins: well under a second.
    QElapsedTimer t;
    {
        TrainingSetup s = smallSetup();
        s.model.hidden = {128, 128, 128};
        s.trainer.batchSize = 2048; // slow steps: the slice must still end promptly
        TrainingThread thread(s);
        thread.worker()->postStart();
        QVERIFY(waitFor(*thread.worker(), [](const TrainingSnapshot& s) { return s.step > 0; }, 10000));
        t.start();
    }
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
}

namespace {
SamplingSetup samplingSetup()
{
    SamplingSetup s;
    s.sampler.kind = SamplerKind::AnnealedLangevin;
    s.sampler.particles = 500;
    s.sampler.stepsPerLevel = 10;
    s.sampler.stepSize = 1e-4;
    s.schedule = NoiseSchedule::geometric(0.05, 4, 8); // 80 steps a run
    s.data = std::make_shared<const Dataset>(makePreset("8gaussians", 2000, 1));
    s.source = SourceKind::Exact;
    s.stepsPerTick = 10;
    s.trailLength = 8;
    s.holdTicks = 2;
    return s;
}

} // namespace

void TestAppWorker::samplingPlaysAndLoops()
{
    SamplingThread thread(samplingSetup(), 5);
    SamplingWorker* w = thread.worker();
    QCOMPARE(w->latest()->particles.cols(), 500);
    QCOMPARE(w->latest()->totalSteps, 80);
    w->postPlay();
    // Runs of 80 steps end and start again with the next seed.
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& s) { return s.run >= 2; }));
    const ParticlesPtr s = w->latest();
    QVERIFY(int(s->trail.size()) <= 8);
    QCOMPARE(s->trail.back(), s->particles);
    QVERIFY(s->source.find("exact") != std::string::npos);
    w->postPause();
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& p) { return !p.playing; }));
    const int step = w->latest()->step;
    w->postStep();
    QVERIFY(waitFor(*w, [&](const ParticleSnapshot& p) { return p.step == step + 1 || p.step == 0; }));
    QCOMPARE(w->latest()->lastStep.score.cols(), 500); // the decomposition of the single step
}

void TestAppWorker::samplingFollowsTheModel()
{
    // A learned source without a network samples with the exact score; once
    // a training snapshot's network arrives it is used between steps.
    SamplingSetup setup = samplingSetup();
    setup.source = SourceKind::Learned;
    SamplingThread thread(setup, 5);
    SamplingWorker* w = thread.worker();
    QVERIFY(w->latest()->source.find("exact") != std::string::npos);
    TrainingThread training(smallSetup());
    training.worker()->postStep(10);
    QVERIFY(waitFor(*training.worker(), [](const TrainingSnapshot& s) { return s.step == 10; }));
    w->postNetwork(std::make_shared<const ScoreNet>(training.worker()->latest()->net));
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& s) { return s.source.find("learned") != std::string::npos; }));
    w->postSource(SourceKind::Exact);
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& s) { return s.source.find("exact") != std::string::npos; }));
}

void TestAppWorker::samplingRefusesBadSetup()
{
    SamplingThread thread(samplingSetup(), 5);
    SamplingWorker* w = thread.worker();
    QSignalSpy messages(w, &SamplingWorker::message);
    SamplingSetup bad = samplingSetup();
    bad.sampler.kind = SamplerKind::Ddpm; // needs a DDPM schedule
    w->postSetup(bad);
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 5000);
    QVERIFY(messages.at(0).at(0).toString().contains("DDPM"));
    w->postStep(); // the old sampler is intact
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& s) { return s.step == 1; }));
    QCOMPARE(w->latest()->totalSteps, 80);
}

void TestAppWorker::fieldsOnRequest()
{
    // The arrows are the exact score at the grid; the density heat map peaks
    // on a mode of 8 Gaussians (radius 2) and is low at the centre; a network
    // adds the learned arrows and the error map; only the newest request counts.
    const auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 1));
    FieldThread thread(data, 10, 10);
    FieldWorker* w = thread.worker();
    QSignalSpy spy(w, &FieldWorker::snapshotReady);
    FieldRequest r;
    r.xMin = r.yMin = -3;
    r.xMax = r.yMax = 3;
    r.arrows = 12;
    r.heat = 60;
    r.error = true;
    for (int i = 0; i < 10; ++i) {
        r.level.marginal.std = 0.1 + 0.01 * i;
        w->postRequest(r);
    }
    QTRY_VERIFY_WITH_TIMEOUT(w->latest() && w->latest()->request == r, 5000);
    QVERIFY(spy.count() < 10);
    const FieldPtr f = w->latest();
    QCOMPARE(f->grid.cols(), 144);
    Eigen::Matrix2Xd expected(2, 144);
    data->mixture->score(f->grid, r.level.marginal, expected);
    QCOMPARE(f->exact, expected);
    QCOMPARE(f->logDensity.rows(), 60);
    // (2, 0) is at column (2 + 3) / 6 * 60 = 50, row 30; the centre at (30, 30).
    QVERIFY(f->logDensity(30, 50) > f->logDensity(30, 30) + 3);
    QVERIFY(f->learned.size() == 0 && f->error.size() == 0);
    ModelConfig m;
    m.hidden = {16};
    w->postNetwork(std::make_shared<const ScoreNet>(m));
    QTRY_VERIFY_WITH_TIMEOUT(w->latest()->hasNetwork, 5000);
    QCOMPARE(w->latest()->learned.cols(), 144);
    QCOMPARE(w->latest()->error.cols(), 60);
    QVERIFY((w->latest()->error >= 0).all());
}

void TestAppWorker::emaSettingsApplyLive()
{
    // Snapshots carry the EMA weights by default and the raw ones on request;
    // with decay 0 the two agree after a step; a decay of 1 is refused.
    TrainingThread thread(smallSetup());
    TrainingWorker* w = thread.worker();
    QSignalSpy messages(w, &TrainingWorker::message);
    w->postStep(20);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.step == 20; }));
    const Eigen::VectorXf ema = w->latest()->net.mlp().params();
    QVERIFY(w->latest()->ema);
    w->postPublishEma(false);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return !s.ema; }));
    const Eigen::VectorXf raw = w->latest()->net.mlp().params();
    QVERIFY2((raw - ema).norm() > 1e-3 * raw.norm(), "after 20 steps at decay 0.999 the EMA lags the weights");
    w->postEmaDecay(0.0);
    w->postPublishEma(true);
    w->postStep(1);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.step == 21 && s.ema; }));
    w->postPublishEma(false);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return !s.ema; }));
    const Eigen::VectorXf rawAfter = w->latest()->net.mlp().params();
    w->postPublishEma(true);
    QVERIFY(waitFor(*w, [](const TrainingSnapshot& s) { return s.ema; }));
    QVERIFY((w->latest()->net.mlp().params() - rawAfter).norm() <= 1e-6 * rawAfter.norm()); // decay 0: EMA = weights
    QCOMPARE(messages.count(), 0);
    w->postEmaDecay(1.0);
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 5000);
    QVERIFY2(messages.at(0).at(0).toString().contains("EMA"), qPrintable(messages.at(0).at(0).toString()));
}

void TestAppWorker::encodingStartsFromTheData()
{
    // The probability-flow ODE from data to noise starts at the data set's
    // first points, and the sampler worker runs it.
    SamplingSetup setup = samplingSetup();
    setup.sampler.kind = SamplerKind::ProbabilityFlow;
    setup.sampler.ode = OdeMethod::Heun;
    setup.sampler.steps = 20;
    setup.sampler.direction = Direction::DataToNoise;
    setup.sampler.particles = 300;
    SamplingThread thread(setup, 5);
    SamplingWorker* w = thread.worker();
    const ParticlesPtr start = w->latest();
    QCOMPARE(start->particles, Eigen::Matrix2Xd(setup.data->points.leftCols(300)));
    w->postStep();
    QVERIFY(waitFor(*w, [](const ParticleSnapshot& s) { return s.step == 1; }));
    QVERIFY(w->latest()->particles != start->particles);
}

void TestAppWorker::noisedDataFollowTheLevel()
{
    // The noised layer is mean x0 + std eps with one eps per point, the same
    // at every level: at two levels (eps recovered from each) they agree.
    const auto data = std::make_shared<const Dataset>(makePreset("moons", 500, 2));
    FieldThread thread(data, 10, 10);
    FieldWorker* w = thread.worker();
    FieldRequest r;
    r.arrows = 4;
    r.heat = 8;
    r.level.marginal = {0.8, 0.6};
    w->postRequest(r);
    QTRY_VERIFY_WITH_TIMEOUT(w->latest() && w->latest()->request == r, 5000);
    const Eigen::Matrix2Xd a = w->latest()->noised;
    QCOMPARE(a.cols(), 500);
    r.level.marginal = {1.0, 2.0};
    w->postRequest(r);
    QTRY_VERIFY_WITH_TIMEOUT(w->latest()->request == r, 5000);
    const Eigen::Matrix2Xd b = w->latest()->noised;
    const Eigen::Matrix2Xd epsA = (a - 0.8 * data->points) / 0.6, epsB = (b - data->points) / 2.0;
    QVERIFY((epsA - epsB).cwiseAbs().maxCoeff() < 1e-9);
    // Standard normal: mean near 0 and variance near 1 (500 x 2 draws).
    QVERIFY(std::abs(epsA.mean()) < 0.1);
    QVERIFY(std::abs(epsA.array().square().mean() - 1.0) < 0.15);
}

QTEST_GUILESS_MAIN(TestAppWorker)
#include "tst_app_worker.moc"
