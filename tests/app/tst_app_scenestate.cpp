// SceneState: the scene file's "app" object (one strict reader, one writer)
// and the mapping scene file <-> setups, shared by the window and the CLI's
// render (tst_cli_appstate runs the CLI on the same malformed objects).
//
// How to add a case: a malformed "app" object is one row of
// malformedAppIsRefused_data (the object and the field its message names).
#include "AppTestSupport.h"
#include "core/Error.h"
#include "state/SceneState.h"

#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;

class TestAppSceneState : public QObject {
    Q_OBJECT
private slots:
    void appStateRoundTrip();
    void emptyAppIsAllDefaults();
    void malformedAppIsRefused_data();
    void malformedAppIsRefused();
    void setupRoundTrip();
    void windowWritesWhatTheReaderReads();
    void windowRefusesMalformedApp();
};

void TestAppSceneState::appStateRoundTrip()
{
    state::AppState a;
    view::LayerSettings layers;
    layers.error.visible = true;
    layers.arrows = 40;
    a.layers = layers;
    a.view = QRectF(QPointF(-2.5, -1), QPointF(3, 4.25));
    a.scrubber = 0.3;
    a.title = "Two moons ✓";
    const nlohmann::json j = state::appStateToJson(a);
    const state::AppState b = state::appStateFromJson(j, "t: app");
    QVERIFY(b.layers && b.view && b.scrubber && b.title);
    QCOMPARE(view::layersToJson(*b.layers), view::layersToJson(layers));
    QCOMPARE(*b.view, *a.view);
    QCOMPARE(*b.scrubber, 0.3);
    QCOMPARE(*b.title, *a.title);
    QCOMPARE(state::appStateToJson(b), j); // and written back the same
}

void TestAppSceneState::emptyAppIsAllDefaults()
{
    const state::AppState a = state::appStateFromJson(nlohmann::json::object(), "t: app");
    QVERIFY(!a.layers && !a.view && !a.scrubber && !a.title);
    QCOMPARE(state::appStateToJson(a), nlohmann::json::object());
}

void TestAppSceneState::malformedAppIsRefused_data()
{
    QTest::addColumn<QString>("app");
    QTest::addColumn<QString>("names");
    QTest::newRow("unknown field") << R"({"zoom": 2})" << "t: app.zoom: unknown field";
    QTest::newRow("title not text") << R"({"title": 3})" << "t: app";
    QTest::newRow("scrubber out of range") << R"({"scrubber": 1.5})" << "t: app.scrubber";
    QTest::newRow("view missing a side") << R"({"view": {"xMin": 0, "xMax": 1, "yMin": 0}})" << "t: app.view";
    QTest::newRow("view inverted") << R"({"view": {"xMin": 1, "xMax": 0, "yMin": 0, "yMax": 1}})" << "t: app.view";
    QTest::newRow("bad layer") << R"({"layers": {"data": [true, 3]}})" << "t: app.layers";
    QTest::newRow("not an object") << R"([1, 2])" << "t: app";
}

void TestAppSceneState::malformedAppIsRefused()
{
    QFETCH(QString, app);
    QFETCH(QString, names);
    try {
        state::appStateFromJson(nlohmann::json::parse(app.toStdString()), "t: app");
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString::fromStdString(e.what()).startsWith(names), e.what());
    }
}

void TestAppSceneState::setupRoundTrip()
{
    app::SceneSetup a = apptest::smallScene();
    a.sampling.source = app::SourceKind::Exact;
    a.sampling.stepsPerTick = 7;
    a.sampling.trailLength = 9;
    a.sampling.loop = false;
    a.training.publishEma = false;
    a.training.optimizer.learningRate = 2e-4;
    SceneDocument doc;
    state::setupToScene(a, doc);
    doc.origin = DataOrigin{"8gaussians", 321, 5, {}};
    state::AppState app;
    app.title = "From the file";
    app::SceneSetup base = app::defaultScene();
    base.sampling.holdTicks = 11; // not in the file: kept from base
    const app::SceneSetup b = state::setupFromScene(std::move(doc), app, base);
    QCOMPARE(b.training.data->points, a.training.data->points);
    QCOMPARE(b.sampling.data, b.training.data);
    QCOMPARE(b.training.model, a.training.model);
    QCOMPARE(b.training.schedule.sigmas(), a.training.schedule.sigmas());
    QCOMPARE(b.sampling.schedule.sigmas(), a.training.schedule.sigmas());
    QCOMPARE(b.training.optimizer.learningRate, 2e-4);
    QCOMPARE(b.training.trainer.batchSize, a.training.trainer.batchSize);
    QCOMPARE(b.training.publishEma, false);
    QVERIFY(b.sampling.sampler == a.sampling.sampler);
    QCOMPARE(b.sampling.source, app::SourceKind::Exact);
    QCOMPARE(b.sampling.stepsPerTick, 7);
    QCOMPARE(b.sampling.trailLength, 9);
    QCOMPARE(b.sampling.loop, false);
    QCOMPARE(b.sampling.holdTicks, 11);
    QCOMPARE(b.title, QString("From the file"));
    QCOMPARE(b.presetId, std::string("8gaussians"));
    QCOMPARE(b.points, 321);
    QCOMPARE(b.dataSeed, std::uint64_t(5));
}

// What the window saves is read back by the one reader, field for field.
void TestAppSceneState::windowWritesWhatTheReaderReads()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("w.scorescope");
    window::MainWindow w(apptest::smallScene(), false);
    view::LayerSettings layers = w.layersPanel()->layers();
    layers.trails.visible = false;
    w.applyLayers(layers);
    w.saveScene(path);
    QVERIFY(apptest::eventually([&] { return w.sceneFile() == QFileInfo(path).absoluteFilePath(); }));
    const SceneDocument doc = loadScene(path.toStdString());
    const state::AppState app = state::appStateFromJson(doc.app, "w: app");
    QVERIFY(app.layers && app.view && app.scrubber && app.title);
    QCOMPARE(app.layers->trails.visible, false);
    QCOMPARE(*app.title, w.controller()->setup().title);
    QCOMPARE(*app.view, w.scene()->visibleRect());
}

void TestAppSceneState::windowRefusesMalformedApp()
{
    QTemporaryDir dir;
    SceneDocument doc;
    state::setupToScene(apptest::smallScene(), doc);
    doc.app = {{"scrubber", 0.5}, {"zoom", 2}};
    const QString path = dir.filePath("bad.scorescope");
    saveScene(path.toStdString(), doc);
    window::MainWindow w(apptest::smallScene(), false);
    const auto data = w.controller()->setup().training.data;
    QVERIFY(!w.openScene(path));
    const QString m = w.statusBar()->currentMessage();
    QVERIFY2(m.contains("bad.scorescope: app.zoom: unknown field"), qPrintable(m));
    QCOMPARE(w.controller()->setup().training.data, data); // the scene stays
}

QTEST_MAIN(TestAppSceneState)
#include "tst_app_scenestate.moc"
