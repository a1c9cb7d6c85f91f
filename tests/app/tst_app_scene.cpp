// Scene files from the window (offscreen; the window is built but not shown):
// a saved scene reopens in a second window with the same settings, bit-exact
// weights (raw and EMA), history, layers, view and particles; bad files are
// refused with a message naming the problem and the scene stays. (The
// autosave and crash restore: tst_app_autosave.)
#include "AppTestSupport.h"
#include "state/LayerSettingsJson.h"
#include "window/MainWindow.h"

#include "core/Error.h"
#include "core/SceneFile.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {
QString writeFile(const QTemporaryDir& dir, const QString& name, const std::string& text)
{
    const QString path = dir.filePath(name);
    std::ofstream(path.toStdString(), std::ios::binary) << text;
    return path;
}

std::string readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

// Saves and waits for the training thread to report it written.
bool saveAndWait(MainWindow& w, const QString& path)
{
    w.saveScene(path);
    return eventually([&] { return w.sceneFile() == QFileInfo(path).absoluteFilePath(); });
}

// The weights the training thread publishes, EMA or raw.
Eigen::VectorXf publishedWeights(MainWindow& w, bool ema)
{
    w.training()->postPublishEma(ema);
    if (!eventually([&] { return w.training()->latest()->ema == ema; })) return {};
    return w.training()->latest()->net.mlp().params();
}

bool sameHistory(const std::vector<LossRecord>& a, const std::vector<LossRecord>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].step != b[i].step || a[i].loss != b[i].loss || a[i].levels.size() != b[i].levels.size())
            return false;
        for (std::size_t k = 0; k < a[i].levels.size(); ++k) {
            const double x = a[i].levels[k], y = b[i].levels[k];
            if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
        }
    }
    return true;
}

// Particles after a reset and `steps` single steps, paused (exact score: no timing).
Eigen::Matrix2Xd particlesAfter(MainWindow& w, int steps)
{
    app::SamplingWorker* s = w.sampling();
    s->postPause();
    s->postReset();
    for (int i = 0; i < steps; ++i) s->postStep();
    if (!eventually([&] { return s->latest()->step == steps && !s->latest()->playing; })) return {};
    return s->latest()->particles;
}
} // namespace

class TestAppScene : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void badFilesAreRefused();
    void layersJson();
};

