// scorescope-cli render reads a scene file's "app" object with the window's
// own reader (SceneState): a window-style object renders with its view, and a
// malformed one fails with the message the window shows (same field named).
#include "core/NoiseSchedule.h"
#include "core/Presets.h"
#include "core/SceneFile.h"

#include "CliTestSupport.h"

#ifdef SCORESCOPE_CLI_RENDER
#include "core/Error.h"
#include "state/SceneState.h"
#endif

#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

using clitest::cli;
using clitest::Run;

class TestCliAppState : public QObject {
    Q_OBJECT
private slots:
    void renderReadsWhatTheWindowReads_data();
    void renderReadsWhatTheWindowReads();

private:
    QTemporaryDir dir_;
};

void TestCliAppState::renderReadsWhatTheWindowReads_data()
{
    QTest::addColumn<QString>("app");
    QTest::addColumn<QString>("error"); // empty: renders
    QTest::newRow("as the window writes")
        << R"({"layers": {"trails": [false, 0.4], "arrows": 20}, "view": {"xMin": -3, "xMax": 3, "yMin": -2, "yMax": 2},
              "scrubber": 0.25, "title": "Eight"})"
        << "";
    QTest::newRow("empty") << "{}" << "";
    QTest::newRow("unknown field") << R"({"zoom": 2})" << "s.scorescope: app.zoom: unknown field";
    QTest::newRow("title not text") << R"({"title": 3})" << "s.scorescope: app";
    QTest::newRow("view inverted") << R"({"view": {"xMin": 1, "xMax": 0, "yMin": 0, "yMax": 1}})"
                                   << "s.scorescope: app.view: expected xMin < xMax";
}

void TestCliAppState::renderReadsWhatTheWindowReads()
{
#ifndef SCORESCOPE_CLI_RENDER
    QSKIP("scorescope-cli was built without the app (SCORESCOPE_BUILD_APP=OFF): no render command");
#else
    using namespace ss;
    QFETCH(QString, app);
    QFETCH(QString, error);
    SceneDocument scene;
    scene.data = makePreset("8gaussians", 200, 1);
    scene.model.hidden = {8};
    scene.schedule = NoiseSchedule::geometric(0.05, 4, 3);
    scene.sampling.sampler.kind = SamplerKind::AnnealedLangevin;
    scene.sampling.sampler.particles = 50;
    scene.sampling.sampler.stepsPerLevel = 2;
    scene.sampling.sampler.stepSize = 5e-4;
    scene.sampling.exactScore = true;
    scene.app = nlohmann::json::parse(app.toStdString());
    saveScene(dir_.filePath("s.scorescope").toStdString(), scene);
    // The window's reader, on the same object.
    QString windowError;
    try {
        state::appStateFromJson(scene.app, "s.scorescope: app");
    } catch (const InputError& e) {
        windowError = QString::fromStdString(e.what());
    }
    const Run r = cli({"render", "--scene", "s.scorescope", "--out", "s.png", "--width", "64", "--height", "48"},
                      dir_.path());
    if (error.isEmpty()) {
        QVERIFY2(windowError.isEmpty(), qPrintable(windowError));
        QVERIFY2(r.status == 0, qPrintable(r.err));
        QCOMPARE(QImage(dir_.filePath("s.png")).size(), QSize(64, 48));
        return;
    }
    QVERIFY2(windowError.startsWith(error), qPrintable(windowError));
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains(windowError), qPrintable(r.err + " / " + windowError)); // the same message
#endif
}

QTEST_APPLESS_MAIN(TestCliAppState)
#include "tst_cli_appstate.moc"
