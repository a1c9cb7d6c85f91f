// SceneRenderer: the context, the frame (layers, read-back, overlay) and the
// request mailbox. The GL layers' uploads and draws are in SceneLayers.cpp.
#include "view/SceneRenderer.h"

#include "paint/SceneColours.h"

#include <QFile>
#include <QOffscreenSurface>
#include <QOpenGLBuffer>
#include <QOpenGLContext>
#include <QOpenGLFramebufferObject>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>
#include <QOpenGLVertexArrayObject>
#include <QPainter>
#include <QElapsedTimer>
#include <QThread>

#include <algorithm>
#include <utility>

namespace ss::view {

SceneRenderer::SceneRenderer(QOffscreenSurface* surface) : surface_(surface) {}

SceneRenderer::~SceneRenderer() = default; // releaseGl() ran on the render thread

void SceneRenderer::request(SceneFrame frame)
{
    std::lock_guard lock(mutex_);
    pending_ = std::move(frame);
    if (posted_) return; // the queued call will take the newest
    posted_ = true;
    QMetaObject::invokeMethod(this, &SceneRenderer::renderNewest, Qt::QueuedConnection);
}

void SceneRenderer::renderNewest()
{
    std::optional<SceneFrame> frame;
    {
        std::lock_guard lock(mutex_);
        frame.swap(pending_);
        posted_ = false;
    }
    if (!frame) return;
    const quint64 serial = frame->serial;
    emit frameReady(render(*frame), serial);
}

std::unique_ptr<QOpenGLShaderProgram> SceneRenderer::buildProgram(const QString& vert, const QString& frag)
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

// Once, on the render thread: the context, the programs and the buffers.
// False (and glDescription_ says why) when there is no GL 3.3 core here.
bool SceneRenderer::initGl()
{
    triedGl_ = true;
    context_ = std::make_unique<QOpenGLContext>();
    context_->setFormat(surface_->format());
    if (!context_->create() || !context_->makeCurrent(surface_)) {
        glDescription_ = QStringLiteral("no OpenGL context could be made here");
        qWarning("scene: %s", qPrintable(glDescription_));
        context_.reset();
        return false;
    }
    initializeOpenGLFunctions();
    const QSurfaceFormat f = context_->format();
    const auto renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    glDescription_ = QStringLiteral("OpenGL %1.%2 (%3) %4")
                         .arg(f.majorVersion())
                         .arg(f.minorVersion())
                         .arg(f.profile() == QSurfaceFormat::CoreProfile ? "core" : "compatibility")
                         .arg(renderer ? renderer : "?");
    qInfo("scene: %s, drawn on its own thread", qPrintable(glDescription_));
    if (std::pair(f.majorVersion(), f.minorVersion()) < std::pair(3, 3) || context_->isOpenGLES()) {
        qWarning("scene: OpenGL 3.3 core is needed; this context is %d.%d", f.majorVersion(), f.minorVersion());
        return false;
    }
    points_ = buildProgram(":/shaders/points.vert", ":/shaders/points.frag");
    arrows_ = buildProgram(":/shaders/arrows.vert", ":/shaders/colour.frag");
    trails_ = buildProgram(":/shaders/trails.vert", ":/shaders/trails.frag");
    heat_ = buildProgram(":/shaders/heatmap.vert", ":/shaders/heatmap.frag");
    if (!points_ || !arrows_ || !trails_ || !heat_) return false;

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
    return true;
}

void SceneRenderer::releaseGl()
{
    if (!context_) return;
    context_->makeCurrent(surface_);
    heatTexture_.reset();
    densityTexture_.reset();
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
    fbo_.reset();
    backgroundFbo_.reset();
    backgroundKey_.reset();
    keptData_.reset();
    context_->doneCurrent();
    context_.reset();
    glUsable_ = false;
}

QImage SceneRenderer::render(const SceneFrame& f)
{
    const QSize pixels = (QSizeF(f.size) * f.devicePixelRatio).toSize().expandedTo(QSize(1, 1));
    if (!triedGl_) {
        glUsable_ = initGl();
        emit glChecked(glUsable_, glDescription_);
    }
    QImage image;
    QElapsedTimer clock;
    clock.start();
    double drawMs = 0, readbackMs = 0;
    if (glUsable_ && context_->makeCurrent(surface_)) {
        if (!fbo_ || fbo_->size() != pixels) fbo_ = std::make_unique<QOpenGLFramebufferObject>(pixels);
        drawBackground(f, pixels); // into fbo_
        fbo_->bind();
        glViewport(0, 0, pixels.width(), pixels.height());
        beginPass(f);
        drawLayers(f);
        endPass();
        glFinish(); // the read-back waits for it anyway; timed apart from it
        drawMs = clock.nsecsElapsed() * 1e-6;
        // Rows come out top first (the layers are drawn upside down, see
        // setViewUniforms), bytes B, G, R, A: QImage's RGB32 as it is.
        image = QImage(pixels, QImage::Format_RGB32);
        glPixelStorei(GL_PACK_ALIGNMENT, 4);
        glReadPixels(0, 0, pixels.width(), pixels.height(), GL_BGRA, GL_UNSIGNED_BYTE, image.bits());
        fbo_->release();
        readbackMs = clock.nsecsElapsed() * 1e-6 - drawMs;
    } else {
        image = QImage(pixels, QImage::Format_RGB32);
        image.fill(kBackground);
    }
    image.setDevicePixelRatio(f.devicePixelRatio);
    const double beforeOverlay = clock.nsecsElapsed() * 1e-6;
    paintOverlay(image, f);
    {
        std::lock_guard lock(mutex_);
        times_.drawMs += drawMs;
        times_.readbackMs += readbackMs;
        times_.overlayMs += clock.nsecsElapsed() * 1e-6 - beforeOverlay;
        times_.frames += 1;
    }
    return image;
}

RenderTimes SceneRenderer::takeTimes()
{
    std::lock_guard lock(mutex_);
    return std::exchange(times_, RenderTimes{});
}

void SceneRenderer::beginPass(const SceneFrame& f)
{
    centre_ = f.centre;
    pixelsPerUnit_ = f.pixelsPerUnit;
    size_ = f.size;
    devicePixelRatio_ = f.devicePixelRatio;
    scale_ = float(f.picture.scale); // presentation mode's scale: points, arrows (as ScenePainter)
    glEnable(GL_BLEND);
    // Colour blends by alpha; the framebuffer's own alpha stays 1 (read back as RGB32).
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glDisable(GL_DEPTH_TEST);
    vao_->bind();
}

void SceneRenderer::endPass()
{
    vao_->release();
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glUseProgram(0);
    glDisable(GL_PROGRAM_POINT_SIZE);
}

void SceneRenderer::drawBackground(const SceneFrame& f, QSize pixels)
{
    const ScenePicture& s = f.picture;
    BackgroundKey key{s.data,  s.field,         s.modelDensity, s.layers,        s.palette, s.scale,
                      f.pixelsPerUnit, f.devicePixelRatio, f.centre, pixels};
    if (!backgroundFbo_ || backgroundFbo_->size() != pixels || backgroundKey_ != key) {
        if (!backgroundFbo_ || backgroundFbo_->size() != pixels)
            backgroundFbo_ = std::make_unique<QOpenGLFramebufferObject>(pixels);
        backgroundFbo_->bind();
        glViewport(0, 0, pixels.width(), pixels.height());
        glClearColor(kBackground.redF(), kBackground.greenF(), kBackground.blueF(), 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        beginPass(f);
        const LayerSettings& layers = s.layers;
        const ScenePalette& c = scenePalette(s.palette);
        if (showsModelDensity(s)) drawModelDensity(*s.modelDensity, layers); // in place of the field's map
        else if (s.field) drawHeatMap(*s.field, layers);
        if (s.data && layers.data.visible) {
            if (uploadedData_ != s.data.get()) {
                uploadPoints(*dataBuffer_, s.data->points);
                dataCount_ = int(s.data->points.cols());
                uploadedData_ = s.data.get();
                keptData_ = s.data;
            }
            drawPoints(*dataBuffer_, dataCount_, c.data, layers.data.opacity, 3.5f * scale_);
        }
        if (s.field && layers.noised.visible) {
            if (uploadedNoised_ != s.field->serial) {
                uploadPoints(*noisedBuffer_, s.field->noised);
                noisedCount_ = int(s.field->noised.cols());
                uploadedNoised_ = s.field->serial;
            }
            drawPoints(*noisedBuffer_, noisedCount_, c.noised, layers.noised.opacity, 3.5f * scale_);
        }
        endPass();
        backgroundKey_ = std::move(key);
    }
    // A copy, no blending: on llvmpipe about a millisecond for a full window.
    glBindFramebuffer(GL_READ_FRAMEBUFFER, backgroundFbo_->handle());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbo_->handle());
    glBlitFramebuffer(0, 0, pixels.width(), pixels.height(), 0, 0, pixels.width(), pixels.height(),
                      GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

void SceneRenderer::drawLayers(const SceneFrame& f)
{
    const ScenePicture& s = f.picture;
    const LayerSettings& layers = s.layers;
    const ScenePalette& c = scenePalette(s.palette);
    const float k = scale_;
    if (s.field) {
        const app::FieldSnapshot& field = *s.field;
        const app::FieldRequest& r = field.request;
        const double cell = (r.xMax - r.xMin) / std::max(1, r.arrows);
        // Tails shifted back by half the arrow, so arrows centre on their grid point.
        auto centred = [&](const Eigen::Matrix2Xd& score) {
            const Eigen::Matrix2Xd v = fieldArrows(score, cell);
            return std::pair(Eigen::Matrix2Xd(field.grid - 0.5 * v), v);
        };
        if (layers.exactField.visible) {
            const auto [t, v] = centred(field.exact);
            drawArrows(t, v, c.exact, layers.exactField.opacity, 0.9f * k);
        }
        if (layers.learnedField.visible && field.learned.size() > 0) {
            const auto [t, v] = centred(field.learned);
            drawArrows(t, v, c.learned, layers.learnedField.opacity, 0.9f * k);
        }
    }
    if (s.particles) {
        const app::ParticleSnapshot& p = *s.particles;
        if (layers.trails.visible) drawTrails(p, layers, c.trails);
        if (layers.particles.visible) {
            if (uploadedParticles_ != p.serial) {
                uploadPoints(*particleBuffer_, p.particles);
                particleCount_ = int(p.particles.cols());
                uploadedParticles_ = p.serial;
            }
            drawPoints(*particleBuffer_, particleCount_, c.particles, layers.particles.opacity, 4.0f * k);
        }
        const StepTerms& t = p.lastStep;
        if (layers.decomposition.visible && !p.playing && p.followed.empty() && t.score.cols() == p.particles.cols()) {
            // The last step, per particle (the first 400): x_prev -> + drift -> + score -> + noise.
            const Eigen::Index n = std::min<Eigen::Index>(400, t.score.cols());
            const Eigen::Matrix2Xd end = p.particles.leftCols(n);
            const Eigen::Matrix2Xd start = end - t.drift.leftCols(n) - t.score.leftCols(n) - t.noise.leftCols(n);
            const Eigen::Matrix2Xd afterDrift = start + t.drift.leftCols(n);
            drawArrows(start, t.drift.leftCols(n), c.drift, 1.0f, 1.0f * k);
            drawArrows(afterDrift, t.score.leftCols(n), c.score, 1.0f, 1.0f * k);
            drawArrows(afterDrift + t.score.leftCols(n), t.noise.leftCols(n), c.noise, 1.0f, 1.0f * k);
        }
    }
}

// Axes, caption, legend, colour bar and banner, by the raster engine on the
// read-back image (QPainter on a QImage is safe on any thread).
void SceneRenderer::paintOverlay(QImage& image, const SceneFrame& f) const
{
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    if (!glUsable_) {
        p.setPen(Qt::darkRed);
        p.drawText(QRect(QPoint(0, 0), f.size), Qt::AlignCenter,
                   QObject::tr("The scene needs OpenGL 3.3 core.\n%1").arg(glDescription_));
    } else {
        ss::view::paintOverlay(p, f.picture, f.size);
    }
    paintBanner(p, f.banner, f.bannerError, f.size, f.picture.scale);
}

} // namespace ss::view
