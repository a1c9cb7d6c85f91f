#pragma once
// The View menu: a checkable entry per dock (its toggleViewAction) and
// "Restore default layout", the docks as the window built them (captured once,
// when the menu is made: make it right after the docks, before a saved layout
// is restored). Others add to the menu through menu() (presentation mode, the
// palette).
//
// It also saves and restores the window's geometry and dock layout in
// QSettings; a saved layout that does not read (corrupt, or from another
// version's docks) is ignored and the default stays.
#include <QObject>

class QMainWindow;
class QMenu;
class QSettings;

namespace ss::window {

class ViewMenu : public QObject {
    Q_OBJECT
public:
    // Adds "&View" to window's menu bar, one entry per dock the window has now.
    explicit ViewMenu(QMainWindow* window);

    QMenu* menu() const { return menu_; }
    void restoreDefaultLayout();

    // The window's geometry and layout under "window/" (false: nothing usable
    // was saved; the window keeps its default).
    bool restoreSaved(const QSettings& settings);
    void save(QSettings& settings) const;

private:
    QMainWindow* window_;
    QMenu* menu_;
    QByteArray defaultState_;
};

} // namespace ss::window
