#pragma once
// The scene: the data, the heat maps, the score fields, the particles and
// their trails, with pan (drag), zoom (wheel, around the cursor), reset
// (double-click), axes with ticks and labels, a legend, a colour bar, a banner
// and a frame counter.
//
// Draw mode (setDrawTool): a left press / drag / release is reported as
// drawPressed / drawDragged / drawReleased in world coordinates, and a circle
// shows the brush; the view never edits the data itself (the Data dock does).
// Right or middle drag pans in every mode, left drag only with the tool off.
// With the tool off, a left click (no drag) reports the particle under the
// cursor (particleClicked; the step-through follows it).
//
// Everything it draws was computed elsewhere (the workers) and arrives as
// immutable snapshots. The view is a plain widget: each change asks its
// SceneRenderer, on the view's own render thread, for a new frame (OpenGL into
// an offscreen framebuffer, then the overlay), and paints the finished image
// when it arrives. So the GUI thread never waits on the GL (on a software
// renderer, 50-150 ms a frame before), and frames asked for faster than they
// are drawn collapse into the newest. GL 3.3 core is the minimum; below it the
// image says so instead of drawing.
#include "view/DrawTool.h"
#include "view/RenderTimes.h"
#include "paint/SceneColours.h"
#include "state/DensityLayer.h"
#include "state/FieldCompute.h"
#include "state/LayerSettings.h"
#include "state/SamplingSetup.h"

#include <QElapsedTimer>
#include <QImage>
#include <QWidget>

#include <deque>
#include <memory>
#include <vector>

class QOffscreenSurface;
class QThread;
class QTimer;

namespace ss::view {

struct ScenePicture; // ScenePainter.h
struct SceneFrame;   // SceneRenderer.h
class SceneRenderer;

class SceneView : public QWidget {
    Q_OBJECT
public:
    explicit SceneView(QWidget* parent = nullptr);
    ~SceneView() override;

    void setData(std::shared_ptr<const Dataset> data);
    void setParticles(app::ParticlesPtr particles);
    void setField(app::FieldPtr field);
    void setModelDensity(app::DensityPtr density); // the model-density layer's newest level
    app::DensityPtr modelDensity() const { return modelDensity_; }
    void setLayers(const LayerSettings& layers);
    const LayerSettings& layers() const { return layers_; }
    // Presentation mode's scale of text, points and lines (1: the screen's),
    // and the layers' colours (also the exports': picture() carries it).
    void setScale(double scale);
    double scale() const { return scale_; }
    void setPalette(PaletteKind palette);
    PaletteKind palette() const { return palette_; }
    void setCaption(const QString& caption); // top-left: what is shown
    const QString& caption() const { return caption_; }
    // A large message over the scene, readable from the back of a room
    // (paintBanner): showBanner's for ms milliseconds (a refused setting, an
    // error), or the standing one (a diverged run) until it is replaced or
    // cleared with an empty text. A timed banner shows over the standing one.
    void showBanner(const QString& text, bool error = true, int ms = kBannerMs);
    void setStandingBanner(const QString& text);
    QString banner() const; // the text shown now; empty: none
    static constexpr int kBannerMs = 6000;
    void resetView();                        // frames the data
    // Shows exactly this world rectangle's centre, at the largest scale at which
    // it fits the widget (a reopened scene's view); a resize no longer re-frames.
    void setVisibleRect(const QRectF& world);
    // The left button's job and the brush radius (world units) it shows.
    void setDrawTool(DrawTool tool, double radius);
    DrawTool drawTool() const { return drawTool_; }

    // What is shown now, for exports (ScenePainter draws it at any size).
    ScenePicture picture() const;
    // The world rectangle on screen.
    QRectF visibleRect() const;
    // "OpenGL 4.5 (core) llvmpipe ..." once the first frame is drawn; empty before.
    QString glDescription() const { return glDescription_; }
    bool glUsable() const { return glUsable_; }
    // Draws the current state now and returns the image (device pixels), the
    // same one the view then shows: for tests and screenshots. Blocks the
    // calling (GUI) thread for one frame.
    QImage renderNow();
    // Intervals (ms) between the frames shown so far, for the frame-time benchmark.
    std::vector<double> frameTimes() const { return frameTimes_; }
    // The render thread's time per phase since the last call (SceneRenderer::takeTimes).
    RenderTimes takeRenderTimes();
    // The particle column drawn nearest to the pixel, within radius pixels; -1: none.
    qint64 particleAt(QPointF pixel, double radius) const;
    static constexpr double kPickRadius = 14; // pixels at scale 1: a click this close picks a particle

signals:
    void viewChanged(QRectF visible);
    // Draw mode strokes (left button), world coordinates.
    void drawPressed(QPointF world);
    void drawDragged(QPointF world);
    void drawReleased();
    // A left click with the tool off: the particle under it (-1: none), and
    // the keyboard modifiers (Shift/Ctrl: add or remove).
    void particleClicked(qint64 column, Qt::KeyboardModifiers modifiers);
    void frameDrawn(); // a new frame is shown

protected:
    void paintEvent(QPaintEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    class BrushRing;
    SceneFrame frame() const;  // what a frame drawn now shows
    void requestFrame();       // asks the renderer for one (the newest request wins)
    void showFrame(const QImage& image, quint64 serial);
    QPointF toPixel(const QPointF& world) const;
    QPointF toWorld(const QPointF& pixel) const;
    void emitViewChanged();
    void moveBrush(QPointF pixel); // the brush circle follows the cursor

    std::shared_ptr<const Dataset> data_;
    app::ParticlesPtr particles_;
    app::FieldPtr field_;
    app::DensityPtr modelDensity_;
    LayerSettings layers_;
    QString caption_;
    double scale_ = 1.0;
    PaletteKind palette_ = PaletteKind::Standard;
    QString banner_, standingBanner_; // timed (until bannerTimer_ fires) and standing
    bool bannerError_ = true;
    QTimer* bannerTimer_ = nullptr;

    bool autoFit_ = true;        // frame the data on resize until the user pans or zooms
    QPointF centre_{0, 0};
    double pixelsPerUnit_ = 100;
    QPoint lastMouse_;
    DrawTool drawTool_ = DrawTool::Off;
    double brushRadius_ = 0.25; // world units
    BrushRing* brush_ = nullptr;
    bool stroking_ = false;     // a left-button draw stroke is in progress
    bool clicking_ = false;     // a left press with the tool off that has not moved (yet): a click
    QPoint pressAt_;

    // The renderer on its thread; the surface it draws with (made here: only
    // the GUI thread may create one).
    std::unique_ptr<QOffscreenSurface> surface_;
    QThread* renderThread_ = nullptr;
    SceneRenderer* renderer_ = nullptr; // lives on renderThread_, deleted when it ends
    quint64 requested_ = 0;             // frames asked for
    QImage shown_;                      // the newest frame, painted by paintEvent
    bool glUsable_ = false;
    QString glDescription_;

    QElapsedTimer frameClock_;
    std::vector<double> frameTimes_;
    double fps_ = 0;                 // frames shown in the last second (a burst of quick frames
    std::deque<qint64> shownAt_;     // after a pause is not "1000 fps"); shownAt_: their times, ms
    QElapsedTimer sinceStart_;
};

} // namespace ss::view
