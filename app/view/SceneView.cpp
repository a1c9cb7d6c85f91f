#include "view/SceneView.h"

#include "paint/ColourMap.h"
#include "paint/SceneColours.h"
#include "view/SceneOverlay.h"
#include "paint/ScenePainter.h"

#include <QFile>
#include <QMouseEvent>
#include <QOpenGLBuffer>
#include <QOpenGLContext>
#include <QOpenGLPixelTransferOptions>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>
#include <QOpenGLVertexArrayObject>
#include <QPainter>
#include <QTimer>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ss::view {


// The draw mode's brush circle: a small transparent child over the GL surface
// that moves with the cursor, so following the mouse repaints a few hundred
// pixels rather than the whole overlay (milliseconds on llvmpipe).
class SceneView::BrushRing : public QWidget {
public:
    explicit BrushRing(QWidget* parent) : QWidget(parent)
    {
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
        hide();
    }

    // Centred on the pixel under `centre` (parent coordinates), `radius` pixels.
    void place(QPointF centre, double radius, bool erase)
    {
        centre_ = centre;
        radius_ = std::clamp(radius, 2.0, 4000.0); // zoomed far in, the ring still fits a widget
        erase_ = erase;
        const int half = int(std::ceil(radius_)) + 3;
        const QPoint at(int(std::floor(centre.x())) - half, int(std::floor(centre.y())) - half);
        setGeometry(QRect(at, QSize(2 * half + 1, 2 * half + 1)));
        update();
    }
    QPointF centre() const { return centre_; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const QPointF c(width() / 2.0, height() / 2.0);
        const QColor ink = erase_ ? QColor(190, 30, 40) : QColor(25, 25, 35);
        p.setPen(QPen(QColor(255, 255, 255, 190), 3.5)); // a halo: visible on the heat map too
        p.drawEllipse(c, radius_, radius_);
        p.setPen(QPen(ink, 1.5));
        p.setBrush(erase_ ? QColor(190, 30, 40, 35) : QColor(25, 25, 35, 12));
        p.drawEllipse(c, radius_, radius_);
        if (!erase_) { // where a click puts its point
            p.drawLine(c - QPointF(5, 0), c + QPointF(5, 0));
            p.drawLine(c - QPointF(0, 5), c + QPointF(0, 5));
        }
    }

private:
    QPointF centre_;
    double radius_ = 10;
    bool erase_ = false;
};

SceneView::SceneView(QWidget* parent) : QOpenGLWidget(parent)
{
    setMinimumSize(320, 240);
    setFocusPolicy(Qt::StrongFocus);
    overlay_ = new Overlay(this);
    brush_ = new BrushRing(this); // above the overlay
    frameClock_.start();
    overlayClock_.start();
}

SceneView::~SceneView()
{
    // GL objects die with the context current (the context's own teardown
    // signal comes after these members are gone).
    makeCurrent();
    freeGl();
    doneCurrent();
}

void SceneView::freeGl()
{
    heatTexture_.reset();
    points_.reset();
    arrows_.reset();
    trails_.reset();
    heat_.reset();
    dataBuffer_.reset();
    particleBuffer_.reset();
    noisedBuffer_.reset();
    arrowShape_.reset();
    arrowInstances_.reset();
    trailBuffer_.reset();
    quad_.reset();
    vao_.reset();
}

std::unique_ptr<QOpenGLShaderProgram> SceneView::buildProgram(const QString& vert, const QString& frag)
{
    auto program = std::make_unique<QOpenGLShaderProgram>();
    // The files carry no #version: it is chosen here from the real context.
    const QByteArray header = "#version 330 core\n";
    for (const auto& [type, path] : {std::pair{QOpenGLShader::Vertex, vert}, std::pair{QOpenGLShader::Fragment, frag}}) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            qWarning("scene: cannot read shader %s", qPrintable(path));
            return nullptr;
        }
        if (!program->addShaderFromSourceCode(type, header + f.readAll())) {
            qWarning("scene: shader %s does not compile:\n%s", qPrintable(path), qPrintable(program->log()));
            return nullptr;
        }
    }
    if (!program->link()) {
        qWarning("scene: program %s + %s does not link:\n%s", qPrintable(vert), qPrintable(frag),
                 qPrintable(program->log()));
        return nullptr;
    }
    return program;
}

