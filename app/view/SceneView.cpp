#include "SceneView.h"

#include "ColourMap.h"

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

namespace {

const QColor kData(70, 70, 80);
const QColor kParticles(200, 30, 45);
const QColor kTrails(220, 60, 70);
const QColor kLearned(230, 120, 20);
const QColor kExact(40, 90, 200);
const QColor kDrift(30, 110, 220), kScore(20, 160, 70), kNoise(120, 120, 120);

std::vector<float> toFloats(const Eigen::Matrix2Xd& m)
{
    std::vector<float> out(std::size_t(m.size()));
    for (Eigen::Index i = 0; i < m.size(); ++i) out[std::size_t(i)] = float(m.data()[i]);
    return out;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving ~targetCount ticks.
double niceStep(double span, int targetCount)
{
    const double raw = span / std::max(1, targetCount);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

} // namespace

// The overlay: a transparent child widget over the GL surface, painted by the
// raster engine (QPainter's GL engine on a core-profile context drew nothing
// here), composed by Qt over the GL image and included in grab().
class SceneView::Overlay : public QWidget {
public:
    explicit Overlay(SceneView* view) : QWidget(view), view_(view)
    {
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
    }

protected:
    void paintEvent(QPaintEvent*) override { view_->drawOverlay(); }

private:
    SceneView* view_;
};

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

void SceneView::uploadPoints(QOpenGLBuffer& buffer, const Eigen::Matrix2Xd& points)
{
    const std::vector<float> f = toFloats(points);
    buffer.bind();
    buffer.allocate(f.data(), int(f.size() * sizeof(float)));
}

void SceneView::drawPoints(QOpenGLBuffer& buffer, int count, const QColor& colour, float opacity, float size)
{
    if (count == 0) return;
    points_->bind();
    setViewUniforms(*points_);
    points_->setUniformValue("u_pointSize", size * float(devicePixelRatioF()));
    points_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), opacity));
    buffer.bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_POINTS, 0, count);
    glDisableVertexAttribArray(0);
}

void SceneView::drawArrows(const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors, const QColor& colour,
                           float opacity, float halfWidth)
{
    const int n = int(tails.cols());
    if (n == 0) return;
    std::vector<float> inst(std::size_t(4 * n));
    for (int i = 0; i < n; ++i) {
        inst[std::size_t(4 * i)] = float(tails(0, i));
        inst[std::size_t(4 * i + 1)] = float(tails(1, i));
        inst[std::size_t(4 * i + 2)] = float(vectors(0, i));
        inst[std::size_t(4 * i + 3)] = float(vectors(1, i));
    }
    arrows_->bind();
    setViewUniforms(*arrows_);
    arrows_->setUniformValue("u_halfWidth", halfWidth);
    arrows_->setUniformValue("u_head", 7.0f);
    arrows_->setUniformValue("u_colour", QVector4D(colour.redF(), colour.greenF(), colour.blueF(), opacity));
    arrowShape_->bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    arrowInstances_->bind();
    arrowInstances_->allocate(inst.data(), int(inst.size() * sizeof(float)));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), nullptr);
    glVertexAttribDivisor(1, 1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), reinterpret_cast<void*>(2 * sizeof(float)));
    glVertexAttribDivisor(2, 1);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 9, n);
    glVertexAttribDivisor(1, 0);
    glVertexAttribDivisor(2, 0);
    glDisableVertexAttribArray(0);
    glDisableVertexAttribArray(1);
    glDisableVertexAttribArray(2);
}

namespace {
// Arrow vectors for a score field: direction of s, length growing with |s| up
// to 90% of a grid cell (saturating at the 95th percentile of |s|).
Eigen::Matrix2Xd fieldArrows(const Eigen::Matrix2Xd& s, double cell)
{
    if (s.cols() == 0) return s;
    Eigen::VectorXd norms = s.colwise().norm().transpose();
    std::vector<double> sorted(norms.data(), norms.data() + norms.size());
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(0.95 * (sorted.size() - 1)), sorted.end());
    const double ref = std::max(sorted[std::size_t(0.95 * (sorted.size() - 1))], 1e-12);
    Eigen::Matrix2Xd out(2, s.cols());
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
        const double len = 0.9 * cell * std::min(1.0, norms(j) / ref);
        out.col(j) = norms(j) > 0 ? Eigen::Vector2d(s.col(j) / norms(j) * len) : Eigen::Vector2d::Zero();
    }
    return out;
}
} // namespace

