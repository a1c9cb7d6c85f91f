#pragma once
// The Help menu: User guide (F1, GuideViewer), Keyboard shortcuts
// (ShortcutsDialog), What's This? (Shift+F1: click a control, e.g. a layer
// row, for its explanation), About ScoreScope (AboutDialog) and About Qt.
// Each window is made on first use and reused; none is modal.
#include <QObject>

#include <functional>

class QMainWindow;
class QMenu;

namespace ss::window {

class AboutDialog;
class GuideViewer;
class ShortcutsDialog;

class HelpMenu : public QObject {
    Q_OBJECT
public:
    // glDescription: the scene's OpenGL renderer, for About.
    HelpMenu(QMainWindow* window, std::function<QString()> glDescription);

    QMenu* menu() const { return menu_; }
    GuideViewer* showGuide();
    ShortcutsDialog* showShortcuts();
    AboutDialog* showAbout();

private:
    QMainWindow* window_;
    QMenu* menu_;
    std::function<QString()> glDescription_;
    GuideViewer* guide_ = nullptr;
    ShortcutsDialog* shortcuts_ = nullptr;
    AboutDialog* about_ = nullptr;
};

} // namespace ss::window