void SceneView::initializeGL()
{
    initializeOpenGLFunctions();
    const QSurfaceFormat f = context()->format();
    const auto renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    glDescription_ = QStringLiteral("OpenGL %1.%2 (%3) %4")
                         .arg(f.majorVersion())
                         .arg(f.minorVersion())
                         .arg(f.profile() == QSurfaceFormat::CoreProfile ? "core" : "compatibility")
                         .arg(renderer ? renderer : "?");
    qInfo("scene: %s", qPrintable(glDescription_));
    if (std::pair(f.majorVersion(), f.minorVersion()) < std::pair(3, 3) || context()->isOpenGLES()) {
        qWarning("scene: OpenGL 3.3 core is needed; this context is %d.%d", f.majorVersion(), f.minorVersion());
        return;
    }
    points_ = buildProgram(":/shaders/points.vert", ":/shaders/points.frag");
    arrows_ = buildProgram(":/shaders/arrows.vert", ":/shaders/colour.frag");
    trails_ = buildProgram(":/shaders/trails.vert", ":/shaders/trails.frag");
    heat_ = buildProgram(":/shaders/heatmap.vert", ":/shaders/heatmap.frag");
    if (!points_ || !arrows_ || !trails_ || !heat_) return;

    vao_ = std::make_unique<QOpenGLVertexArrayObject>();
    vao_->create();
    auto makeBuffer = [] {
        auto b = std::make_unique<QOpenGLBuffer>(QOpenGLBuffer::VertexBuffer);
        b->create();
        b->setUsagePattern(QOpenGLBuffer::DynamicDraw);
        return b;
    };
    dataBuffer_ = makeBuffer();
    particleBuffer_ = makeBuffer();
    noisedBuffer_ = makeBuffer();
    arrowInstances_ = makeBuffer();
    trailBuffer_ = makeBuffer();
    arrowShape_ = makeBuffer();
    quad_ = makeBuffer();
    // Arrow template (see arrows.vert): the shaft's two triangles, the head's one.
    const float shape[] = {0, 0, -1, 1, -1, -1, 1, -1, 1, 0, 0, -1, 1, -1, 1, 0, 0, 1, 1, -1, -3, 1, 0, 0, 1, -1, 3};
    arrowShape_->bind();
    arrowShape_->allocate(shape, sizeof shape);
    const float corners[] = {0, 0, 1, 0, 0, 1, 1, 1};
    quad_->bind();
    quad_->allocate(corners, sizeof corners);
    glUsable_ = true;
    dataDirty_ = true;
    uploadedParticles_ = uploadedField_ = uploadedNoised_ = -1;
}

void SceneView::resizeGL(int, int)
{
    overlay_->setGeometry(rect());
    if (autoFit_) resetView(); // until the user pans or zooms, the data stay framed
    else emitViewChanged();
}

// ---- data in ------------------------------------------------------------------

void SceneView::setData(std::shared_ptr<const Dataset> data)
{
    const bool first = !data_;
    data_ = std::move(data);
    dataDirty_ = true;
    overlayDirty_ = true;
    if (first) resetView();
    update();
}

void SceneView::setParticles(app::ParticlesPtr particles)
{
    overlayDirty_ = overlayDirty_ || !particles_ || particles_->playing != particles->playing; // legend
    particles_ = std::move(particles);
    update();
}

void SceneView::setField(app::FieldPtr field)
{
    overlayDirty_ = overlayDirty_ || !field_ || field_->learned.size() != field->learned.size();
    field_ = std::move(field);
    update();
}

