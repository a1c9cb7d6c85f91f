// The View and Help menus and the docks' explanations (offscreen; the window
// is built but not shown): a checkable entry per dock and the default layout
// back; the saved layout, and a corrupt one ignored; the shortcuts table read
// from the window's actions; About's version; the user guide's pages and
// links; a tooltip on every control of every dock and a What's This on every
// layer row.
#include "AppTestSupport.h"
#include "window/AboutDialog.h"
#include "window/GuideViewer.h"
#include "window/HelpMenu.h"
#include "window/MainWindow.h"
#include "window/ShortcutsDialog.h"
#include "window/ViewMenu.h"

#include "core/Version.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QMenu>
#include <QRegularExpression>
#include <QSettings>
#include <QSlider>
#include <QTableWidget>
#include <QTextBlock>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::smallScene;

namespace {
QList<QDockWidget*> docksOf(const MainWindow& w)
{
    return w.findChildren<QDockWidget*>(QString(), Qt::FindDirectChildrenOnly);
}

QDockWidget* dock(const MainWindow& w, const char* name) { return w.findChild<QDockWidget*>(name); }

// Compare samplers and Continuous flow open from the View menu: hidden until then.
bool hiddenAtFirst(const QDockWidget* d)
{
    return d->objectName() == QLatin1String("raceDock") || d->objectName() == QLatin1String("flowDock");
}

// The default layout, as Docks.cpp builds it.
void verifyDefaultLayout(const MainWindow& w)
{
    for (QDockWidget* d : docksOf(w)) {
        QVERIFY2(d->isHidden() == hiddenAtFirst(d), qPrintable(d->objectName()));
        QVERIFY2(!d->isFloating(), qPrintable(d->objectName()));
    }
    QCOMPARE(w.dockWidgetArea(dock(w, "raceDock")), Qt::BottomDockWidgetArea);
    QCOMPARE(w.dockWidgetArea(dock(w, "flowDock")), Qt::BottomDockWidgetArea);
    QCOMPARE(w.dockWidgetArea(dock(w, "dataDock")), Qt::LeftDockWidgetArea);
    QCOMPARE(w.dockWidgetArea(dock(w, "samplerDock")), Qt::RightDockWidgetArea);
    QCOMPARE(w.dockWidgetArea(dock(w, "trainingDock")), Qt::RightDockWidgetArea);
    QVERIFY(w.tabifiedDockWidgets(dock(w, "dataDock")).contains(dock(w, "scheduleDock")));
}
} // namespace

class TestAppMenus : public QObject {
    Q_OBJECT
private slots:
    void viewMenuShowsAndHidesEveryDock();
    void restoreDefaultLayout();
    void savedLayoutComesBackAndACorruptOneIsIgnored();
    void shortcutsTableListsTheWindowsActions();
    void aboutSaysTheVersion();
    void guideOpensItsIndexAndFollowsLinks();
    void everyControlOfEveryDockHasATooltip();
    void everyLayerRowHasWhatsThis();
};

void TestAppMenus::viewMenuShowsAndHidesEveryDock()
{
    MainWindow w(smallScene(), false);
    w.show(); // the entries' checks follow what is on screen
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QList<QDockWidget*> docks = docksOf(w);
    QCOMPARE(docks.size(), 10); // Data, Model, Noise schedule, Training, Sampler, Layers, Lesson, Measurements, Compare samplers, Continuous flow
    const QList<QAction*> entries = w.viewMenu()->menu()->actions();
    int checkable = 0;
    for (QAction* a : entries) checkable += a->isCheckable() ? 1 : 0;
    QCOMPARE(checkable, docks.size() + 1); // one per dock, and Presentation
    for (QDockWidget* d : docks) {
        QAction* toggle = d->toggleViewAction();
        QVERIFY2(entries.contains(toggle), qPrintable(d->objectName()));
        const bool shown = !hiddenAtFirst(d);
        QCOMPARE(toggle->isChecked(), shown);
        toggle->trigger();
        QVERIFY2(d->isVisible() != shown, qPrintable(d->objectName()));
        QCOMPARE(toggle->isChecked(), !shown);
        toggle->trigger();
        QVERIFY2(d->isVisible() == shown, qPrintable(d->objectName()));
        QCOMPARE(toggle->isChecked(), shown);
    }
}

void TestAppMenus::restoreDefaultLayout()
{
    MainWindow w(smallScene(), false);
    verifyDefaultLayout(w);
    // Rearranged: one dock closed, one floated, one moved to the other side.
    dock(w, "layersDock")->close();
    dock(w, "trainingDock")->setFloating(true);
    w.addDockWidget(Qt::RightDockWidgetArea, dock(w, "dataDock"));
    QCOMPARE(w.dockWidgetArea(dock(w, "dataDock")), Qt::RightDockWidgetArea);
    QAction* restore = w.viewMenu()->menu()->findChild<QAction*>("restoreDefaultLayout");
    if (!restore)
        for (QAction* a : w.viewMenu()->menu()->actions())
            if (a->objectName() == "restoreDefaultLayout") restore = a;
    QVERIFY(restore);
    restore->trigger();
    verifyDefaultLayout(w);
}

