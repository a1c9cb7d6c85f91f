#include "window/HelpMenu.h"

#include "window/AboutDialog.h"
#include "window/GuideViewer.h"
#include "window/ShortcutsDialog.h"

#include <QAction>
#include <QApplication>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QWhatsThis>

namespace ss::window {

namespace {
template <class W>
W* raised(W* w)
{
    w->show();
    w->raise();
    w->activateWindow();
    return w;
}
} // namespace

HelpMenu::HelpMenu(QMainWindow* window, std::function<QString()> glDescription)
    : QObject(window), window_(window), glDescription_(std::move(glDescription))
{
    menu_ = window->menuBar()->addMenu(tr("&Help"));
    menu_->setObjectName("helpMenu");
    QAction* guide = menu_->addAction(tr("&User guide"), this, &HelpMenu::showGuide);
    guide->setObjectName("userGuide");
    guide->setShortcut(QKeySequence::HelpContents);
    guide->setStatusTip(tr("The guide: the window, each dock and layer, the samplers and their formulas"));
    QAction* keys = menu_->addAction(tr("&Keyboard shortcuts"), this, &HelpMenu::showShortcuts);
    keys->setObjectName("keyboardShortcuts");
    QAction* whatsThis = QWhatsThis::createAction(menu_);
    whatsThis->setObjectName("whatsThis");
    whatsThis->setStatusTip(tr("Click a control (a layer, a field) for what it means"));
    menu_->addAction(whatsThis);
    menu_->addSeparator();
    QAction* about = menu_->addAction(tr("&About ScoreScope"), this, &HelpMenu::showAbout);
    about->setObjectName("aboutScoreScope");
    about->setMenuRole(QAction::AboutRole);
    QAction* aboutQt = menu_->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

GuideViewer* HelpMenu::showGuide()
{
    if (!guide_) guide_ = new GuideViewer(window_);
    return raised(guide_);
}

ShortcutsDialog* HelpMenu::showShortcuts()
{
    if (!shortcuts_) shortcuts_ = new ShortcutsDialog(window_);
    shortcuts_->refresh(); // actions added since the last look
    return raised(shortcuts_);
}

AboutDialog* HelpMenu::showAbout()
{
    delete about_; // the renderer may be known by now
    about_ = new AboutDialog(glDescription_(), window_);
    return raised(about_);
}

} // namespace ss::window