void SceneView::setLayers(const LayerSettings& layers)
{
    layers_ = layers;
    overlayDirty_ = true;
    uploadedField_ = -1; // the heat map may switch between density and error
    update();
}

void SceneView::setCaption(const QString& caption)
{
    if (caption == caption_) return;
    caption_ = caption;
    overlayDirty_ = true;
    update();
}

void SceneView::showBanner(const QString& text, bool error, int ms)
{
    if (!bannerTimer_) {
        bannerTimer_ = new QTimer(this);
        bannerTimer_->setSingleShot(true);
        connect(bannerTimer_, &QTimer::timeout, this, [this] {
            banner_.clear();
            overlayDirty_ = true;
            overlay_->update(); // also when no frame is drawn (paused, no GL)
        });
    }
    banner_ = text;
    bannerError_ = error;
    bannerTimer_->start(std::max(1, ms));
    overlayDirty_ = true;
    overlay_->update();
    update();
}

void SceneView::setStandingBanner(const QString& text)
{
    if (text == standingBanner_) return;
    standingBanner_ = text;
    overlayDirty_ = true;
    overlay_->update();
    update();
}

QString SceneView::banner() const { return banner_.isEmpty() ? standingBanner_ : banner_; }

// ---- view ---------------------------------------------------------------------------

QPointF SceneView::toPixel(const QPointF& w) const
{
    return {width() / 2.0 + (w.x() - centre_.x()) * pixelsPerUnit_,
            height() / 2.0 - (w.y() - centre_.y()) * pixelsPerUnit_};
}

QPointF SceneView::toWorld(const QPointF& p) const
{
    return {centre_.x() + (p.x() - width() / 2.0) / pixelsPerUnit_,
            centre_.y() - (p.y() - height() / 2.0) / pixelsPerUnit_};
}

QRectF SceneView::visibleRect() const
{
    const QPointF a = toWorld(QPointF(0, height())), b = toWorld(QPointF(width(), 0));
    return QRectF(a, b).normalized();
}

void SceneView::emitViewChanged()
{
    overlayDirty_ = true; // the axes move
    if (brush_ && brush_->isVisible()) moveBrush(brush_->centre()); // its radius in pixels changed
    emit viewChanged(visibleRect());
}

void SceneView::resetView()
{
    QRectF box(-3, -3, 6, 6);
    if (data_ && data_->size() > 0) {
        const Eigen::Vector2d lo = data_->points.rowwise().minCoeff(), hi = data_->points.rowwise().maxCoeff();
        const double half = 0.5 * std::max({hi.x() - lo.x(), hi.y() - lo.y(), 1e-3}) * 1.25;
        const QPointF c(0.5 * (lo.x() + hi.x()), 0.5 * (lo.y() + hi.y()));
        box = QRectF(c.x() - half, c.y() - half, 2 * half, 2 * half);
    }
    centre_ = box.center();
    pixelsPerUnit_ = std::min(std::max(width(), 1) / box.width(), std::max(height(), 1) / box.height());
    emitViewChanged();
    update();
}

void SceneView::setVisibleRect(const QRectF& world)
{
    if (!(world.width() > 0 && world.height() > 0)) return; // nothing sensible to show
    autoFit_ = false;
    centre_ = world.center();
    pixelsPerUnit_ = std::min(std::max(width(), 1) / world.width(), std::max(height(), 1) / world.height());
    emitViewChanged();
    update();
}

void SceneView::setDrawTool(DrawTool tool, double radius)
{
    if (stroking_ && tool != drawTool_) { // the tool changed under a held button: the stroke ends
        stroking_ = false;
        emit drawReleased();
    }
    drawTool_ = tool;
    brushRadius_ = radius;
    const bool on = tool != DrawTool::Off;
    setMouseTracking(on); // the brush follows the cursor without a button held
    if (on) setCursor(Qt::CrossCursor);
    else unsetCursor();
    if (!on) brush_->hide();
    else if (brush_->isVisible()) moveBrush(brush_->centre());
}