void TestAppMenus::savedLayoutComesBackAndACorruptOneIsIgnored()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath("layout.ini"), QSettings::IniFormat);
    QByteArray good;
    {
        MainWindow w(smallScene(), false);
        dock(w, "samplerDock")->close();
        w.viewMenu()->save(settings);
        good = settings.value("window/state").toByteArray();
    }
    {
        MainWindow w(smallScene(), false);
        QVERIFY(w.viewMenu()->restoreSaved(settings));
        QVERIFY(dock(w, "samplerDock")->isHidden()); // as it was saved
        QVERIFY(!dock(w, "dataDock")->isHidden());
    }
    // Garbage, a truncated layout, nothing: the default stays, nothing breaks.
    for (const QByteArray& bad : {QByteArray("not a layout"), good.left(good.size() / 2), QByteArray()}) {
        settings.setValue("window/geometry", bad);
        settings.setValue("window/state", bad);
        MainWindow w(smallScene(), false);
        QVERIFY(!w.viewMenu()->restoreSaved(settings));
        verifyDefaultLayout(w);
    }
}

void TestAppMenus::shortcutsTableListsTheWindowsActions()
{
    MainWindow w(smallScene(), false);
    // An action added after the window was built shows too (read when opened).
    auto* late = new QAction(QStringLiteral("Late &action"), &w);
    late->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_L));
    w.addAction(late);
    ShortcutsDialog* dialog = w.helpMenu()->showShortcuts();
    QTableWidget* table = dialog->table();
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r)
        rows << table->item(r, 1)->text() + QStringLiteral(" | ") + table->item(r, 2)->text();
    int withKeys = 0;
    for (QAction* a : w.findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty() || a->menu()) continue;
        ++withKeys;
        const QString keys = QKeySequence::listToString(a->shortcuts(), QKeySequence::NativeText);
        QString text = a->text();
        text.remove(QLatin1Char('&'));
        QVERIFY2(rows.contains(text + QStringLiteral(" | ") + keys), qPrintable(text + " " + keys + " in\n" + rows.join('\n')));
    }
    QVERIFY(withKeys >= 4); // Quit, Open, User guide, What's This?, …
    QVERIFY(rows.contains(QStringLiteral("Late action | ") +
                          QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_L).toString(QKeySequence::NativeText)));
    // The Help menu's own: F1 for the guide, Shift+F1 for What's This.
    const QList<QAction*> help = w.helpMenu()->menu()->actions();
    const auto byName = [&](const char* name) -> QAction* {
        for (QAction* a : help)
            if (a->objectName() == name) return a;
        return nullptr;
    };
    QVERIFY(byName("userGuide") && byName("userGuide")->shortcut() == QKeySequence(Qt::Key_F1));
    QVERIFY(byName("whatsThis") && byName("whatsThis")->shortcut() == QKeySequence(Qt::SHIFT | Qt::Key_F1));
    QVERIFY(byName("keyboardShortcuts") && byName("aboutScoreScope"));
}

void TestAppMenus::aboutSaysTheVersion()
{
    QVERIFY(QString::fromLatin1(kVersion).contains(QRegularExpression("^\\d+\\.\\d+\\.\\d+$")));
    MainWindow w(smallScene(), false);
    AboutDialog* about = w.helpMenu()->showAbout();
    const QString text = about->text();
    QVERIFY2(text.contains(QStringLiteral("ScoreScope ") + QString::fromLatin1(kVersion)), qPrintable(text));
    QVERIFY(text.contains(QString::fromLatin1(qVersion())));
    QVERIFY(text.contains(QStringLiteral(QT_VERSION_STR)));
    QVERIFY(text.contains(QStringLiteral("OpenGL")));
    QVERIFY(text.contains(QString::fromLatin1(kLicence)));
    QVERIFY(AboutDialog::aboutText(QStringLiteral("OpenGL 4.5 (core) TestGPU")).contains("TestGPU"));
}

