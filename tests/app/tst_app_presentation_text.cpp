// Presentation mode's text outside the scene (window/PresentationMode,
// window/ScaledFonts): the lesson card, the menu bar and the strip under the
// scene grow by the font scale while presenting, without compounding when the
// scale changes, and get exactly their fonts back on leaving; the lesson card
// stays in view during a lecture (its authoring row hidden) and not without
// one, and outside presentation mode the Training tab stays in front of it
// until a lecture starts. Offscreen: the window is shown so that shortcuts
// reach it.
#include "AppTestSupport.h"
#include "window/LecturePresets.h"
#include "window/LessonPanel.h"
#include "window/MainWindow.h"
#include "window/ScaledFonts.h"

#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QTabBar>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::smallScene;

class TestAppPresentationText : public QObject {
    Q_OBJECT
private slots:
    void scaledFontsRestoreExactly();
    void lessonCardFollowsTheFontScale();
    void lessonCardOnlyDuringALecture();

private:
    std::unique_ptr<MainWindow> shownWindow();
};

namespace {

// The card's label that shows text (the lesson's title), or null.
QLabel* labelShowing(QWidget* panel, const QString& text)
{
    for (QLabel* l : panel->findChildren<QLabel*>())
        if (l->text() == text) return l;
    return nullptr;
}

// The tab in front of the tab group that holds the Lesson dock, or empty.
QString frontTabBesideLesson(QMainWindow* w)
{
    for (QTabBar* bar : w->findChildren<QTabBar*>())
        for (int i = 0; i < bar->count(); ++i)
            if (bar->tabText(i) == QStringLiteral("Lesson")) return bar->tabText(bar->currentIndex());
    return QString();
}

QPushButton* buttonNamed(QWidget* panel, const QString& prefix)
{
    for (QPushButton* b : panel->findChildren<QPushButton*>())
        if (b->text().startsWith(prefix)) return b;
    return nullptr;
}

} // namespace

std::unique_ptr<MainWindow> TestAppPresentationText::shownWindow()
{
    auto w = std::make_unique<MainWindow>(smallScene(), false);
    w->show();
    w->activateWindow();
    if (!QTest::qWaitForWindowActive(w.get())) return nullptr;
    return w;
}

void TestAppPresentationText::scaledFontsRestoreExactly()
{
    // A parent with an inherited font, a child with its own bold one, a
    // grandchild inheriting the child's: each scaled once, then as before,
    // and an inherited font follows its parent again after restore().
    QWidget parent;
    auto* child = new QLabel(&parent);
    QFont bold = child->font();
    bold.setBold(true);
    bold.setPointSizeF(13);
    child->setFont(bold);
    auto* grandchild = new QLabel(child);
    const QFont parentFont = parent.font();
    ScaledFonts fonts;
    fonts.apply({&parent}, 2.0);
    fonts.apply({&parent}, 1.5); // from the originals, not from ×2
    QCOMPARE(parent.font().pointSizeF(), parentFont.pointSizeF() * 1.5);
    QCOMPARE(child->font().pointSizeF(), 13 * 1.5);
    QVERIFY(child->font().bold());
    QCOMPARE(grandchild->font().pointSizeF(), 13 * 1.5);
    fonts.restore();
    QCOMPARE(parent.font(), parentFont);
    QCOMPARE(child->font(), bold);
    QCOMPARE(grandchild->font(), bold);
    QVERIFY(!parent.testAttribute(Qt::WA_SetFont)); // inherits from the application again
    QVERIFY(!grandchild->testAttribute(Qt::WA_SetFont));
    QFont big = bold;
    big.setPointSizeF(20);
    child->setFont(big);
    QCOMPARE(grandchild->font().pointSizeF(), 20.0);
    // A font given in pixels is scaled in pixels.
    QFont pixels;
    pixels.setPixelSize(10);
    QCOMPARE(ScaledFonts::scaled(pixels, 1.8).pixelSize(), 18);
}

void TestAppPresentationText::lessonCardFollowsTheFontScale()
{
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    const std::vector<LecturePreset> presets = lecturePresets();
    QVERIFY(!presets.empty());
    QVERIFY(w->startLecture(presets[0]));
    LessonPanel* card = w->lessonPanel();
    QLabel* title = labelShowing(card, presets[0].lesson.title);
    QVERIFY(title);
    QPushButton* next = buttonNamed(card, "Next");
    QPushButton* save = buttonNamed(card, "Save current scene");
    QVERIFY(next && save);
    const QFont titleFont = title->font(), nextFont = next->font(), menuFont = w->menuBar()->font();
    QVERIFY(save->isVisible());

    PresentationMode* mode = w->presentation();
    QTest::keyClick(w.get(), Qt::Key_F11);
    QVERIFY(mode->active());
    const double k = PresentationMode::kDefaultScale;
    auto* dock = w->findChild<QDockWidget*>("lessonDock");
    QVERIFY(dock->isVisible());                                       // the card stays during a lecture
    QVERIFY(!w->findChild<QDockWidget*>("samplerDock")->isVisible()); // the other docks go
    QCOMPARE(title->font().pointSizeF(), titleFont.pointSizeF() * k);
    QVERIFY(title->font().bold());
    QCOMPARE(next->font().pointSizeF(), nextFont.pointSizeF() * k);
    QCOMPARE(w->menuBar()->font().pointSizeF(), menuFont.pointSizeF() * k);
    QVERIFY(!save->isVisible()); // the authoring row is not for the audience
    // Ctrl+=: one more step of scale, from the original sizes.
    QTest::keyClick(w.get(), Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(mode->fontScale(), 2.0);
    QCOMPARE(title->font().pointSizeF(), titleFont.pointSizeF() * 2.0);
    // PgDn steps the lesson; the new step's text shows at the larger size too.
    w->scene()->setFocus();
    QTest::keyClick(w->scene(), Qt::Key_PageDown);
    QCOMPARE(card->currentStep(), 1);
    QCOMPARE(title->font().pointSizeF(), titleFont.pointSizeF() * 2.0);

    QTest::keyClick(w.get(), Qt::Key_Escape);
    QVERIFY(!mode->active());
    QCOMPARE(title->font(), titleFont);
    QCOMPARE(next->font(), nextFont);
    QCOMPARE(w->menuBar()->font(), menuFont);
    QVERIFY(save->isVisible());
}

void TestAppPresentationText::lessonCardOnlyDuringALecture()
{
    auto w = shownWindow();
    if (!w) QSKIP("the window cannot be activated on this platform");
    auto* dock = w->findChild<QDockWidget*>("lessonDock");
    QCOMPARE(frontTabBesideLesson(w.get()), QStringLiteral("Training")); // not an empty "No lesson" card
    w->presentation()->enter();
    QVERIFY(!dock->isVisible()); // "No lesson" would only take room from the scene
    // A lecture started while presenting brings its card, at the larger size.
    const std::vector<LecturePreset> presets = lecturePresets();
    QVERIFY(w->startLecture(presets[0]));
    QVERIFY(dock->isVisible());
    QLabel* title = labelShowing(w->lessonPanel(), presets[0].lesson.title);
    QVERIFY(title);
    w->presentation()->leave();
    QCOMPARE(frontTabBesideLesson(w.get()), QStringLiteral("Lesson")); // the lecture's card in front
    const double size = title->font().pointSizeF();
    w->presentation()->enter();
    QCOMPARE(title->font().pointSizeF(), size * PresentationMode::kDefaultScale);
    w->presentation()->leave();
    QCOMPARE(title->font().pointSizeF(), size);
}

QTEST_MAIN(TestAppPresentationText)
#include "tst_app_presentation_text.moc"
