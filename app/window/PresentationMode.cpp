#include "window/PresentationMode.h"

#include "view/SceneView.h"

#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {
const char* kScaleKey = "presentation/fontScale";
const char* kPaletteKey = "view/palette";
} // namespace

PresentationMode::PresentationMode(QMainWindow* window, view::SceneView* scene, const QList<QWidget*>& inView,
                                   bool useSettings)
    : QObject(window), window_(window), scene_(scene), inView_(inView), useSettings_(useSettings)
{
    if (useSettings_) {
        QSettings settings;
        fontScale_ = std::clamp(settings.value(kScaleKey, kDefaultScale).toDouble(), kMinScale, kMaxScale);
        palette_ = view::paletteFromKey(settings.value(kPaletteKey).toString());
    }
    // Window-wide keys that no field uses; the teaching keys are PresentationKeys'.
    toggle_ = new QAction(tr("&Presentation"), this);
    toggle_->setObjectName("presentationMode");
    toggle_->setCheckable(true);
    toggle_->setShortcut(Qt::Key_F11);
    toggle_->setStatusTip(tr("The scene full screen, large text, high-contrast colours (F11 or Esc leaves)"));
    connect(toggle_, &QAction::toggled, this, &PresentationMode::setActive);
    larger_ = new QAction(tr("Larger text"), this);
    larger_->setObjectName("presentationLarger");
    larger_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus)});
    connect(larger_, &QAction::triggered, this, [this] { setFontScale(fontScale_ + 0.2); });
    smaller_ = new QAction(tr("Smaller text"), this);
    smaller_->setObjectName("presentationSmaller");
    smaller_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    connect(smaller_, &QAction::triggered, this, [this] { setFontScale(fontScale_ - 0.2); });
    escape_ = new QAction(tr("Leave presentation"), this);
    escape_->setShortcut(Qt::Key_Escape);
    connect(escape_, &QAction::triggered, this, &PresentationMode::leave);
    for (QAction* a : {toggle_, larger_, smaller_, escape_}) window_->addAction(a); // shortcuts without the menu
    larger_->setEnabled(false); // while presenting only
    smaller_->setEnabled(false);
    escape_->setEnabled(false);
    palettes_ = new QActionGroup(this);
    for (view::PaletteKind kind : view::kPaletteKinds) {
        QAction* a = palettes_->addAction(view::paletteName(kind));
        a->setObjectName("palette-" + view::paletteKey(kind));
        a->setCheckable(true);
        a->setData(int(kind));
        connect(a, &QAction::triggered, this, [this, kind] { setPalette(kind); });
    }
    showPalette(palette_);
    // A dock among inView that opens while presenting (the lesson card, when
    // a lecture starts or F11 is pressed during one) gets room for its text.
    for (QWidget* w : inView_)
        if (auto* dock = qobject_cast<QDockWidget*>(w))
            connect(dock, &QDockWidget::visibilityChanged, this, [this, dock](bool shown) {
                if (shown && active_) widen(dock);
            });
}

void PresentationMode::addToMenu(QMenu* view)
{
    view->addAction(toggle_);
    view->addAction(larger_);
    view->addAction(smaller_);
    QMenu* palette = view->addMenu(tr("Pa&lette"));
    palette->addActions(palettes_->actions());
}

void PresentationMode::setActive(bool on)
{
    if (on) enter();
    else leave();
}

void PresentationMode::enter()
{
    if (active_) return;
    active_ = true;
    dockState_ = window_->saveState();
    geometry_ = window_->saveGeometry();
    windowState_ = window_->windowState();
    statusBarShown_ = window_->statusBar()->isVisible();
    for (QDockWidget* dock : window_->findChildren<QDockWidget*>()) dock->hide();
    window_->statusBar()->hide();
    // Without a window manager (a bare X server, a kiosk) the state alone
    // changes nothing: the screen's rectangle first (a geometry set after
    // the state would clear it).
    if (QScreen* screen = window_->screen()) window_->setGeometry(screen->geometry());
    window_->setWindowState(windowState_ | Qt::WindowFullScreen);
    for (QAction* a : {larger_, smaller_, escape_}) a->setEnabled(true);
    if (palette_ == view::PaletteKind::Standard) showPalette(view::PaletteKind::HighContrast);
    applyScale();
    scene_->setFocus(Qt::OtherFocusReason); // the teaching keys act while the scene has focus
    scene_->showBanner(tr("Presentation — F11 or Esc leaves\nSpace play/pause · → step · R reset · 1–9 layers\n"
                          "↑/↓ σ · PgDn/PgUp lesson · Ctrl+= / Ctrl+− text size"),
                       false, 6000);
    const QSignalBlocker block(toggle_);
    toggle_->setChecked(true);
    emit activeChanged(true);
}

void PresentationMode::leave()
{
    if (!active_) return;
    active_ = false;
    for (QAction* a : {larger_, smaller_, escape_}) a->setEnabled(false);
    fonts_.restore(); // before the layout: the docks' sizes as they were, with their fonts
    window_->setWindowState(windowState_);
    window_->restoreGeometry(geometry_);
    window_->restoreState(dockState_); // the docks as they were (visibility, places, sizes)
    window_->statusBar()->setVisible(statusBarShown_);
    scene_->setScale(1.0);
    showPalette(palette_);
    scene_->showBanner(QString(), false, 0); // the keys' banner goes with the mode
    const QSignalBlocker block(toggle_);
    toggle_->setChecked(false);
    emit activeChanged(false);
}

void PresentationMode::setFontScale(double scale)
{
    fontScale_ = std::clamp(std::round(scale * 10) / 10, kMinScale, kMaxScale);
    if (useSettings_) QSettings().setValue(kScaleKey, fontScale_);
    if (!active_) return;
    applyScale();
    scene_->showBanner(tr("Text ×%1").arg(fontScale_, 0, 'f', 1), false, 1500);
}

void PresentationMode::applyScale()
{
    scene_->setScale(fontScale_);
    QList<QWidget*> roots = inView_;
    roots << window_->menuBar();
    fonts_.apply(roots, fontScale_);
    for (QWidget* w : inView_)
        if (auto* dock = qobject_cast<QDockWidget*>(w); dock && dock->isVisible()) widen(dock);
}

void PresentationMode::widen(QDockWidget* dock)
{
    const int screenWidth = window_->screen() ? window_->screen()->geometry().width() : window_->width();
    const int width = int(std::min(0.3 * screenWidth, kDockWidthPerScale * fontScale_));
    window_->resizeDocks({dock}, {width}, Qt::Horizontal);
}

void PresentationMode::setPalette(view::PaletteKind palette)
{
    palette_ = palette;
    if (useSettings_) QSettings().setValue(kPaletteKey, view::paletteKey(palette));
    showPalette(palette);
}

void PresentationMode::showPalette(view::PaletteKind palette)
{
    scene_->setPalette(palette);
    for (QAction* a : palettes_->actions()) a->setChecked(a->data().toInt() == int(palette));
}

} // namespace ss::window
