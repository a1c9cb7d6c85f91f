// The sampler race in the window (engine/RaceWorker, window/RaceDock,
// RacePanel, RaceView, RaceChart):
//  - the live race starts every lane from the same noise; two identical
//    configurations stay bit-identical to the end; lanes move in lockstep by
//    the fraction of their run; each finished lane is measured;
//  - the sweep runs every configuration at every step count, adds the exact
//    twin of a learned configuration, and the chart draws one curve per
//    (configuration, score) plus the floor; its CSV is scorescope-cli race's;
//  - the panel: defaults from the schedule, at most 6 configurations, step
//    lists checked; the view: one panel per lane, in the scene's view;
//  - the dock in the window: hidden at first, runs with the exact score,
//    refuses a learned race without a network with a message.
#include "AppTestSupport.h"
#include "engine/RaceWorker.h"
#include "window/MainWindow.h"
#include "window/RaceChart.h"
#include "window/RaceDock.h"
#include "window/RacePanel.h"
#include "window/RaceView.h"

#include "core/Error.h"
#include "core/Presets.h"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;
using apptest::eventually;

namespace {

RaceEntry entry(const std::string& name, SamplerKind kind, void (*tune)(SamplerConfig&) = nullptr)
{
    RaceEntry e;
    e.name = name;
    e.sampler.kind = kind;
    if (tune) tune(e.sampler);
    e.score = RaceScore::Exact;
    return e;
}

RaceScores exactScores(int points = 1000)
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", points, 1));
    RaceScores s = RaceScores::ofData(data, "8gaussians");
    s.modelSchedule = NoiseSchedule::ddpmLinear(100);
    return s;
}

} // namespace

class TestAppRace : public QObject {
    Q_OBJECT
private slots:
    void liveLanesShareTheNoise();
    void lanesMoveInLockstep();
    void sweepDrawsCurvesAndTwins();
    void sweepCancels();
    void panelDefaultsAndLimits();
    void viewDrawsOnePanelPerLane();
    void dockInTheWindow();
};

void TestAppRace::liveLanesShareTheNoise()
{
    app::RaceThread thread;
    app::RaceWorker* w = thread.worker();
    RaceSpec spec;
    spec.particles = 300;
    spec.entries = {entry("DDIM", SamplerKind::Ddim), entry("DDIM again", SamplerKind::Ddim),
                    entry("DDPM", SamplerKind::Ddpm)};
    w->postRun(spec, exactScores(), {20, 20, 100});
    QVERIFY(eventually([&] { return w->latestLive() != nullptr; }));
    const app::RaceLivePtr first = w->latestLive();
    QCOMPARE(first->lanes.size(), std::size_t(3));
    // The first snapshot is published before any step: the same noise in every lane.
    QCOMPARE(first->lanes[0].stepsTaken, 0);
    QVERIFY(first->lanes[0].particles == first->lanes[2].particles);
    QVERIFY(eventually([&] { return !w->latestLive()->running; }, 30000));
    const app::RaceLivePtr done = w->latestLive();
    QVERIFY(done->lanes[0].particles == done->lanes[1].particles); // identical configurations, identical particles
    QVERIFY(!(done->lanes[0].particles == done->lanes[2].particles));
    for (const app::RaceLaneState& l : done->lanes) {
        QVERIFY(l.done && !l.diverged);
        QVERIFY2(std::isfinite(l.sw2) && l.sw2 < 0.5, qPrintable(QString::number(l.sw2)));
        QVERIFY(std::isfinite(l.modeTv));
    }
    QCOMPARE(done->lanes[0].evaluations, 20ll);
    QCOMPARE(done->lanes[2].evaluations, 100ll);
    QVERIFY(std::isfinite(done->floor.sw2) && done->floor.sw2 > 0);
}

void TestAppRace::lanesMoveInLockstep()
{
    // DDIM at 10 steps beside DDPM at 100: in every snapshot their progress
    // differs by at most one DDIM step (a tenth of the run).
    app::RaceThread thread;
    app::RaceWorker* w = thread.worker();
    RaceSpec spec;
    spec.particles = 200;
    spec.entries = {entry("DDIM", SamplerKind::Ddim), entry("DDPM", SamplerKind::Ddpm)};
    int checked = 0;
    double worst = 0;
    QObject context; // the counting ends with this function (queued signals to it are dropped)
    QObject::connect(w, &app::RaceWorker::liveReady, &context, [&] {
        const app::RaceLivePtr l = w->latestLive();
        if (l->lanes.size() != 2) return;
        const double a = double(l->lanes[0].stepsTaken) / 10, b = double(l->lanes[1].stepsTaken) / 100;
        worst = std::max(worst, std::abs(a - b));
        ++checked;
    });
    w->postRun(spec, exactScores(), {10, 100});
    QVERIFY(eventually([&] { return w->latestLive() && !w->latestLive()->running; }, 30000));
    QVERIFY2(checked > 10, qPrintable(QString::number(checked)));
    QVERIFY2(worst <= 0.1 + 1e-9, qPrintable(QString::number(worst)));
}

