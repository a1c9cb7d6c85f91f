// The main window routes what the docks ask for to the workers (offscreen; the
// window is built but not shown, since showing GL needs a display):
// a new model, a live schedule change, a refused schedule, a new data set.
#include "AppTestSupport.h"
#include "window/LecturePresets.h"
#include "window/MainWindow.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "core/ModelFile.h"
#include "core/Presets.h"
#include "core/TrajectoryCsv.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QStatusBar>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;


class TestAppWindow : public QObject {
    Q_OBJECT
private slots:
    void newModelFromTheModelDock();
    void scheduleAppliesLiveOrIsRefused();
    void newDataReachesEveryWorker();
    void lecturePresetsLoad();
    void trainingAndSamplerOptionsReachTheWorkers();
    void fileMenuExports();
};

void TestAppWindow::newModelFromTheModelDock()
{
    MainWindow w(smallScene(), false);
    w.startAll();
    QVERIFY(eventually([&] { return w.training()->latest()->step > 5; }));
    auto* panel = w.modelPanel();
    panel->findChild<QSpinBox*>("width")->setValue(48);
    panel->findChild<QSpinBox*>("depth")->setValue(3);
    QTest::mouseClick(panel->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QCOMPARE(w.training()->latest()->model.hidden, std::vector<int>({48, 48, 48}));
    QVERIFY(eventually([&] { return w.training()->latest()->step > 5; })); // the new one trains (it was running)
    // A combination the trainer refuses keeps the old model.
    auto* objective = panel->findChild<QComboBox*>("objective");
    objective->setCurrentIndex(objective->findData(int(ObjectiveKind::Ism)));
    panel->findChild<QDoubleSpinBox*>("objectiveSigma")->setValue(0.0); // clean data needs the score output
    QTest::mouseClick(panel->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QVERIFY(w.statusBar()->currentMessage().contains("refused"));
    QCOMPARE(w.training()->latest()->model.hidden, std::vector<int>({48, 48, 48}));
    QCOMPARE(w.training()->latest()->objective.kind, ObjectiveKind::Ncsn);
}

void TestAppWindow::scheduleAppliesLiveOrIsRefused()
{
    MainWindow w(smallScene(), false);
    w.startAll();
    auto* panel = w.schedulePanel();
    QVERIFY(panel->diagnostics().contains("KL"));
    panel->findChild<QSpinBox*>("levels")->setValue(5);
    panel->findChild<QDoubleSpinBox*>("sigmaMax")->setValue(6.0);
    QTest::mouseClick(panel->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    QVERIFY(eventually([&] { return w.training()->latest()->schedule.numLevels() == 5; }));
    QCOMPARE(w.scrubber()->slider()->maximum(), 5);
    QVERIFY(eventually([&] { return w.sampling()->latest()->totalSteps == 5 * 40; })); // annealed over 5 levels
    // Invalid: sigma_min above sigma_max is shown and not applied.
    panel->findChild<QDoubleSpinBox*>("sigmaMin")->setValue(8.0);
    QTest::mouseClick(panel->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    QVERIFY(w.statusBar()->currentMessage().contains("refused"));
    QTest::qWait(100);
    QCOMPARE(w.training()->latest()->schedule.sigmas().front(), 6.0);
}

void TestAppWindow::newDataReachesEveryWorker()
{
    MainWindow w(smallScene(), false);
    auto* preset = w.dataPanel()->findChild<QComboBox*>("preset");
    preset->setCurrentIndex(preset->findData("moons"));
    w.dataPanel()->findChild<QSpinBox*>("pointCount")->setValue(300);
    QTest::mouseClick(w.dataPanel()->findChild<QPushButton*>("applyData"), Qt::LeftButton);
    w.samplerPanel()->findChild<QComboBox*>("scoreSource")->setCurrentIndex(1); // exact: of the new data
    QVERIFY(eventually([&] { return w.sampling()->latest()->source.find("moons") != std::string::npos; }));
    w.training()->postStep(2);
    QVERIFY(eventually([&] { return w.training()->latest()->step >= 2; }));
    QVERIFY(w.statusBar()->currentMessage().contains("300 points"));
}

void TestAppWindow::trainingAndSamplerOptionsReachTheWorkers()
{
    MainWindow w(smallScene(), false);
    w.startAll();
    // The EMA check box: snapshots (and so samplers and fields) carry the raw weights.
    QVERIFY(w.training()->latest()->ema);
    w.trainingPanel()->findChild<QCheckBox*>("useEma")->setChecked(false);
    QVERIFY(eventually([&] { return !w.training()->latest()->ema; }));
    // A sampler option (trail length) reaches the sampling worker.
    auto* trail = w.samplerPanel()->findChild<QSpinBox*>("trailLength");
    trail->setValue(3);
    emit trail->editingFinished();
    QVERIFY(eventually([&] {
        const auto p = w.sampling()->latest();
        return p->step > 5 && p->trail.size() == 3;
    }));
}

void TestAppWindow::fileMenuExports()
{
    MainWindow w(smallScene(), false);
    w.startAll();
    QVERIFY(eventually([&] { return w.sampling()->latest()->step > 3 && w.training()->latest()->step > 3; }));
    QTemporaryDir dir;
    // Pictures: PNG at the asked size, SVG with vector shapes.
    QVERIFY(w.exportPicture(dir.filePath("scene.png"), QSize(640, 360)));
    QCOMPARE(QImage(dir.filePath("scene.png")).size(), QSize(640, 360));
    QVERIFY(w.exportPicture(dir.filePath("scene.svg"), QSize(500, 500)));
    QVERIFY(w.statusBar()->currentMessage().contains("scene.svg"));
    // Samples: a header and one line per particle, numbers that parse back.
    QVERIFY(w.exportSamplesCsv(dir.filePath("samples.csv")));
    const Dataset samples = loadCsv(dir.filePath("samples.csv").toStdString());
    QCOMPARE(samples.size(), 200);
    // Trajectories: the trails in the one layout (core/TrajectoryCsv.h), read back.
    QVERIFY(w.exportTrajectoriesCsv(dir.filePath("trajectories.csv")));
    const auto frames = loadTrajectoryCsv(dir.filePath("trajectories.csv").toStdString());
    QVERIFY(frames.size() > 1);
    QCOMPARE(frames.back().points.cols(), Eigen::Index(200));
    QVERIFY(frames.back().step > frames.front().step); // the sampler's steps, oldest first
    // The model, written by the training thread: it loads, with the same architecture.
    w.exportModel(dir.filePath("model.json"));
    QVERIFY(eventually([&] { return w.statusBar()->currentMessage().contains("model saved"); }));
    QCOMPARE(loadModel(dir.filePath("model.json").toStdString()).model.hidden, std::vector<int>({32, 32}));
    // The loss history: a header with one column per level, a row per snapshot
    // (snapshots come at most every 40 ms: wait for a few on a loaded machine).
    QVERIFY(eventually([&] { return w.trainingPanel()->history().size() >= 3; }, 20000));
    QVERIFY(w.exportLossCsv(dir.filePath("loss.csv")));
    QFile l(dir.filePath("loss.csv"));
    QVERIFY(l.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = l.readAll().trimmed().split('\n');
    QVERIFY(rows.front().startsWith("step,loss,level_1,"));
    QCOMPARE(rows.size(), int(w.trainingPanel()->history().size()) + 1);
    QVERIFY(rows.size() > 2);
    // Unwritable places are refused with a message, nothing written.
    QVERIFY(!w.exportSamplesCsv(dir.filePath("no/such/dir/s.csv")));
    QVERIFY(w.statusBar()->currentMessage().contains("no/such/dir"));
    QVERIFY(!w.exportPicture(dir.filePath("scene.gif"), QSize(100, 100)));
    QVERIFY(w.statusBar()->currentMessage().contains("unknown format"));
}

void TestAppWindow::lecturePresetsLoad()
{
    // Every preset in resources/lectures parses (strict readers) and builds a
    // scene the trainer and the sampler accept.
    const std::vector<LecturePreset> presets = lecturePresets();
    QCOMPARE(int(presets.size()), 12);
    QStringList titles;
    for (const LecturePreset& p : presets) titles << p.title;
    QVERIFY(titles.contains("Langevin vs annealed Langevin"));
    QVERIFY(titles.contains("DDPM vs DDIM"));
    MainWindow w(smallScene(), false);
    for (const LecturePreset& p : presets) {
        LecturePreset small = p;
        small.scene.training.model.hidden = {32, 32};
        w.startScene(small.scene, small.layers, small.scrubber);
        QVERIFY2(!w.statusBar()->currentMessage().contains("refused"), qPrintable(p.title));
        QVERIFY(eventually([&] { return w.training()->latest()->schedule.name() == p.scene.training.schedule.name(); }));
        QVERIFY(eventually([&] { return w.sampling()->latest()->particles.cols() == p.scene.sampling.sampler.particles; }));
        QCOMPARE(w.layersPanel()->layers().exactField.visible, p.layers.exactField.visible);
    }
    // The NCSN lesson shows the mode weights live, against the true 0.8 / 0.2.
    w.startScene(presets[0].scene, presets[0].layers, presets[0].scrubber);
    QVERIFY(eventually([&] { return w.scene()->caption().contains("true 0.80 / 0.20"); }));
    // A malformed preset names its problem.
    QVERIFY_THROWS_EXCEPTION(InputError, lecturePresetFromJson("{\"format\": \"x\"}", "bad.json"));
}

QTEST_MAIN(TestAppWindow)
#include "tst_app_window.moc"
