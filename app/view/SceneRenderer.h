#pragma once
// The scene's renderer: draws one SceneFrame with OpenGL into an offscreen
// framebuffer on its own thread, reads it back, paints the overlay (axes,
// caption, legend, colour bar, banner) over it with QPainter, and hands the
// finished image to the view (frameReady). The GUI thread never waits on the
// GL: on a software renderer (Mesa's llvmpipe) rasterising, and composing a
// GL widget into the window, cost 50-150 ms a frame on the GUI thread; now it
// only copies a finished image (issue 11, item 2).
//
// Threading: made on the GUI thread with the offscreen surface (which only the
// GUI thread may create), then moved to the render thread; every GL call runs
// there, with the context it creates on first use. request() is thread-safe:
// the newest frame wins, and frames asked for while one renders are dropped
// except the newest (no queue builds up). releaseGl() must run on the render
// thread before it stops (the view's destructor does this).
#include "paint/ScenePainter.h"
#include "view/RenderTimes.h"

#include <QImage>
#include <QObject>
#include <QOpenGLExtraFunctions>
#include <QPointF>
#include <QSize>

#include <memory>
#include <mutex>
#include <optional>

class QOffscreenSurface;
class QOpenGLContext;
class QOpenGLFramebufferObject;
class QOpenGLShaderProgram;
class QOpenGLBuffer;
class QOpenGLVertexArrayObject;
class QOpenGLTexture;

namespace ss::view {

// Everything one frame shows, made by the view on the GUI thread: immutable
// snapshots and plain values only.
struct SceneFrame {
    ScenePicture picture;       // layers, snapshots, caption, corner text, palette, scale
    QPointF centre;             // world point at the image's centre
    double pixelsPerUnit = 100; // logical pixels per world unit
    QSize size;                 // logical pixels
    double devicePixelRatio = 1;
    QString banner;             // over the scene; empty: none
    bool bannerError = true;
    quint64 serial = 0;         // the view's request counter
};

class SceneRenderer : public QObject, protected QOpenGLExtraFunctions {
    Q_OBJECT
public:
    explicit SceneRenderer(QOffscreenSurface* surface);
    ~SceneRenderer() override;

    // Any thread: render this frame soon (the newest request wins).
    void request(SceneFrame frame);
    // Render thread: draws a frame now and returns its image (device pixels,
    // devicePixelRatio set). Without a usable GL context the image says so.
    QImage render(const SceneFrame& frame);
    // Render thread: what the first render() found.
    bool glUsable() const { return glUsable_; }
    QString glDescription() const { return glDescription_; }
    // Render thread: frees every GL object and the context.
    void releaseGl();
    // Any thread: the sums since the last call, and starts new ones.
    RenderTimes takeTimes();

signals:
    void frameReady(QImage image, quint64 serial);
    // Once, after the first frame: whether GL 3.3 core works, and the context's description.
    void glChecked(bool usable, QString description);

private:
    void renderNewest(); // render thread: the pending request, if any
    bool initGl();
    void beginPass(const SceneFrame& f); // the view's uniforms and the blend state
    void endPass();
    // The layers that change only with the field, the data or the view (the
    // heat map, the data and noised points), drawn into backgroundFbo_ when
    // their key changes and copied into fbo_ otherwise: on llvmpipe the
    // full-window heat map alone cost ~7.5 ms a frame, and the field changes
    // every ~6th frame (issue 16).
    void drawBackground(const SceneFrame& f, QSize pixels);
    void drawLayers(const SceneFrame& f); // the rest, over the background
    std::unique_ptr<QOpenGLShaderProgram> buildProgram(const QString& vert, const QString& frag);
    void setViewUniforms(QOpenGLShaderProgram& p) const;
    void uploadPoints(QOpenGLBuffer& buffer, const Eigen::Matrix2Xd& points);
    void drawPoints(QOpenGLBuffer& buffer, int count, const QColor& colour, float opacity, float size);
    void drawArrows(const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors, const QColor& colour,
                    float opacity, float halfWidth);
    void drawTrails(const app::ParticleSnapshot& particles, const LayerSettings& layers, const QColor& colour);
    void drawHeatMap(const app::FieldSnapshot& field, const LayerSettings& layers);
    void drawModelDensity(const app::DensitySnapshot& s, const LayerSettings& layers);
    void uploadHeat(std::unique_ptr<QOpenGLTexture>& texture, const QImage& image); // image: paint's colourImage
    void drawHeatQuad(QOpenGLTexture& texture, const QRectF& world, float opacity); // world: y up, top() = yMin
    void paintOverlay(QImage& image, const SceneFrame& f) const;

    QOffscreenSurface* surface_; // the view's; lives on the GUI thread
    std::mutex mutex_;
    std::optional<SceneFrame> pending_; // guarded by mutex_
    RenderTimes times_;                 // guarded by mutex_
    bool posted_ = false;               // a renderNewest call is queued (mutex_)

    // Render thread only, below.
    bool triedGl_ = false, glUsable_ = false;
    QString glDescription_;
    std::unique_ptr<QOpenGLContext> context_;
    std::unique_ptr<QOpenGLFramebufferObject> fbo_, backgroundFbo_;
    // What backgroundFbo_ shows: the snapshots themselves (held, so no new
    // one can reuse an address) and everything else its layers depend on.
    struct BackgroundKey {
        std::shared_ptr<const Dataset> data;
        app::FieldPtr field;
        app::DensityPtr modelDensity;
        LayerSettings layers;
        PaletteKind palette = PaletteKind::Standard;
        double scale = 1, pixelsPerUnit = 0, devicePixelRatio = 1;
        QPointF centre;
        QSize pixels;
        bool operator==(const BackgroundKey&) const = default;
    };
    std::optional<BackgroundKey> backgroundKey_;
    std::unique_ptr<QOpenGLShaderProgram> points_, arrows_, trails_, heat_;
    std::unique_ptr<QOpenGLVertexArrayObject> vao_;
    std::unique_ptr<QOpenGLBuffer> dataBuffer_, particleBuffer_, noisedBuffer_, arrowShape_, arrowInstances_,
        trailBuffer_, quad_;
    std::unique_ptr<QOpenGLTexture> heatTexture_, densityTexture_;
    // What the buffers hold now (uploads happen only when these change).
    const Dataset* uploadedData_ = nullptr;
    std::shared_ptr<const Dataset> keptData_; // keeps uploadedData_'s address from being reused
    std::int64_t uploadedParticles_ = -1, uploadedField_ = -1, uploadedNoised_ = -1;
    bool heatIsError_ = false;
    std::int64_t uploadedDensity_ = -1; // the model-density snapshot in densityTexture_, and its view
    DensityView uploadedDensityView_ = DensityView::Model;
    int dataCount_ = 0, particleCount_ = 0, noisedCount_ = 0;
    // The frame being drawn's view (setViewUniforms).
    QPointF centre_;
    double pixelsPerUnit_ = 100;
    QSize size_;
    double devicePixelRatio_ = 1;
    float scale_ = 1; // ScenePicture::scale: the arrows' head grows with it
};

} // namespace ss::view
