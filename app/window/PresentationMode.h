#pragma once
// Presentation mode (View → Presentation, F11, --presentation): the scene
// fills the screen for a lecture. Entering hides the docks and the status bar
// (the menu bar stays, so the View menu leads back), makes the window full
// screen, scales the scene's text, points and lines by the font scale and,
// when the standard palette is in use, switches to the high-contrast one;
// a banner names the keys. Leaving (F11 or Esc) restores exactly the dock
// layout, the window state and geometry and the palette from before.
//
// The font scale (default 1.8, Ctrl+= / Ctrl+- while presenting) and the
// palette (View → Palette, also outside presentation mode) are remembered in
// QSettings unless the window runs without settings.
#include "paint/SceneColours.h"

#include <QByteArray>
#include <QFont>
#include <QObject>

class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;
class QWidget;

namespace ss::view {
class SceneView;
}

namespace ss::window {

class PresentationMode : public QObject {
    Q_OBJECT
public:
    // scrubber: the strip under the scene, whose text grows with the scene's.
    PresentationMode(QMainWindow* window, view::SceneView* scene, QWidget* scrubber, bool useSettings);

    // Presentation (F11), larger / smaller text, the Palette submenu.
    void addToMenu(QMenu* view);
    bool active() const { return active_; }
    double fontScale() const { return fontScale_; }
    void setFontScale(double scale); // clamped to [kMinScale, kMaxScale]; applied at once while presenting
    void setPalette(view::PaletteKind palette); // the user's choice (remembered)
    QAction* toggleAction() const { return toggle_; }

    static constexpr double kDefaultScale = 1.8, kMinScale = 1.0, kMaxScale = 3.5;

public slots:
    void enter();
    void leave();
    void setActive(bool on);

signals:
    void activeChanged(bool active);

private:
    void showPalette(view::PaletteKind palette); // the scene and the menu's radio items
    void applyScale();

    QMainWindow* window_;
    view::SceneView* scene_;
    QWidget* scrubber_;
    bool useSettings_;
    bool active_ = false;
    double fontScale_ = kDefaultScale;
    view::PaletteKind palette_ = view::PaletteKind::Standard; // chosen outside presentation
    // What entering changed, restored on leaving.
    QByteArray dockState_, geometry_;
    Qt::WindowStates windowState_;
    bool statusBarShown_ = true;
    QFont scrubberFont_;
    QAction *toggle_ = nullptr, *larger_ = nullptr, *smaller_ = nullptr, *escape_ = nullptr;
    QActionGroup* palettes_ = nullptr;
};

} // namespace ss::window