void TestAppRace::sweepDrawsCurvesAndTwins()
{
    RaceSpec spec;
    spec.particles = 200;
    spec.steps = {5, 20};
    RaceEntry learned = entry("DDIM", SamplerKind::Ddim);
    learned.score = RaceScore::Learned;
    spec.entries = {learned, entry("DDPM", SamplerKind::Ddpm)};
    const RaceSpec twinned = window::RaceDock::withExactTwins(spec);
    QCOMPARE(twinned.entries.size(), std::size_t(3));
    QCOMPARE(twinned.entries[2].name, std::string("DDIM (exact)"));
    QCOMPARE(twinned.entries[2].score, RaceScore::Exact);
    QCOMPARE(window::RaceDock::withExactTwins(twinned).entries.size(), std::size_t(3)); // twinned already

    // The learned score: the exact one under another name is enough for the curves.
    RaceScores scores = exactScores();
    scores.learned = scores.exact;
    app::RaceThread thread;
    app::RaceWorker* w = thread.worker();
    w->postSweep(twinned, scores);
    QVERIFY(eventually([&] { return w->latestSweep() && !w->latestSweep()->running; }, 60000));
    const app::RaceSweepPtr s = w->latestSweep();
    QCOMPARE(s->result.rows.size(), std::size_t(6));
    window::RaceChart chart;
    chart.showResult(s->spec, s->result);
    QCOMPARE(chart.curveCount(), 4); // DDIM learned, DDPM exact, DDIM exact, the floor
    // The learned DDIM is the exact score under another name: the same particles.
    QCOMPARE(s->result.rows[0].sw2, s->result.rows[4].sw2);
    QTemporaryDir dir;
    QString error;
    const QString path = dir.filePath("race.csv");
    QVERIFY2(chart.exportRows(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 7); // header and six rows
    QVERIFY(lines[0].startsWith("configuration,"));
    QVERIFY(!chart.exportRows(dir.filePath("no/such/folder/race.csv"), &error));
    QVERIFY(!error.isEmpty());
}

void TestAppRace::sweepCancels()
{
    RaceSpec spec;
    spec.particles = 2000;
    spec.steps = {100, 200, 500, 1000};
    spec.entries = {entry("DDPM", SamplerKind::Ddpm), entry("SDE", SamplerKind::ReverseSde)};
    app::RaceThread thread;
    app::RaceWorker* w = thread.worker();
    RaceScores scores = exactScores();
    scores.modelSchedule = NoiseSchedule::ddpmLinear(1000);
    w->postSweep(spec, scores);
    QVERIFY(eventually([&] { return w->latestSweep() && w->latestSweep()->running; }));
    w->cancelSweep();
    QVERIFY(eventually([&] { return !w->latestSweep()->running; }, 20000));
    QVERIFY(w->latestSweep()->result.cancelled);
    QVERIFY(w->latestSweep()->result.rows.size() < 8);
}

void TestAppRace::panelDefaultsAndLimits()
{
    window::RacePanel panel;
    panel.setDefaults(NoiseSchedule::ddpmLinear(1000), RaceScore::Learned);
    RaceSpec s = panel.spec();
    QCOMPARE(s.entries.size(), std::size_t(3));
    QCOMPARE(s.entries[0].sampler.kind, SamplerKind::Ddpm);
    QCOMPARE(s.entries[1].sampler.kind, SamplerKind::Ddim);
    QCOMPARE(s.entries[2].sampler.kind, SamplerKind::ProbabilityFlow);
    QCOMPARE(panel.liveSteps(), (std::vector<int>{1000, 50, 50}));
    QCOMPARE(s.steps, defaultRaceSteps());
    panel.setDefaults(NoiseSchedule::geometric(0.01, 10, 10), RaceScore::Exact);
    QCOMPARE(panel.spec().entries[0].sampler.kind, SamplerKind::AnnealedLangevin);
    QCOMPARE(panel.liveSteps()[0], 1000);
    QSignalSpy messages(&panel, &window::RacePanel::message);
    int added = 0;
    for (int i = 0; i < 5; ++i) added += panel.addEntry(panel.spec().entries[0], 10);
    QCOMPARE(added, 3); // 6 at most
    QCOMPARE(panel.spec().entries.size(), std::size_t(6));
    QCOMPARE(messages.count(), 2);
    QCOMPARE(panel.spec().entries[3].name, std::string("Annealed Langevin #2")); // names stay unique
    QCOMPARE(window::RacePanel::parseSteps("5, 10,20"), (std::vector<int>{5, 10, 20}));
    QVERIFY_THROWS_EXCEPTION(InputError, window::RacePanel::parseSteps("5,ten"));
    QVERIFY_THROWS_EXCEPTION(InputError, window::RacePanel::parseSteps(""));
    QVERIFY_THROWS_EXCEPTION(InputError, window::RacePanel::parseSteps("0"));
}

void TestAppRace::viewDrawsOnePanelPerLane()
{
    QCOMPARE(window::RaceView::columnsFor(4, 1200, 400), 4);
    QCOMPARE(window::RaceView::columnsFor(4, 800, 800), 2);
    QCOMPARE(window::RaceView::columnsFor(3, 900, 300), 3);
    view::ScenePicture scene;
    scene.world = QRectF(-2, -2, 4, 4);
    app::RaceLaneState lane;
    lane.name = "DDIM";
    lane.score = "exact";
    lane.particles = Eigen::Matrix2Xd::Zero(2, 5);
    lane.stepsTaken = 3;
    lane.totalSteps = 10;
    lane.evaluations = 3;
    const view::ScenePicture wide = window::RaceView::lanePicture(scene, lane, RaceFloor{}, 2.0);
    QCOMPARE(wide.world.center(), scene.world.center());
    QCOMPARE(wide.world.width(), 8.0); // widened to the panel's shape, never cropped
    QCOMPARE(wide.world.height(), 4.0);
    QVERIFY(wide.caption.contains("step 3 / 10") && wide.caption.contains("NFE 3"));
    lane.done = true;
    lane.sw2 = 0.05;
    RaceFloor floor;
    floor.sw2 = 0.02;
    QVERIFY(window::RaceView::laneCaption(lane, floor).contains("(floor 0.02)"));

    // Two lanes, particles on opposite sides: each panel shows its own.
    auto live = std::make_shared<app::RaceLiveSnapshot>();
    live->lanes = {lane, lane};
    live->lanes[0].particles = Eigen::Matrix2Xd::Constant(2, 50, -1.0);
    live->lanes[1].particles.resize(2, 50);
    live->lanes[1].particles.row(0).setConstant(1.0);
    live->lanes[1].particles.row(1).setConstant(-1.0);
    window::RaceView view;
    view.resize(800, 400);
    view.setScene([scene] { return scene; });
    view.showLive(live);
    const QImage image = view.grab().toImage();
    view.showLive(nullptr);
    const QImage hint = view.grab().toImage();
    QVERIFY(image != hint);
    // Left panel: its particles at (-1, -1), left of and below the panel's
    // centre; right panel: at (1, -1), right of and below. Counted in the
    // lower half, under the legend (whose particle swatch is red too).
    const auto reddish = [&](int x0, int x1) {
        int n = 0;
        for (int y = image.height() / 2; y < image.height(); ++y)
            for (int x = x0; x < x1; ++x) {
                const QColor c = image.pixelColor(x, y);
                n += c.red() > 150 && c.green() < 100 && c.blue() < 100;
            }
        return n;
    };
    QVERIFY(reddish(0, 200) > 10);   // left half of the left panel
    QVERIFY(reddish(600, 800) > 10); // right half of the right panel
    QCOMPARE(reddish(200, 600), 0);  // nothing between
}

void TestAppRace::dockInTheWindow()
{
    window::MainWindow w(apptest::smallScene(), false);
    auto* dock = w.findChild<window::RaceDock*>("raceDock");
    QVERIFY(dock);
    QVERIFY(dock->isHidden());
    QCOMPARE(dock->panel()->spec().entries.size(), std::size_t(3)); // the scene's schedule's default race
    QSignalSpy messages(dock, &window::RaceDock::message);
    dock->run(); // learned, and no network yet: refused with a message
    QCOMPARE(messages.count(), 1);
    QVERIFY(messages.at(0).at(0).toString().contains("No trained network"));
    window::RacePanel* panel = dock->panel();
    RaceSpec exact = panel->spec();
    for (RaceEntry& e : exact.entries) e.score = RaceScore::Exact;
    exact.particles = 200;
    panel->setSpec(exact);
    dock->show();
    dock->run();
    QVERIFY(eventually([&] { return dock->view()->live() && !dock->view()->live()->running; }, 60000));
    QCOMPARE(dock->view()->live()->lanes.size(), std::size_t(3));
    for (const app::RaceLaneState& l : dock->view()->live()->lanes) QVERIFY2(l.done && !l.diverged, l.note.c_str());
}

QTEST_MAIN(TestAppRace)
#include "tst_app_race.moc"
