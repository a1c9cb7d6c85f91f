// Presentation mode on a real display (Xvfb under scripts/test.sh): the GL
// frame's text and points grow with the scene's scale, and in presentation
// mode the scene fills the window, which fills the screen. Skips, saying why,
// without an X display or OpenGL 3.3 core.
#include "AppTestSupport.h"
#include "GlTestSupport.h"
#include "view/SceneView.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QScreen>
#include <QSurfaceFormat>
#include <QtTest>

using namespace ss;

namespace {
bool haveDisplay = false;

bool dark(QRgb c) { return qGray(c) < 110; }
bool reddish(QRgb c) { return qRed(c) > 150 && qGreen(c) < 120 && qBlue(c) < 120; }

// The height of the box around the pixels dark in a and not in b, in the top
// left quarter (the caption's; the frame rate at the bottom right changes).
int darkDifferenceHeight(const QImage& a, const QImage& b)
{
    int top = a.height(), bottom = -1;
    for (int y = 0; y < a.height() / 2; ++y)
        for (int x = 0; x < a.width() / 2; ++x)
            if (dark(a.pixel(x, y)) && !dark(b.pixel(x, y))) {
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
    return bottom - top + 1;
}

int count(const QImage& image, bool (*what)(QRgb))
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) n += what(image.pixel(x, y));
    return n;
}
} // namespace

class TestAppPresentation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void captionGrowsWithTheScale();
    void particlesGrowWithTheScale();
    void sceneFillsTheScreen();

private:
    std::unique_ptr<view::SceneView> makeView(); // shown, 800 x 600; null without GL
};

void TestAppPresentation::initTestCase()
{
    if (!haveDisplay) QSKIP("no X display: render tests need one (scripts/test.sh runs them under xvfb-run)");
}

std::unique_ptr<view::SceneView> TestAppPresentation::makeView()
{
    auto v = std::make_unique<view::SceneView>();
    v->resize(800, 600);
    v->show();
    if (!QTest::qWaitForWindowExposed(v.get())) return nullptr;
    v->renderNow();
    if (!v->glUsable()) return nullptr;
    return v;
}

void TestAppPresentation::captionGrowsWithTheScale()
{
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    auto captionHeight = [&](double scale) {
        v->setScale(scale);
        v->setCaption("Hg σ = 0.351");
        const QImage with = v->renderNow().convertToFormat(QImage::Format_RGB32);
        v->setCaption(QString());
        const QImage without = v->renderNow().convertToFormat(QImage::Format_RGB32);
        return darkDifferenceHeight(with, without);
    };
    const int plain = captionHeight(1.0), presented = captionHeight(1.8);
    QVERIFY2(plain > 6, qPrintable(QString::number(plain)));
    const double ratio = double(presented) / plain;
    QVERIFY2(ratio > 1.6 && ratio < 2.0, qPrintable(QString("%1 -> %2 px").arg(plain).arg(presented)));
}

void TestAppPresentation::particlesGrowWithTheScale()
{
    auto v = makeView();
    if (!v) QSKIP("no OpenGL 3.3 core context here");
    view::LayerSettings layers;
    layers.trails.visible = layers.learnedField.visible = layers.data.visible = layers.density.visible = false;
    v->setLayers(layers);
    // Nine particles far apart (no overlap at either size).
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles.resize(2, 9);
    for (int i = 0; i < 9; ++i) p->particles.col(i) << -1.2 + 1.2 * (i % 3), -1.2 + 1.2 * (i / 3);
    p->serial = 1;
    v->setParticles(p);
    v->setScale(1.0);
    const int small = count(v->renderNow().convertToFormat(QImage::Format_RGB32), reddish);
    v->setScale(2.0);
    const int large = count(v->renderNow().convertToFormat(QImage::Format_RGB32), reddish);
    QVERIFY2(small > 9, qPrintable(QString::number(small)));
    // Twice the diameter: about four times the area.
    QVERIFY2(large > 2.8 * small && large < 5.5 * small, qPrintable(QString("%1 -> %2 px").arg(small).arg(large)));
}

void TestAppPresentation::sceneFillsTheScreen()
{
    window::MainWindow w(apptest::smallScene(), false);
    w.resize(1280, 860);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const int sceneWidthBefore = w.scene()->width();
    w.presentation()->enter();
    const QSize screen = w.screen()->geometry().size();
    QVERIFY2(apptest::eventually([&] { return w.size() == screen; }, 3000),
             qPrintable(QString("%1x%2").arg(w.width()).arg(w.height())));
    // The width, and all the height but the menu bar and the noise scrubber's strip.
    QVERIFY(apptest::eventually([&] { return w.scene()->width() == w.width(); }, 3000));
    QVERIFY2(w.scene()->height() > 0.85 * w.height(), qPrintable(QString::number(w.scene()->height())));
    QVERIFY(w.scene()->width() > sceneWidthBefore);
    w.scene()->setCaption("presented");
    const QImage frame = w.scene()->renderNow();
    QCOMPARE(frame.deviceIndependentSize().toSize(), w.scene()->size());
    if (qEnvironmentVariableIsSet("SCORESCOPE_TEST_SHOTS")) { // to look at: the default, then Okabe-Ito with the error map
        const QString dir = qEnvironmentVariable("SCORESCOPE_TEST_SHOTS");
        w.startAll();
        QTest::qWait(3000);
        w.grab().save(dir + "/presentation.png");
        w.presentation()->setPalette(view::PaletteKind::ColourBlindSafe);
        w.activateWindow(); // the keys need an active window
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.scene()->setFocus();
        for (Qt::Key layer : {Qt::Key_4, Qt::Key_5, Qt::Key_9}) QTest::keyClick(w.scene(), layer); // error, exact field, step terms
        QTest::keyClick(w.scene(), Qt::Key_Space); // paused: the step terms show
        QTest::qWait(3000);
        w.grab().save(dir + "/presentation-okabe-error.png");
    }
    w.presentation()->leave();
    QVERIFY(apptest::eventually([&] { return w.scene()->width() == sceneWidthBefore; }, 3000));
}

int main(int argc, char** argv)
{
    haveDisplay = gltest::prepare();
    QApplication app(argc, argv);
    TestAppPresentation test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_app_presentation.moc"
