// SceneController: the running scene without a window. Pins that the edits
// reach the workers (schedule, data, drawn points, sampler settings, training
// knobs), that each new network is routed to the sampler and the fields, and
// that a refused model keeps the old trainer running.
//
// How to add a case: build a controller on apptest::smallScene(), apply the
// edit, and wait (apptest::eventually) for the worker's latest() to show it.
#include "AppTestSupport.h"
#include "core/Presets.h"
#include "engine/SceneController.h"

#include <QSignalSpy>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace ss;
using app::SceneController;

class TestAppController : public QObject {
    Q_OBJECT
private slots:
    void scheduleReachesEveryWorker();
    void dataReachesEveryWorker();
    void drawnPointsAreThrottledAndEmptyRefused();
    void samplerSettingsAndKnobsReachTheWorkers();
    void staleSamplerErrorKeepsTheNewSettings();
    void networksAreRouted();
    void refusedModelKeepsTheOldOne();
    void newModelReplacesTheTrainer();
    void modelsReplacedInQuickSuccessionKeepTraining();
};

void TestAppController::scheduleReachesEveryWorker()
{
    SceneController c(apptest::smallScene());
    const NoiseSchedule next = NoiseSchedule::geometric(0.1, 3.0, 6);
    QVERIFY(c.setSchedule(next));
    QCOMPARE(c.setup().training.schedule.sigmas(), next.sigmas());
    QCOMPARE(c.setup().sampling.schedule.sigmas(), next.sigmas());
    c.training()->postStep(1); // a snapshot with the schedule in effect
    QVERIFY(apptest::eventually([&] { return c.training()->latest()->schedule.sigmas() == next.sigmas(); }));
    QVERIFY(apptest::eventually([&] { return c.sampling()->latest()->setup.schedule.sigmas() == next.sigmas(); }));
}

void TestAppController::dataReachesEveryWorker()
{
    SceneController c(apptest::smallScene());
    QSignalSpy posted(&c, &SceneController::dataPosted);
    QSignalSpy title(&c, &SceneController::titleChanged);
    auto data = std::make_shared<const Dataset>(makePreset("rings", 300, 3));
    c.setData(data, "Rings");
    QCOMPARE(c.setup().training.data, data);
    QCOMPARE(c.setup().sampling.data, data);
    QCOMPARE(c.setup().title, QString("Rings"));
    QCOMPARE(posted.size(), 1);
    QCOMPARE(posted[0][1].toBool(), true); // the sampler restarts on new data
    QCOMPARE(title.size(), 1);
    QVERIFY(apptest::eventually([&] { return c.sampling()->latest()->setup.data == data; }));
}

void TestAppController::drawnPointsAreThrottledAndEmptyRefused()
{
    SceneController c(apptest::smallScene());
    const auto before = c.setup().training.data;
    QSignalSpy posted(&c, &SceneController::dataPosted);
    QSignalSpy messages(&c, &SceneController::message);
    auto a = std::make_shared<const Dataset>(makePreset("moons", 50, 1));
    auto b = std::make_shared<const Dataset>(makePreset("moons", 60, 2));
    // During a stroke: nothing at once, then only the newest edit, without a sampler restart.
    c.setDrawnPoints(a, false);
    c.setDrawnPoints(b, false);
    QCOMPARE(posted.size(), 0);
    QCOMPARE(c.setup().training.data, before);
    QVERIFY(apptest::eventually([&] { return posted.size() == 1; }, 2000));
    QCOMPARE(c.setup().training.data, b);
    QCOMPARE(posted[0][1].toBool(), false);
    // The stroke's end: at once, and the sampler restarts.
    c.setDrawnPoints(a, true);
    QCOMPARE(posted.size(), 2);
    QCOMPARE(posted[1][1].toBool(), true);
    QCOMPARE(c.setup().title, QObject::tr("Drawn points"));
    // No points: refused with a message; the workers keep the last set.
    Dataset none = *a;
    none.points.resize(2, 0);
    messages.clear();
    c.setDrawnPoints(std::make_shared<const Dataset>(none), true);
    QCOMPARE(posted.size(), 2);
    QCOMPARE(c.setup().training.data, a);
    QVERIFY(!messages.isEmpty() && messages.last()[1].toBool());
    QVERIFY2(messages.last()[0].toString().contains("no points drawn"), qPrintable(messages.last()[0].toString()));
    // A data set applied during a stroke supersedes the pending drawn edit.
    c.setDrawnPoints(b, false);
    auto rings = std::make_shared<const Dataset>(makePreset("rings", 100, 1));
    c.setData(rings, "Rings");
    QTest::qWait(2 * SceneController::kDrawFlushMs);
    QCOMPARE(c.setup().training.data, rings);
}

void TestAppController::samplerSettingsAndKnobsReachTheWorkers()
{
    SceneController c(apptest::smallScene());
    app::SamplingSetup s = c.setup().sampling;
    s.sampler.particles = 123;
    s.trailLength = 5;
    c.setSampling(s);
    QVERIFY(apptest::eventually([&] { return c.sampling()->latest()->setup.sampler.particles == 123; }));
    QCOMPARE(c.sampling()->latest()->setup.trailLength, 5);
    c.setSource(app::SourceKind::Exact);
    QVERIFY(apptest::eventually([&] { return c.sampling()->latest()->setup.source == app::SourceKind::Exact; }));
    // Training knobs are kept in the setup, so a new model starts with them.
    c.setLearningRate(3e-4);
    c.setBatchSize(64);
    c.setEmaDecay(0.9);
    c.setPublishEma(false);
    QCOMPARE(c.setup().training.optimizer.learningRate, 3e-4);
    QCOMPARE(c.setup().training.trainer.batchSize, 64);
    QCOMPARE(c.setup().training.optimizer.emaDecay, 0.9);
    QCOMPARE(c.setup().training.publishEma, false);
    c.training()->postStep(1);
    QVERIFY(apptest::eventually([&] { return !c.training()->latest()->ema; }));
}

