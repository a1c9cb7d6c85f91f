#pragma once
// Presentation mode (View → Presentation, F11, --presentation): the scene
// fills the screen for a lecture. Entering hides the docks and the status bar
// (the menu bar stays, so the View menu leads back; the Lesson dock comes
// back by itself during a lecture: LessonPanel::setPresenting), makes the
// window full screen, scales the scene's text, points and lines by the font
// scale, and the text of what can be in view (the menu bar, the lesson card,
// the strip under the scene) with it, and, when the standard palette is in use,
// switches to the high-contrast one; a banner names the keys. Leaving (F11
// or Esc) restores exactly the dock layout, the fonts, the window state and
// geometry and the palette from before.
//
// The font scale (default 1.8, Ctrl+= / Ctrl+- while presenting) and the
// palette (View → Palette, also outside presentation mode) are remembered in
// QSettings unless the window runs without settings.
#include "paint/SceneColours.h"
#include "window/ScaledFonts.h"

#include <QByteArray>
#include <QList>
#include <QObject>

class QAction;
class QActionGroup;
class QDockWidget;
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
    // inView: widgets that can be in view while presenting, whose text grows
    // with the scene's (the strip under the scene, the Lesson dock); a dock
    // among them that shows while presenting is widened for its text. The
    // window's menu bar grows too. All are owned by window.
    PresentationMode(QMainWindow* window, view::SceneView* scene, const QList<QWidget*>& inView,
                     bool useSettings);

    // Presentation (F11), larger / smaller text, the Palette submenu.
    void addToMenu(QMenu* view);
    bool active() const { return active_; }
    double fontScale() const { return fontScale_; }
    void setFontScale(double scale); // clamped to [kMinScale, kMaxScale]; applied at once while presenting
    void setPalette(view::PaletteKind palette); // the user's choice (remembered)
    QAction* toggleAction() const { return toggle_; }

    static constexpr double kDefaultScale = 1.8, kMinScale = 1.0, kMaxScale = 3.5;
    static constexpr double kDockWidthPerScale = 300; // pixels of a kept dock's width per unit of scale

public slots:
    void enter();
    void leave();
    void setActive(bool on);

signals:
    void activeChanged(bool active);

private:
    void showPalette(view::PaletteKind palette); // the scene and the menu's radio items
    void applyScale();
    void widen(QDockWidget* dock); // to kDockWidthPerScale × the scale, at most 30% of the screen

    QMainWindow* window_;
    view::SceneView* scene_;
    QList<QWidget*> inView_;
    bool useSettings_;
    bool active_ = false;
    double fontScale_ = kDefaultScale;
    view::PaletteKind palette_ = view::PaletteKind::Standard; // chosen outside presentation
    // What entering changed, restored on leaving.
    QByteArray dockState_, geometry_;
    Qt::WindowStates windowState_;
    bool statusBarShown_ = true;
    ScaledFonts fonts_; // inView_'s and the menu bar's, while presenting
    QAction *toggle_ = nullptr, *larger_ = nullptr, *smaller_ = nullptr, *escape_ = nullptr;
    QActionGroup* palettes_ = nullptr;
};

} // namespace ss::window
