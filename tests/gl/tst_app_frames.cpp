// The scene draws on its own thread (issue 11, item 2: no GUI-thread stall):
// asking for a frame never waits for one, frames asked for faster than they
// are drawn collapse into the newest (no queue builds up behind a slow
// renderer), and the whole window, shown under Xvfb with training and sampling
// running, keeps its event loop served and no event costs the GUI thread over
// 30 ms of work. Skips, saying why, without an X
// display or OpenGL 3.3 core.
#include "AppTestSupport.h"
#include "GlTestSupport.h"
#include "view/SceneView.h"
#include "window/Application.h"
#include "window/MainWindow.h"
#include "window/StallMonitor.h"

#include <QApplication>
#include <QSurfaceFormat>
#include <QThread>
#include <QtTest>

using namespace ss;

namespace {
bool haveDisplay = false;

app::ParticlesPtr particlesAt(double x, std::int64_t serial)
{
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles = Eigen::Matrix2Xd::Constant(2, 200, x);
    p->trail.push_back(p->particles);
    p->serial = serial;
    return p;
}
bool reddish(QRgb c) { return qRed(c) > 150 && qGreen(c) < 120 && qBlue(c) < 120; }
} // namespace

class TestAppFrames : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void framesCollapseToTheNewest();
    void shownWindowStaysResponsive();
};

void TestAppFrames::initTestCase()
{
    if (!haveDisplay) QSKIP("no X display: frame tests need one (scripts/test.sh runs them under xvfb-run)");
}

void TestAppFrames::framesCollapseToTheNewest()
{
    view::SceneView v;
    v.resize(400, 400);
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    v.renderNow();
    if (!v.glUsable()) QSKIP("no OpenGL 3.3 core context here");
    view::LayerSettings layers;
    layers.trails.visible = layers.data.visible = layers.density.visible = false;
    layers.learnedField.visible = false;
    v.setLayers(layers);
    auto box = std::make_shared<Dataset>();
    box->points.resize(2, 2);
    box->points << -1.6, 1.6, -1.6, 1.6; // frames [-2, 2]^2: world x is pixel 200 + 100 x
    v.setData(box);
    v.resetView();
    int shown = 0;
    QImage last;
    connect(&v, &view::SceneView::frameDrawn, this, [&] { ++shown; });
    // 300 snapshots in one go, each asking for a frame: the GUI thread does not
    // wait for any of them, and far fewer frames are drawn than asked for.
    QElapsedTimer clock;
    clock.start();
    for (int i = 1; i <= 300; ++i) v.setParticles(particlesAt(-1.5 + i / 100.0, i)); // ends at x = 1.5
    const qint64 askMs = clock.elapsed();
    QVERIFY2(askMs < 200, qPrintable(QString("asking for 300 frames took %1 ms").arg(askMs)));
    QTRY_VERIFY_WITH_TIMEOUT(shown > 0, 5000);
    QTest::qWait(500); // the newest request's frame arrives
    QVERIFY2(shown < 100, qPrintable(QString("%1 frames drawn for 300 requests").arg(shown)));
    // The newest state is what is shown: the particles at (1.5, 1.5), pixel
    // (350, 50); the first ones were at (-1.49, -1.49), pixel (51, 349).
    const QImage image = v.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const double dpr = image.devicePixelRatio();
    QVERIFY2(reddish(image.pixel(int(350 * dpr), int(50 * dpr))), "the newest particles are not shown");
    QVERIFY(!reddish(image.pixel(int(51 * dpr), int(349 * dpr))));
    qInfo("%d frames drawn for 300 requests", shown);
}

// The default scene shown at 1280 x 860, training and sampling: frames keep
// coming and no event waits long. The 30 ms target is measured by
// bench/frames.sh on a quiet machine; a test shares the machine with other
// tests, so it checks a looser bound (see kBoundMs).
void TestAppFrames::shownWindowStaysResponsive()
{
    // On a 2-core machine running another test beside this one, OS scheduling
    // alone delays a served event by tens of ms now and then (17-19 ms here on
    // a quiet machine). The GL pass and window composition on the GUI thread
    // (before) took 79 ms a frame at the median and 148 ms at worst.
    constexpr double kBoundMs = 100;
    window::MainWindow w(apptest::smallScene(), false);
    w.resize(1280, 860);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.scene()->renderNow();
    if (!w.scene()->glUsable()) QSKIP("no OpenGL 3.3 core context here");
    w.startAll();
    QTest::qWait(1500); // the first model and field
    window::StallMonitor monitor;
    window::EventCost& work = window::Application::instance()->eventCost();
    work.enable();
    work.reset();
    const std::size_t before = w.scene()->frameTimes().size();
    QTest::qWait(4000);
    const std::size_t frames = w.scene()->frameTimes().size() - before;
    const QString report = QString("%1 frames in 4 s, longest stall %2 ms (%3 over 30 ms), "
                                   "longest GUI-thread work %4 ms (%5)")
                               .arg(frames)
                               .arg(monitor.longestMs(), 0, 'f', 1)
                               .arg(monitor.countOver(30))
                               .arg(work.longestMs(), 0, 'f', 1)
                               .arg(work.longestWhat());
    qInfo("%s", qPrintable(report));
    QVERIFY2(frames >= 20, qPrintable(report));
    QVERIFY2(monitor.longestMs() < kBoundMs, qPrintable(report));
    // The program's own work per event, not counting waits for a core: the
    // issue's 30 ms holds exactly (8 ms measured at load average 15).
    QVERIFY2(work.longestMs() < 30, qPrintable(report));
}

int main(int argc, char** argv)
{
    haveDisplay = gltest::prepare();
    window::Application app(argc, argv); // measures the GUI thread's work per event
    TestAppFrames test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_app_frames.moc"
