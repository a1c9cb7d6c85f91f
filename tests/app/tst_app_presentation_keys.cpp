// The teaching keys (window/PresentationKeys) drive the workers through the
// docks' own paths while the scene has focus, and leave a dock's field alone
// while it has focus; presentation mode (window/PresentationMode) hides the
// docks and restores them, with the font scale and the palettes. Offscreen:
// the window is shown so that shortcuts reach it.
#include "AppTestSupport.h"
#include "window/LecturePresets.h"
#include "window/LessonPanel.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QCheckBox>
#include <QDockWidget>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

class TestAppPresentationKeys : public QObject {
    Q_OBJECT
private slots:
    void keysDriveTheWorkers();
    void keysLeaveFieldsAlone();
    void pageDownStepsThroughTheLectures();
    void presentationHidesAndRestoresTheDocks();

private:
    // A shown, active window with the scene focused; null when it cannot be activated here.
    std::unique_ptr<MainWindow> shownWindow();
};

std::unique_ptr<MainWindow> TestAppPresentationKeys::shownWindow()
{
    auto w = std::make_unique<MainWindow>(smallScene(), false);
    w->show();
    w->activateWindow();
    if (!QTest::qWaitForWindowActive(w.get())) return nullptr;
    w->scene()->setFocus();
    return w;
}

void TestAppPresentationKeys::keysDriveTheWorkers()
{
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    app::SamplingWorker* s = w->sampling();
    view::SceneView* scene = w->scene();
    w->startAll();
    QVERIFY(eventually([&] { return s->latest()->playing; }));
    // Space: pause, and play again.
    QTest::keyClick(scene, Qt::Key_Space);
    QVERIFY(eventually([&] { return !s->latest()->playing; }));
    QTest::keyClick(scene, Qt::Key_Space);
    QVERIFY(eventually([&] { return s->latest()->playing; }));
    QTest::keyClick(scene, Qt::Key_Space);
    QVERIFY(eventually([&] { return !s->latest()->playing; }));
    // R: a fresh run from the seed (step 0); →: exactly one step.
    QTest::keyClick(scene, Qt::Key_R);
    QVERIFY(eventually([&] { return s->latest()->step == 0; }));
    QTest::keyClick(scene, Qt::Key_Right);
    QVERIFY(eventually([&] { return s->latest()->step == 1; }));
    QTest::qWait(200);
    QCOMPARE(s->latest()->step, 1);
    QVERIFY(!s->latest()->playing);
    // 1: the Layers dock's first layer (data) off and on, in the view too.
    const bool data = scene->layers().data.visible;
    QTest::keyClick(scene, Qt::Key_1);
    QCOMPARE(scene->layers().data.visible, !data);
    QCOMPARE(w->layersPanel()->layers().data.visible, !data);
    QTest::keyClick(scene, Qt::Key_1);
    QCOMPARE(scene->layers().data.visible, data);
    // 7: particles.
    QTest::keyClick(scene, Qt::Key_7);
    QVERIFY(!scene->layers().particles.visible);
    // ↑ / ↓: the scrubber's σ up and down.
    const double sigma = w->scrubber()->level().marginal.std;
    QTest::keyClick(scene, Qt::Key_Up);
    QVERIFY(w->scrubber()->level().marginal.std > sigma);
    QTest::keyClick(scene, Qt::Key_Down);
    QTest::keyClick(scene, Qt::Key_Down);
    QVERIFY(w->scrubber()->level().marginal.std < sigma);
}

void TestAppPresentationKeys::keysLeaveFieldsAlone()
{
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    auto* spin = w->layersPanel()->findChild<QSpinBox*>("arrowsPerSide");
    QVERIFY(spin);
    spin->setFocus();
    QVERIFY(eventually([&] { return spin->hasFocus(); }));
    const int slider = w->scrubber()->slider()->value();
    const bool data = w->scene()->layers().data.visible;
    const int arrows = spin->value();
    QTest::keyClick(spin, Qt::Key_Up); // the spin box's, not the scrubber's
    QCOMPARE(spin->value(), arrows + 1);
    QCOMPARE(w->scrubber()->slider()->value(), slider);
    QTest::keyClick(spin, Qt::Key_1); // typed, not a layer toggle
    QCOMPARE(w->scene()->layers().data.visible, data);
}