// An error the sampler reports while new settings are still queued (a run
// that diverged just as a lecture step posted its sampler) is about the old
// settings: the controller keeps the new request, which the worker then runs.
// A refused request itself is still reverted to what runs.
void TestAppController::staleSamplerErrorKeepsTheNewSettings()
{
    SceneController c(apptest::smallScene());
    QSignalSpy messages(&c, &SceneController::message);
    std::atomic<bool> release{false};
    struct Release { // a failed check still lets the worker go (before c is destroyed)
        std::atomic<bool>& flag;
        ~Release() { flag = true; }
    } releaseOnExit{release};
    c.sampling()->postCall([] { throw std::runtime_error("the old run failed"); });
    c.sampling()->postCall([&] { // holds the worker, so the next settings wait in its queue
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    app::SamplingSetup next = c.setup().sampling;
    next.sampler.boxMin = -3;
    next.sampler.boxMax = 3;
    c.setSampling(next);
    QVERIFY(apptest::eventually([&] { return !messages.isEmpty(); }));
    QVERIFY(messages.last()[1].toBool()); // shown as an error
    QVERIFY(c.sampling()->setupPending());
    QCOMPARE(c.setup().sampling.sampler.boxMax, 3.0); // not reverted to the running box
    release = true;
    QVERIFY(apptest::eventually([&] { return c.sampling()->latest()->setup.sampler.boxMax == 3.0; }));
    QVERIFY(!c.sampling()->setupPending());
    QCOMPARE(c.setup().sampling.sampler.boxMax, 3.0);

    app::SamplingSetup bad = next;
    bad.sampler.boxMin = 5; // boxMin > boxMax: refused
    c.setSampling(bad);
    QVERIFY(apptest::eventually([&] { return c.setup().sampling.sampler.boxMin == -3.0; }));
    QCOMPARE(c.sampling()->latest()->setup.sampler.boxMin, -3.0);
}

void TestAppController::networksAreRouted()
{
    SceneController c(apptest::smallScene());
    QSignalSpy snapshots(&c, &SceneController::trainingSnapshotReady);
    c.training()->postStep(2);
    QVERIFY(apptest::eventually([&] { return c.latestNet() && !snapshots.isEmpty(); }));
    // The sampler runs the learned score once it has a network.
    c.sampling()->postPlay();
    QVERIFY(apptest::eventually([&] { return !c.sampling()->latest()->exactScore; }));
}

void TestAppController::refusedModelKeepsTheOldOne()
{
    SceneController c(apptest::smallScene());
    app::TrainingWorker* old = c.training();
    const ModelConfig model = c.setup().training.model;
    QSignalSpy messages(&c, &SceneController::message);
    QSignalSpy replaced(&c, &SceneController::trainingReplaced);
    app::TrainingSetup bad = c.setup().training;
    bad.model.hidden = {8};
    bad.trainer.threads = 1000; // refused by the trainer
    QVERIFY(!c.rebuildTraining(bad));
    QCOMPARE(c.training(), old);
    QCOMPARE(c.setup().training.model, model);
    QCOMPARE(replaced.size(), 0);
    QVERIFY(!messages.isEmpty() && messages.last()[1].toBool());
    QVERIFY2(messages.last()[0].toString().startsWith("model refused: "), qPrintable(messages.last()[0].toString()));
    // The old trainer still trains.
    const std::int64_t step = old->latest()->step;
    old->postStep(3);
    QVERIFY(apptest::eventually([&] { return old->latest()->step >= step + 3; }));
}

void TestAppController::newModelReplacesTheTrainer()
{
    SceneController c(apptest::smallScene());
    QSignalSpy replaced(&c, &SceneController::trainingReplaced);
    app::TrainingSetup next = c.setup().training;
    next.model.hidden = {8, 8};
    QVERIFY(c.rebuildTraining(next));
    QCOMPARE(replaced.size(), 1);
    QCOMPARE(c.setup().training.model.hidden, (std::vector<int>{8, 8}));
    QVERIFY(apptest::eventually([&] { return c.training()->latest()->model.hidden == std::vector<int>{8, 8}; }));
    QVERIFY(apptest::eventually([&] { return c.latestNet() != nullptr; })); // its first network is routed
}

void TestAppController::modelsReplacedInQuickSuccessionKeepTraining()
{
    // A lesson applies its steps one after another: each new trainer must run
    // if the one it replaced was asked to, even before that one's start was
    // applied (it used to read the snapshot, which lags: trainer left at step 0).
    SceneController c(apptest::smallScene());
    c.startAll();
    app::TrainingSetup next = c.setup().training;
    for (int width : {8, 12, 16}) {
        next.model.hidden = {width};
        QVERIFY(c.rebuildTraining(next));
    }
    QVERIFY(c.training()->runningRequested());
    QVERIFY(apptest::eventually([&] { return c.training()->latest()->running && c.training()->latest()->step > 0; }));
    c.training()->postPause();
    QVERIFY(!c.training()->runningRequested());
    next.model.hidden = {20};
    QVERIFY(c.rebuildTraining(next));
    QVERIFY(!c.training()->runningRequested()); // a paused one stays paused
}

QTEST_MAIN(TestAppController)
#include "tst_app_controller.moc"