void TestAppMenus::guideOpensItsIndexAndFollowsLinks()
{
    MainWindow w(smallScene(), false);
    GuideViewer* viewer = w.helpMenu()->showGuide();
    QTextBrowser* browser = viewer->browser();
    const QUrl index = GuideViewer::indexPage();
    QCOMPARE(viewer->page(), index);
    const QString shown = browser->toPlainText();
    QVERIFY(shown.contains(QStringLiteral("ScoreScope")));
    QVERIFY2(!shown.contains(QStringLiteral("](")), "rendered as Markdown, not shown as source");
    // The first relative link to another page of the guide is followed.
    QFile source(QLatin1Char(':') + index.path());
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QString markdown = QString::fromUtf8(source.readAll());
    QUrl followed;
    for (const QRegularExpressionMatch& m :
         QRegularExpression(QStringLiteral("\\]\\(([^)#:\\s]+\\.md)\\)")).globalMatch(markdown)) {
        const QUrl target = index.resolved(QUrl(m.captured(1)));
        if (target != index && QFile::exists(QLatin1Char(':') + target.path())) {
            followed = QUrl(m.captured(1));
            break;
        }
    }
    QVERIFY2(!followed.isEmpty(), "the index links to no other page");
    emit browser->anchorClicked(followed);
    QCOMPARE(viewer->page(), index.resolved(followed));
    QVERIFY(browser->toPlainText() != shown);
    QVERIFY(browser->isBackwardAvailable());
    browser->backward();
    QCOMPARE(viewer->page(), index);
    // "page.md#a-heading" lands on that heading (GitHub's slugs; Qt's Markdown has no anchors).
    QVERIFY(viewer->showPage(QUrl(index.toString() + QStringLiteral("#pages"))));
    QCOMPARE(browser->textCursor().block().text(), QStringLiteral("Pages"));
    // A link out of the built-in pages is refused, saying so; the page stays.
    emit browser->anchorClicked(QUrl(QStringLiteral("../../CMakeLists.txt")));
    QCOMPARE(viewer->page(), index);
    QVERIFY(!viewer->note().isEmpty());
    // Pictures load from the resources, no wider than the page.
    for (const QRegularExpressionMatch& m :
         QRegularExpression(QStringLiteral("!\\[[^\\]]*\\]\\(([^)\\s]+)\\)")).globalMatch(markdown)) {
        const QImage image = browser->loadResource(QTextDocument::ImageResource, QUrl(m.captured(1))).value<QImage>();
        QVERIFY2(!image.isNull(), qPrintable(m.captured(1)));
        QVERIFY(image.width() <= std::max(320, browser->viewport()->width()));
    }
}

void TestAppMenus::everyControlOfEveryDockHasATooltip()
{
    MainWindow w(smallScene(), false);
    QStringList missing;
    const auto check = [&](QDockWidget* d) {
        QList<QWidget*> controls;
        for (auto* c : d->findChildren<QAbstractSpinBox*>()) controls << c;
        for (auto* c : d->findChildren<QComboBox*>()) controls << c;
        for (auto* c : d->findChildren<QCheckBox*>()) controls << c;
        for (auto* c : d->findChildren<QSlider*>()) controls << c;
        // The Lesson dock has buttons only (their text says what they do); Measurements a table (its tooltip says what).
        if (d->objectName() == QStringLiteral("measurementsDock")) {
            auto* table = d->findChild<QTableWidget*>("measureTable");
            QVERIFY(table && !table->toolTip().isEmpty());
        } else if (d->objectName() != QStringLiteral("lessonDock")) {
            QVERIFY(!controls.isEmpty());
        }
        for (QWidget* c : controls)
            if (c->toolTip().trimmed().isEmpty())
                missing << d->objectName() + QStringLiteral("/") + c->objectName() + QStringLiteral(" (") +
                        c->metaObject()->className() + QStringLiteral(")");
    };
    for (QDockWidget* d : docksOf(w)) check(d);
    // Each data preset's own parameters too.
    auto* preset = w.dataPanel()->findChild<QComboBox*>("preset");
    for (int i = 0; i < preset->count(); ++i) {
        preset->setCurrentIndex(i);
        check(dock(w, "dataDock"));
    }
    missing.removeDuplicates();
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join('\n')));
    // The schedule kinds say their formula on the list.
    auto* kind = w.schedulePanel()->findChild<QComboBox*>("scheduleKind");
    for (int i = 0; i < kind->count(); ++i)
        QVERIFY2(!kind->itemData(i, Qt::ToolTipRole).toString().isEmpty(), qPrintable(kind->itemText(i)));
    // The symbols a lecture uses are in the tooltips.
    QVERIFY(w.trainingPanel()->findChild<QAbstractSpinBox*>("learningRate")->toolTip().contains(QStringLiteral("η")));
    QVERIFY(w.samplerPanel()->findChild<QAbstractSpinBox*>("stepSize")->toolTip().contains(QStringLiteral("√")));
    QVERIFY(w.schedulePanel()->findChild<QAbstractSpinBox*>("sigmaMin")->toolTip().contains(QStringLiteral("σ_min")));
}

void TestAppMenus::everyLayerRowHasWhatsThis()
{
    MainWindow w(smallScene(), false);
    const QList<QCheckBox*> rows = w.layersPanel()->findChildren<QCheckBox*>(QRegularExpression("^layer\\d+$"));
    QCOMPARE(rows.size(), 11); // the tenth (exact target) and eleventh (model density) have no presentation key
    for (QCheckBox* row : rows) {
        QVERIFY2(row->whatsThis().size() > 60, qPrintable(row->text()));
        QVERIFY2(row->whatsThis().contains(row->text().toHtmlEscaped()), qPrintable(row->text()));
        QVERIFY(!row->toolTip().isEmpty());
    }
    const QString density = w.layersPanel()->findChild<QCheckBox*>("layer3")->whatsThis();
    QVERIFY2(density.contains(QStringLiteral("p_σ(x) = ∫ p(y) N(x;")) && density.contains("sqrt(p/p_max)"),
             qPrintable(density));
}

QTEST_MAIN(TestAppMenus)
#include "tst_app_menus.moc"