void SceneView::moveBrush(QPointF pixel)
{
    if (drawTool_ == DrawTool::Off) return;
    brush_->place(pixel, brushRadius_ * pixelsPerUnit_, drawTool_ == DrawTool::Erase);
    if (!brush_->isVisible()) {
        brush_->show();
        brush_->raise();
    }
}

void SceneView::leaveEvent(QEvent*) { brush_->hide(); }

void SceneView::mousePressEvent(QMouseEvent* e)
{
    lastMouse_ = e->position().toPoint();
    moveBrush(e->position());
    if (drawTool_ != DrawTool::Off && e->button() == Qt::LeftButton) {
        stroking_ = true;
        autoFit_ = false; // the user works in this frame: a resize must not re-frame it
        emit drawPressed(toWorld(e->position()));
    }
}

void SceneView::mouseReleaseEvent(QMouseEvent* e)
{
    if (stroking_ && e->button() == Qt::LeftButton) {
        stroking_ = false;
        emit drawReleased();
    }
}

void SceneView::mouseMoveEvent(QMouseEvent* e)
{
    moveBrush(e->position());
    if (stroking_) {
        emit drawDragged(toWorld(e->position()));
        return;
    }
    // Left pans only while it does not draw; right and middle always pan.
    const Qt::MouseButtons pan =
        Qt::RightButton | Qt::MiddleButton | (drawTool_ == DrawTool::Off ? Qt::LeftButton : Qt::NoButton);
    if (!(e->buttons() & pan)) return;
    autoFit_ = false;
    const QPoint d = e->position().toPoint() - lastMouse_;
    lastMouse_ = e->position().toPoint();
    centre_ -= QPointF(d.x() / pixelsPerUnit_, -d.y() / pixelsPerUnit_);
    emitViewChanged();
    update();
}

void SceneView::mouseDoubleClickEvent(QMouseEvent* e)
{
    if (drawTool_ != DrawTool::Off && e->button() == Qt::LeftButton) { // quick clicks add points
        mousePressEvent(e);
        return;
    }
    autoFit_ = true;
    resetView();
}

void SceneView::wheelEvent(QWheelEvent* e)
{
    // Zoom around the cursor: the world point under it stays put.
    autoFit_ = false;
    const QPointF cursor = e->position();
    const QPointF before = toWorld(cursor);
    const double factor = std::pow(1.15, e->angleDelta().y() / 120.0);
    pixelsPerUnit_ = std::clamp(pixelsPerUnit_ * factor, 1e-3, 1e7);
    const QPointF after = toWorld(cursor);
    centre_ += before - after;
    emitViewChanged();
    update();
}

// ---- drawing -------------------------------------------------------------------------

void SceneView::setViewUniforms(QOpenGLShaderProgram& p)
{
    p.setUniformValue("u_centre", QVector2D(float(centre_.x()), float(centre_.y())));
    p.setUniformValue("u_pixelsPerUnit", float(pixelsPerUnit_));
    p.setUniformValue("u_viewport", QVector2D(float(width()), float(height())));
}