void TestAppPresentationKeys::pageDownStepsThroughTheLectures()
{
    // The window connects PgDn / PgUp to the Lesson dock: they step through
    // the running lecture's lesson, and the Lectures menu's presets stay put.
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    const std::vector<LecturePreset> presets = lecturePresets();
    QVERIFY(!presets.empty());
    QVERIFY(w->startLecture(presets[0]));
    QVERIFY(w->lessonPanel()->stepCount() >= 2);
    QCOMPARE(w->lessonPanel()->currentStep(), 0);
    QSignalSpy next(w->teachingKeys(), &PresentationKeys::nextLessonStep);
    w->scene()->setFocus();
    QVERIFY(eventually([&] { return w->scene()->hasFocus(); }));
    QTest::keyClick(w->scene(), Qt::Key_PageDown);
    QCOMPARE(next.count(), 1);
    QCOMPARE(w->lessonPanel()->currentStep(), 1);
    QCOMPARE(w->controller()->setup().title, presets[0].scene.title);
    QTest::keyClick(w->scene(), Qt::Key_PageUp);
    QCOMPARE(w->lessonPanel()->currentStep(), 0);
    QCOMPARE(w->controller()->setup().title, presets[0].scene.title);
}

void TestAppPresentationKeys::presentationHidesAndRestoresTheDocks()
{
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    auto* layersDock = w->findChild<QDockWidget*>("layersDock");
    auto* samplerDock = w->findChild<QDockWidget*>("samplerDock");
    samplerDock->hide(); // a layout of the user's own
    QTest::qWait(200);   // laid out
    // Each dock's visibility, area and (shown) size: the layout as a person sees it.
    auto layout = [&] {
        QStringList docks;
        for (QDockWidget* d : w->findChildren<QDockWidget*>())
            docks << QString("%1 %2 %3 %4x%5")
                         .arg(d->objectName())
                         .arg(d->isVisible())
                         .arg(int(w->dockWidgetArea(d)))
                         .arg(d->isVisible() ? d->width() : 0)
                         .arg(d->isVisible() ? d->height() : 0);
        docks.sort(); // by name: restoring re-parents the docks, which reorders the children
        return docks;
    };
    const QStringList before = layout();
    const QSize sizeBefore = w->size();
    PresentationMode* mode = w->presentation();
    const QFont labelFont = w->scrubber()->findChildren<QLabel*>().last()->font();
    QCOMPARE(w->scene()->palette(), view::PaletteKind::Standard);
    QTest::keyClick(w.get(), Qt::Key_F11);
    QVERIFY(mode->active());
    QVERIFY(!layersDock->isVisible());
    QVERIFY(w->isFullScreen());
    QCOMPARE(w->scene()->scale(), PresentationMode::kDefaultScale);
    QCOMPARE(w->scene()->palette(), view::PaletteKind::HighContrast);
    QVERIFY(w->scene()->hasFocus());
    auto* sigmaLabel = w->scrubber()->findChildren<QLabel*>().last(); // σ = ...: larger too
    QCOMPARE(sigmaLabel->font().pointSizeF(), labelFont.pointSizeF() * PresentationMode::kDefaultScale);
    // Ctrl+= / Ctrl+-: the text scale, while presenting.
    QTest::keyClick(w.get(), Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(w->scene()->scale(), 2.0);
    QTest::keyClick(w.get(), Qt::Key_Minus, Qt::ControlModifier);
    QTest::keyClick(w.get(), Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(w->scene()->scale(), 1.6);
    // Esc leaves: the same docks, the scale and palette of before.
    QTest::keyClick(w.get(), Qt::Key_Escape);
    QVERIFY(!mode->active());
    QVERIFY(!w->isFullScreen());
    QVERIFY(layersDock->isVisible());
    QVERIFY(!samplerDock->isVisible());
    QCOMPARE(w->size(), sizeBefore);
    eventually([&] { return layout() == before; }, 2000); // once the layout settles
    QCOMPARE(layout(), before);
    QCOMPARE(w->scene()->scale(), 1.0);
    QCOMPARE(sigmaLabel->font(), labelFont);
    QCOMPARE(w->scene()->palette(), view::PaletteKind::Standard);
    QTest::keyClick(w.get(), Qt::Key_Equal, Qt::ControlModifier); // not presenting: no effect
    QCOMPARE(w->scene()->scale(), 1.0);
    // The palette menu: the colour-blind safe one stays in presentation mode and after.
    QAction* okabe = w->findChild<QAction*>("palette-colour-blind-safe");
    QVERIFY(okabe);
    okabe->trigger();
    QCOMPARE(w->scene()->palette(), view::PaletteKind::ColourBlindSafe);
    QCOMPARE(w->scene()->picture().palette, view::PaletteKind::ColourBlindSafe); // exports draw with it
    mode->enter();
    QCOMPARE(w->scene()->palette(), view::PaletteKind::ColourBlindSafe);
    mode->leave();
    QCOMPARE(w->scene()->palette(), view::PaletteKind::ColourBlindSafe);
}

QTEST_MAIN(TestAppPresentationKeys)
#include "tst_app_presentation_keys.moc"
