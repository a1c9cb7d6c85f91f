#include "window/ViewMenu.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>

namespace ss::window {

namespace {
// Qt's layout version: raising it (when the docks change so much that an old
// layout would misplace them) makes every saved layout be ignored once.
constexpr int kLayoutVersion = 0;
} // namespace

ViewMenu::ViewMenu(QMainWindow* window) : QObject(window), window_(window)
{
    menu_ = window->menuBar()->addMenu(tr("&View"));
    menu_->setObjectName("viewMenu");
    for (QDockWidget* dock : window->findChildren<QDockWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setObjectName(dock->objectName() + "Toggle");
        toggle->setStatusTip(tr("Show or hide the %1 dock").arg(dock->windowTitle()));
        menu_->addAction(toggle);
    }
    menu_->addSeparator();
    QAction* restore = menu_->addAction(tr("&Restore default layout"), this, &ViewMenu::restoreDefaultLayout);
    restore->setObjectName("restoreDefaultLayout");
    restore->setStatusTip(tr("Every dock shown, where the window first put it"));
    defaultState_ = window->saveState(kLayoutVersion);
}

void ViewMenu::restoreDefaultLayout() { window_->restoreState(defaultState_, kLayoutVersion); }

bool ViewMenu::restoreSaved(const QSettings& settings)
{
    const QByteArray geometry = settings.value("window/geometry").toByteArray();
    const QByteArray state = settings.value("window/state").toByteArray();
    // Qt reads each blob whole before it applies it: a bad one changes nothing.
    const bool placed = !geometry.isEmpty() && window_->restoreGeometry(geometry);
    const bool laidOut = !state.isEmpty() && window_->restoreState(state, kLayoutVersion);
    return placed || laidOut;
}

void ViewMenu::save(QSettings& settings) const
{
    settings.setValue("window/geometry", window_->saveGeometry());
    settings.setValue("window/state", window_->saveState(kLayoutVersion));
}

} // namespace ss::window
