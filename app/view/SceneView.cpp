#include "SceneView.h"

#include "ColourMap.h"
#include "SceneColours.h"
#include "SceneOverlay.h"

#include <QFile>
#include <QMouseEvent>
#include <QOpenGLBuffer>
#include <QOpenGLContext>
#include <QOpenGLPixelTransferOptions>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>
#include <QOpenGLVertexArrayObject>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ss::view {

// Arrow vectors for a score field, at most 90% of a grid cell (SceneLayers.cpp).
Eigen::Matrix2Xd fieldArrows(const Eigen::Matrix2Xd& s, double cell);

SceneView::SceneView(QWidget* parent) : QOpenGLWidget(parent)
{
    setMinimumSize(320, 240);
    setFocusPolicy(Qt::StrongFocus);
    overlay_ = new Overlay(this);
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
    uploadedParticles_ = uploadedField_ = -1;
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
    caption_ = caption;
    overlayDirty_ = true;
    update();
}

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

void SceneView::mousePressEvent(QMouseEvent* e) { lastMouse_ = e->position().toPoint(); }

void SceneView::mouseMoveEvent(QMouseEvent* e)
{
    if (!(e->buttons() & Qt::LeftButton)) return;
    autoFit_ = false;
    const QPoint d = e->position().toPoint() - lastMouse_;
    lastMouse_ = e->position().toPoint();
    centre_ -= QPointF(d.x() / pixelsPerUnit_, -d.y() / pixelsPerUnit_);
    emitViewChanged();
    update();
}

void SceneView::mouseDoubleClickEvent(QMouseEvent*)
{
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
