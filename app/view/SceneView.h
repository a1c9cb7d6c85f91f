#pragma once
// The scene: an OpenGL view of the data, the heat maps, the score fields, the
// particles and their trails, with pan (drag), zoom (wheel, around the cursor),
// reset (double-click), axes with ticks and labels, a legend, a colour bar and
// a frame counter drawn over it with QPainter.
//
// Draw mode (setDrawTool): a left press / drag / release is reported as
// drawPressed / drawDragged / drawReleased in world coordinates, and a circle
// shows the brush; the view never edits the data itself (the Data dock does).
// Right or middle drag pans in every mode, left drag only with the tool off.
//
// Everything it draws was computed elsewhere (the workers) and arrives as
// immutable snapshots; the view only uploads what changed and draws. GL 3.3
// core is the minimum: the real context version is read in initializeGL and,
// below it, the view says so instead of drawing. GL objects are created and
// freed with the context current (the destructor makes it current).
#include "view/DrawTool.h"
#include "state/FieldCompute.h"
#include "state/LayerSettings.h"
#include "state/SamplingSetup.h"

#include <QElapsedTimer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLWidget>

#include <memory>
#include <vector>

class QOpenGLShaderProgram;
class QOpenGLBuffer;
class QOpenGLVertexArrayObject;
class QOpenGLTexture;
class QTimer;

namespace ss::view {

struct ScenePicture; // ScenePainter.h

class SceneView : public QOpenGLWidget, protected QOpenGLExtraFunctions {
    Q_OBJECT
public:
    explicit SceneView(QWidget* parent = nullptr);
    ~SceneView() override;

    void setData(std::shared_ptr<const Dataset> data);
    void setParticles(app::ParticlesPtr particles);
    void setField(app::FieldPtr field);
    void setLayers(const LayerSettings& layers);
    const LayerSettings& layers() const { return layers_; }
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
    // "OpenGL 4.5 (Core Profile) Mesa ..." once initialised; empty before.
    QString glDescription() const { return glDescription_; }
    bool glUsable() const { return glUsable_; }
    // Median and 95th-percentile frame times (ms) over the frames drawn so far
    // (paintGL to paintGL), for the frame-time benchmark.
    std::vector<double> frameTimes() const { return frameTimes_; }

signals:
    void viewChanged(QRectF visible);
    // Draw mode strokes (left button), world coordinates.
    void drawPressed(QPointF world);
    void drawDragged(QPointF world);
    void drawReleased();
    void frameDrawn();

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    class Overlay;
    class BrushRing;
    std::unique_ptr<QOpenGLShaderProgram> buildProgram(const QString& vert, const QString& frag);
    void setViewUniforms(QOpenGLShaderProgram& p);
    void uploadPoints(QOpenGLBuffer& buffer, const Eigen::Matrix2Xd& points);
    void drawPoints(QOpenGLBuffer& buffer, int count, const QColor& colour, float opacity, float size);
    void drawArrows(const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors, const QColor& colour,
                    float opacity, float halfWidth);
    void drawTrails();
    void drawHeatMap();
    void drawOverlay();
    void freeGl();
    QPointF toPixel(const QPointF& world) const;
    QPointF toWorld(const QPointF& pixel) const;
    void emitViewChanged();
    void moveBrush(QPointF pixel); // the brush circle follows the cursor

    std::shared_ptr<const Dataset> data_;
    app::ParticlesPtr particles_;
    app::FieldPtr field_;
    LayerSettings layers_;
    QString caption_;
    QString banner_, standingBanner_; // timed (until bannerTimer_ fires) and standing
    bool bannerError_ = true;
    QTimer* bannerTimer_ = nullptr;

    Overlay* overlay_ = nullptr; // axes, caption, legend, colour bar, fps (raster-painted)
    bool autoFit_ = true;
    bool overlayDirty_ = true;   // the overlay shows something new
    QElapsedTimer overlayClock_; // its last repaint (the frame counter's cadence)        // frame the data on resize until the user pans or zooms
    QPointF centre_{0, 0};
    double pixelsPerUnit_ = 100;
    QPoint lastMouse_;
    DrawTool drawTool_ = DrawTool::Off;
    double brushRadius_ = 0.25; // world units
    BrushRing* brush_ = nullptr;
    bool stroking_ = false;     // a left-button draw stroke is in progress

    bool glUsable_ = false;
    QString glDescription_;
    std::unique_ptr<QOpenGLShaderProgram> points_, arrows_, trails_, heat_;
    std::unique_ptr<QOpenGLVertexArrayObject> vao_;
    std::unique_ptr<QOpenGLBuffer> dataBuffer_, particleBuffer_, noisedBuffer_, arrowShape_, arrowInstances_, trailBuffer_, quad_;
    std::unique_ptr<QOpenGLTexture> heatTexture_;
    std::int64_t uploadedParticles_ = -1, uploadedField_ = -1, uploadedNoised_ = -1;
    bool dataDirty_ = true;
    int dataCount_ = 0, particleCount_ = 0, noisedCount_ = 0, trailVertices_ = 0;
    bool heatIsError_ = false;
    double heatMax_ = 0;

    QElapsedTimer frameClock_;
    std::vector<double> frameTimes_;
    double fps_ = 0;
};

} // namespace ss::view