void TestAppScene::roundTrip()
{
    QTemporaryDir dir;
    // A small labelled data set, loaded through the Data dock.
    std::string csv = "x,y,label\n";
    for (int i = 0; i < 60; ++i)
        csv += std::to_string(std::cos(0.3 * i) * (1 + i % 3)) + "," + std::to_string(std::sin(0.7 * i)) +
            "," + std::to_string(i % 3) + "\n";
    const QString csvPath = writeFile(dir, "three.csv", csv);

    MainWindow a(smallScene(), false);
    a.dataPanel()->loadCsvFile(csvPath);
    QCOMPARE(a.dataPanel()->current()->numClasses, 3);
    // The sampler: exact score, another seed and length.
    a.samplerPanel()->findChild<QComboBox*>("scoreSource")->setCurrentIndex(1);
    auto* seed = a.samplerPanel()->findChild<QSpinBox*>("samplerSeed");
    seed->setValue(17);
    emit seed->editingFinished(); // what the panel applies on
    a.training()->postStep(25);
    QVERIFY(
        eventually([&] { return a.training()->latest()->step == 25 && !a.training()->latest()->running; }));
    QVERIFY(eventually([&] {
        return !a.trainingPanel()->history().empty() && a.trainingPanel()->history().back().step == 25;
    }));
    view::LayerSettings layers = a.layersPanel()->layers();
    layers.trails.visible = false;
    layers.error = {true, 0.5f};
    layers.arrows = 20;
    layers.heatCells = 64;
    a.applyLayers(layers);
    a.scrubber()->setPosition(0.8);
    a.scene()->setVisibleRect(QRectF(-1.7, -0.9, 3.1, 2.2));

    const QString path = dir.filePath("lecture.scorescope");
    QVERIFY(saveAndWait(a, path));
    QVERIFY(a.statusBar()->currentMessage().contains("scene saved to"));
    QVERIFY(a.windowTitle().contains("lecture.scorescope"));
    QCOMPARE(a.recentScenes().value(0), QFileInfo(path).absoluteFilePath());

    MainWindow b(smallScene(), false);
    QVERIFY(b.openScene(path));
    QVERIFY(b.windowTitle().contains("lecture.scorescope"));
    QVERIFY(b.statusBar()->currentMessage().contains("opened lecture.scorescope"));
    // Training stays paused where it was.
    QVERIFY(eventually([&] { return b.training()->latest()->step == 25; }));
    QTest::qWait(200);
    QCOMPARE(b.training()->latest()->step, 25);
    QVERIFY(!b.training()->latest()->running);
    // Its first snapshot reached the window (the network goes to sampler and fields).
    auto* status = b.trainingPanel()->findChild<QLabel*>("trainingStatus");
    QVERIFY(eventually([&] { return status->text().contains("step 25"); }));
    QVERIFY2(!status->text().contains("nan"), qPrintable(status->text())); // the saved history's last loss

    // Identical settings.
    const app::SnapshotPtr ta = a.training()->latest(), tb = b.training()->latest();
    QVERIFY(ta->model == tb->model);
    QVERIFY(ta->objective == tb->objective);
    QCOMPARE(ta->schedule.sigmas(), tb->schedule.sigmas());
    QVERIFY(b.dataPanel()->current()->points == a.dataPanel()->current()->points);
    QCOMPARE(b.dataPanel()->current()->labels, a.dataPanel()->current()->labels);
    QCOMPARE(b.samplerPanel()->findChild<QComboBox*>("scoreSource")->currentIndex(), 1);
    QCOMPARE(b.samplerPanel()->findChild<QSpinBox*>("samplerSeed")->value(), 17);
    QCOMPARE(b.layersPanel()->layers().trails.visible, false);
    QCOMPARE(b.layersPanel()->layers().error.opacity, 0.5f);
    QCOMPARE(b.scene()->layers().arrows, 20);
    QCOMPARE(b.scene()->layers().heatCells, 64);
    QCOMPARE(b.scrubber()->slider()->value(), a.scrubber()->slider()->value());
    // The view, exactly (both widgets have the same size).
    const QRectF va = a.scene()->visibleRect(), vb = b.scene()->visibleRect();
    QVERIFY2(std::abs(va.left() - vb.left()) < 1e-9 && std::abs(va.right() - vb.right()) < 1e-9 &&
                 std::abs(va.top() - vb.top()) < 1e-9 && std::abs(va.bottom() - vb.bottom()) < 1e-9,
             qPrintable(QString("%1 %2 %3 %4 vs %5 %6 %7 %8")
                            .arg(va.left())
                            .arg(va.right())
                            .arg(va.top())
                            .arg(va.bottom())
                            .arg(vb.left())
                            .arg(vb.right())
                            .arg(vb.top())
                            .arg(vb.bottom())));
    // The loss history.
    QVERIFY(sameHistory(a.trainingPanel()->history(), b.trainingPanel()->history()));

    // Weights bit-exact, raw and EMA.
    const Eigen::VectorXf rawA = publishedWeights(a, false), rawB = publishedWeights(b, false);
    QVERIFY(rawA.size() > 0);
    QVERIFY(rawA == rawB);
    const Eigen::VectorXf emaA = publishedWeights(a, true), emaB = publishedWeights(b, true);
    QVERIFY(emaA.size() > 0);
    QVERIFY(emaA == emaB);
    QVERIFY(emaA != rawA); // the test can tell them apart

    // Everything else the file holds: b saves the same scene again (the view
    // may differ in the last bits, so it is compared above, not here).
    const QString again = dir.filePath("again.scorescope");
    QVERIFY(saveAndWait(b, again));
    SceneDocument da = ss::loadScene(path.toStdString()), db = ss::loadScene(again.toStdString());
    QVERIFY(da.training && db.training);
    QCOMPARE(da.training->adam.step, std::int64_t(25));
    da.app.erase("view");
    db.app.erase("view");
    QCOMPARE(QString::fromStdString(sceneToJsonText(db)), QString::fromStdString(sceneToJsonText(da)));

    // Training goes on from there: the same steps give the same weights.
    a.training()->postStep(5);
    b.training()->postStep(5);
    QVERIFY(
        eventually([&] { return a.training()->latest()->step == 30 && b.training()->latest()->step == 30; }));
    QVERIFY(publishedWeights(a, false) == publishedWeights(b, false));

    // The same particles for the same seed.
    const Eigen::Matrix2Xd pa = particlesAfter(a, 7), pb = particlesAfter(b, 7);
    QCOMPARE(pa.cols(), Eigen::Index(200));
    QVERIFY(pa == pb);
}