void SceneView::drawTrails()
{
    const auto& trail = particles_->trail;
    const int steps = int(trail.size());
    const int n = int(particles_->particles.cols());
    if (steps < 2 || n == 0) return;
    // GL_LINES: one segment per particle per step, alpha fading with age, and
    // with length: the big jumps of high noise levels (a sizeable part of the
    // view) would cover the scene in lines, so they fade out.
    const double longJump = 0.06 * std::max(width(), height()) / pixelsPerUnit_;
    std::vector<float> v;
    v.reserve(std::size_t(n) * std::size_t(steps - 1) * 6);
    for (int k = 0; k + 1 < steps; ++k) {
        const float a0 = float(k + 1) / float(steps), a1 = float(k + 2) / float(steps);
        const Eigen::Matrix2Xd &p = trail[std::size_t(k)], &q = trail[std::size_t(k + 1)];
        if (p.cols() != n || q.cols() != n) continue;
        for (int j = 0; j < n; ++j) {
            const double len = std::hypot(q(0, j) - p(0, j), q(1, j) - p(1, j));
            const float fade = float(std::max(0.0, 1.0 - len / longJump));
            if (fade <= 0) continue;
            v.insert(v.end(), {float(p(0, j)), float(p(1, j)), a0 * fade, float(q(0, j)), float(q(1, j)), a1 * fade});
        }
    }
    if (v.empty()) return;
    trailVertices_ = int(v.size() / 3);
    trails_->bind();
    setViewUniforms(*trails_);
    const float o = layers_.trails.opacity;
    trails_->setUniformValue("u_colour", QVector4D(kTrails.redF(), kTrails.greenF(), kTrails.blueF(), o));
    trailBuffer_->bind();
    trailBuffer_->allocate(v.data(), int(v.size() * sizeof(float)));
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 3 * sizeof(float), reinterpret_cast<void*>(2 * sizeof(float)));
    glDrawArrays(GL_LINES, 0, trailVertices_);
    glDisableVertexAttribArray(0);
    glDisableVertexAttribArray(1);
}