void SceneView::paintGL()
{
    const double ms = frameClock_.nsecsElapsed() * 1e-6;
    frameClock_.restart();
    if (frameTimes_.size() < 100000) frameTimes_.push_back(ms);
    fps_ = 0.9 * fps_ + 0.1 * (ms > 0 ? 1000.0 / ms : 0.0);

    glClearColor(0.985f, 0.985f, 0.98f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (glUsable_) {
        glEnable(GL_BLEND);
        // Colour blends by alpha; the framebuffer's own alpha stays 1, or Qt
        // would compose the widget as half-transparent (washed-out colours).
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
        glEnable(GL_PROGRAM_POINT_SIZE);
        glDisable(GL_DEPTH_TEST);
        vao_->bind();
        if (field_) drawHeatMap();
        if (data_ && layers_.data.visible) {
            if (dataDirty_) {
                uploadPoints(*dataBuffer_, data_->points);
                dataCount_ = int(data_->points.cols());
                dataDirty_ = false;
            }
            drawPoints(*dataBuffer_, dataCount_, kData, layers_.data.opacity, 3.5f);
        }
        if (field_ && layers_.noised.visible) {
            if (uploadedNoised_ != field_->serial) {
                uploadPoints(*noisedBuffer_, field_->noised);
                noisedCount_ = int(field_->noised.cols());
                uploadedNoised_ = field_->serial;
            }
            drawPoints(*noisedBuffer_, noisedCount_, kNoised, layers_.noised.opacity, 3.5f);
        }
        if (field_) {
            const app::FieldRequest& r = field_->request;
            const double cell = (r.xMax - r.xMin) / std::max(1, r.arrows);
            // Tails shifted back by half the arrow, so arrows centre on their grid point.
            auto centred = [&](const Eigen::Matrix2Xd& s) {
                const Eigen::Matrix2Xd v = fieldArrows(s, cell);
                return std::pair(Eigen::Matrix2Xd(field_->grid - 0.5 * v), v);
            };
            if (layers_.exactField.visible) {
                const auto [t, v] = centred(field_->exact);
                drawArrows(t, v, kExact, layers_.exactField.opacity, 0.9f);
            }
            if (layers_.learnedField.visible && field_->learned.size() > 0) {
                const auto [t, v] = centred(field_->learned);
                drawArrows(t, v, kLearned, layers_.learnedField.opacity, 0.9f);
            }
        }
        if (particles_) {
            if (layers_.trails.visible) drawTrails();
            if (layers_.particles.visible) {
                if (uploadedParticles_ != particles_->serial) {
                    uploadPoints(*particleBuffer_, particles_->particles);
                    particleCount_ = int(particles_->particles.cols());
                    uploadedParticles_ = particles_->serial;
                }
                drawPoints(*particleBuffer_, particleCount_, kParticles, layers_.particles.opacity, 4.0f);
            }
            const StepTerms& t = particles_->lastStep;
            if (layers_.decomposition.visible && !particles_->playing && t.score.cols() == particles_->particles.cols()) {
                // The last step, per particle (the first 400): x_prev -> + drift -> + score -> + noise.
                const Eigen::Index n = std::min<Eigen::Index>(400, t.score.cols());
                const Eigen::Matrix2Xd end = particles_->particles.leftCols(n);
                const Eigen::Matrix2Xd start = end - t.drift.leftCols(n) - t.score.leftCols(n) - t.noise.leftCols(n);
                const Eigen::Matrix2Xd afterDrift = start + t.drift.leftCols(n);
                drawArrows(start, t.drift.leftCols(n), kDrift, 1.0f, 1.0f);
                drawArrows(afterDrift, t.score.leftCols(n), kScore, 1.0f, 1.0f);
                drawArrows(afterDrift + t.score.leftCols(n), t.noise.leftCols(n), kNoise, 1.0f, 1.0f);
            }
        }
        vao_->release();
        // Hand QPainter's GL engine a clean state: no program, no buffer bound.
        glBindBuffer(GL_ARRAY_BUFFER, 0);
        glUseProgram(0);
        glDisable(GL_PROGRAM_POINT_SIZE);
    }
    // The overlay is repainted (and recomposed by Qt) only when what it shows
    // changed, and for the frame counter four times a second: on llvmpipe a
    // full overlay pass every frame costs several milliseconds.
    if (overlayDirty_ || overlayClock_.elapsed() > 250) {
        overlayDirty_ = false;
        overlayClock_.restart();
        overlay_->update();
    }
    emit frameDrawn();
}

} // namespace ss::view