void TestAppScene::badFilesAreRefused()
{
    QTemporaryDir dir;
    MainWindow w(smallScene(), false);
    w.training()->postStep(3);
    QVERIFY(eventually([&] { return w.training()->latest()->step == 3; }));
    const QString goodPath = dir.filePath("good.scorescope");
    QVERIFY(saveAndWait(w, goodPath));
    const std::string good = readFile(goodPath);
    QVERIFY(!good.empty());
    auto mutated = [&](auto change) {
        nlohmann::json j = nlohmann::json::parse(good);
        change(j);
        return j.dump();
    };
    const std::pair<std::string, QString> cases[] = {
        {good.substr(0, good.size() / 2), "not valid JSON"},
        {mutated([](auto& j) { j["version"] = 99; }), "newer ScoreScope"},
        {mutated([](auto& j) { j["model"]["hidden"] = "wide"; }), "model"},
        {mutated([](auto& j) { j["sampling"]["sampler"]["stepSize"] = "NaN"; }), "sampling.sampler.stepSize"},
        {"\x89PNG\r\n\x1a\n not a scene", "not valid JSON"},
        {mutated([](auto& j) {
             j["app"]["layers"]["glow"] = {true, 1};
         }),
         "app.layers.glow"},
        {mutated([](auto& j) { j["app"]["view"]["xMax"] = -100; }), "app.view"},
    };
    const app::TrainingWorker* before = w.training();
    const auto data = w.dataPanel()->current();
    const std::string title = w.windowTitle().toStdString();
    int k = 0;
    for (const auto& [text, phrase] : cases) {
        const QString name = QString("bad%1.scorescope").arg(k++);
        const QString path = writeFile(dir, name, text);
        QVERIFY(!w.openScene(path));
        const QString m = w.statusBar()->currentMessage();
        QVERIFY2(m.contains(name) && m.contains(phrase), qPrintable(name + ": " + m));
        // Nothing changed.
        QCOMPARE(w.training(), before);
        QCOMPARE(w.dataPanel()->current(), data);
        QCOMPARE(w.sceneFile(), QFileInfo(goodPath).absoluteFilePath());
        QCOMPARE(w.windowTitle().toStdString(), title);
    }
    QVERIFY(!w.openScene(dir.filePath("missing.scorescope")));
    QVERIFY(w.statusBar()->currentMessage().contains("missing.scorescope"));
    QCOMPARE(w.training()->latest()->step, std::int64_t(3));
    // And the good one opens.
    QVERIFY(w.openScene(goodPath));
    QVERIFY(w.training() != before);
}

void TestAppScene::layersJson()
{
    view::LayerSettings l;
    l.noised = {true, 0.25f};
    l.particles.visible = false;
    l.arrows = 40;
    l.modelDensity = {true, 0.5f};
    l.modelDensityView = view::DensityView::Difference;
    const view::LayerSettings back = view::layersFromJson(view::layersToJson(l), "layers");
    QCOMPARE(back.modelDensity.visible, true);
    QCOMPARE(back.modelDensity.opacity, 0.5f);
    QCOMPARE(back.modelDensityView, view::DensityView::Difference);
    QCOMPARE(back.noised.visible, true);
    QCOMPARE(back.noised.opacity, 0.25f);
    QCOMPARE(back.particles.visible, false);
    QCOMPARE(back.arrows, 40);
    QCOMPARE(back.heatCells, l.heatCells);
    auto refusal = [](const nlohmann::json& j) {
        try {
            view::layersFromJson(j, "layers");
        } catch (const InputError& e) {
            return QString::fromStdString(e.what());
        }
        return QString();
    };
    QCOMPARE(refusal({{"glow", {true, 1}}}), QString("layers.glow: unknown layer setting"));
    QVERIFY(refusal({{"data", {true, 2}}}).startsWith("layers.data: expected"));
    QVERIFY(refusal({{"data", "yes"}}).startsWith("layers.data: expected"));
    QVERIFY(refusal({{"arrows", 1.5}}).startsWith("layers.arrows: expected an integer"));
    QVERIFY(refusal({{"heatCells", 5000}}).startsWith("layers.heatCells"));
    QVERIFY(refusal({{"modelDensityView", "both"}}).startsWith("layers.modelDensityView: expected \"model\""));
    QVERIFY(refusal(3).startsWith("layers: expected an object"));
    QVERIFY(refusal({{"data", {false, 0.5}}}).isEmpty());
}

QTEST_MAIN(TestAppScene)
#include "tst_app_scene.moc"