void SceneView::drawHeatMap()
{
    const bool error = layers_.error.visible && field_->error.size() > 0;
    if (!error && !layers_.density.visible) return;
    if (uploadedField_ != field_->serial || heatIsError_ != error) {
        Eigen::ArrayXXf values;
        if (error) {
            heatMax_ = std::max(double(field_->error.maxCoeff()), 1e-30);
            values = field_->error / float(heatMax_);
        } else {
            heatMax_ = field_->logDensity.maxCoeff();
            values = ((field_->logDensity - float(heatMax_)).exp()).sqrt(); // sqrt: low densities stay visible
        }
        // Rows bottom (yMin) first, as the quad's v runs; bytes R, G, B, A as
        // uploaded (no QImage conversions in between).
        const QImage image =
            colourImage(error ? ColourMapKind::Error : ColourMapKind::Density, values).mirrored();
        heatTexture_ = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
        heatTexture_->setFormat(QOpenGLTexture::RGBA8_UNorm);
        heatTexture_->setSize(image.width(), image.height());
        heatTexture_->allocateStorage(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8);
        QOpenGLPixelTransferOptions rows;
        rows.setAlignment(4);
        heatTexture_->setData(QOpenGLTexture::RGBA, QOpenGLTexture::UInt8, image.constBits(), &rows);
        heatTexture_->setMinificationFilter(QOpenGLTexture::Linear);
        heatTexture_->setMagnificationFilter(QOpenGLTexture::Linear);
        heatTexture_->setWrapMode(QOpenGLTexture::ClampToEdge);
        uploadedField_ = field_->serial;
        heatIsError_ = error;
    }
    const app::FieldRequest& r = field_->request;
    heat_->bind();
    setViewUniforms(*heat_);
    heat_->setUniformValue("u_rect", QVector4D(float(r.xMin), float(r.yMin), float(r.xMax), float(r.yMax)));
    heat_->setUniformValue("u_opacity", error ? layers_.error.opacity : layers_.density.opacity);
    heat_->setUniformValue("u_texture", 0);
    heatTexture_->bind(0);
    quad_->bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glDisableVertexAttribArray(0);
    heatTexture_->release(0);
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

void SceneView::drawOverlay()
{
    QPainter p(overlay_);
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPointSizeF(std::max(10.0, font.pointSizeF() * 1.15));
    p.setFont(font);
    const QFontMetricsF fm(font);
    if (!glUsable_) {
        p.setPen(Qt::darkRed);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("The scene needs OpenGL 3.3 core.\n%1").arg(glDescription_.isEmpty() ? tr("No context.")
                                                                                           : glDescription_));
        return;
    }
    // Axes: ticks and labels along the bottom and left edges, faint grid lines.
    const QRectF world = visibleRect();
    const double step = niceStep(std::max(world.width(), world.height()), 8);
    p.setPen(QPen(QColor(0, 0, 0, 22), 1));
    for (double x = std::ceil(world.left() / step) * step; x <= world.right(); x += step)
        p.drawLine(QPointF(toPixel({x, 0}).x(), 0), QPointF(toPixel({x, 0}).x(), height()));
    for (double y = std::ceil(world.top() / step) * step; y <= world.bottom(); y += step)
        p.drawLine(QPointF(0, toPixel({0, y}).y()), QPointF(width(), toPixel({0, y}).y()));
    p.setPen(QColor(40, 40, 40));
    for (double x = std::ceil(world.left() / step) * step; x <= world.right(); x += step) {
        const double px = toPixel({x, 0}).x();
        p.drawLine(QPointF(px, height()), QPointF(px, height() - 6));
        const QString label = QString::number(std::abs(x) < 1e-9 * step ? 0.0 : x, 'g', 4);
        p.drawText(QPointF(px - fm.horizontalAdvance(label) / 2, height() - 9), label);
    }
    for (double y = std::ceil(world.top() / step) * step; y <= world.bottom(); y += step) {
        const double py = toPixel({0, y}).y();
        p.drawLine(QPointF(0, py), QPointF(6, py));
        p.drawText(QPointF(9, py + fm.ascent() / 2 - 1), QString::number(std::abs(y) < 1e-9 * step ? 0.0 : y, 'g', 4));
    }
    // Caption, top left.
    if (!caption_.isEmpty()) {
        const QRectF box = fm.boundingRect(QRectF(0, 0, width() * 0.7, height()), Qt::TextWordWrap, caption_);
        const QRectF at = box.translated(14, 10).adjusted(-6, -4, 6, 4);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(at, 4, 4);
        p.setPen(QColor(20, 20, 20));
        p.drawText(at.adjusted(6, 4, -6, -4), Qt::TextWordWrap, caption_);
    }
    // Legend, top right: what each colour is.
    std::vector<std::pair<QColor, QString>> legend;
    if (layers_.data.visible && data_) legend.emplace_back(kData, tr("data"));
    if (layers_.particles.visible && particles_) legend.emplace_back(kParticles, tr("particles"));
    if (layers_.learnedField.visible && field_ && field_->learned.size()) legend.emplace_back(kLearned, tr("learned score"));
    if (layers_.exactField.visible && field_) legend.emplace_back(kExact, tr("exact score"));
    if (layers_.decomposition.visible && particles_ && !particles_->playing) {
        legend.emplace_back(kDrift, tr("drift"));
        legend.emplace_back(kScore, tr("score term"));
        legend.emplace_back(kNoise, tr("noise"));
    }
    double w = 0;
    for (const auto& [c, t] : legend) w = std::max(w, fm.horizontalAdvance(t));
    const double rowH = fm.height() + 2;
    QRectF lbox(width() - w - 52, 10, w + 40, rowH * double(legend.size()) + 8);
    if (!legend.empty()) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(lbox, 4, 4);
        for (std::size_t i = 0; i < legend.size(); ++i) {
            const double y = lbox.top() + 4 + rowH * double(i);
            p.setBrush(legend[i].first);
            p.drawEllipse(QRectF(lbox.left() + 8, y + rowH / 2 - 6, 12, 12));
            p.setPen(QColor(20, 20, 20));
            p.drawText(QPointF(lbox.left() + 28, y + fm.ascent()), legend[i].second);
            p.setPen(Qt::NoPen);
        }
    }
    // Colour bar under the legend when a heat map shows.
    if (field_ && (layers_.density.visible || (layers_.error.visible && field_->error.size()))) {
        const bool error = heatIsError_;
        const QRectF bar(width() - 40, lbox.bottom() + 12 + fm.height(), 14, std::min(220.0, height() * 0.4));
        for (int i = 0; i < int(bar.height()); ++i) {
            const double v = 1.0 - i / bar.height();
            p.setPen(colourAt(error ? ColourMapKind::Error : ColourMapKind::Density, error ? v : std::sqrt(v)));
            p.drawLine(QPointF(bar.left(), bar.top() + i), QPointF(bar.right(), bar.top() + i));
        }
        p.setPen(QColor(40, 40, 40));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        const QString top = error ? tr("max err") : tr("p max"), bottom = "0";
        p.drawText(QPointF(bar.right() - fm.horizontalAdvance(top), bar.top() - 4), top);
        p.drawText(QPointF(bar.left() - fm.horizontalAdvance(bottom) - 4, bar.bottom()), bottom);
    }
    // Frame counter, bottom right.
    const QString fps = QStringLiteral("%1 fps").arg(fps_, 0, 'f', 0);
    p.setPen(QColor(90, 90, 90));
    p.drawText(QPointF(width() - fm.horizontalAdvance(fps) - 10, height() - 10 - fm.height()), fps);
}

} // namespace ss::view
