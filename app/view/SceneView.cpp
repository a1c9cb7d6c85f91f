#include "view/SceneView.h"

#include "paint/SceneColours.h"
#include "paint/ScenePainter.h"
#include "view/SceneRenderer.h"

#include <QMouseEvent>
#include <QOffscreenSurface>
#include <QPainter>
#include <QThread>
#include <QTimer>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ss::view {


// The draw mode's brush circle: a small transparent child over the scene that
// moves with the cursor, so following the mouse repaints a few hundred pixels
// and asks for no new frame.
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

SceneView::SceneView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(320, 240);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent); // paintEvent covers every pixel
    brush_ = new BrushRing(this);
    frameClock_.start();
    sinceStart_.start();

    surface_ = std::make_unique<QOffscreenSurface>();
    surface_->setFormat(QSurfaceFormat::defaultFormat());
    surface_->create();
    renderThread_ = new QThread(this);
    renderThread_->setObjectName(QStringLiteral("scene-render"));
    renderer_ = new SceneRenderer(surface_.get());
    renderer_->moveToThread(renderThread_);
    connect(renderThread_, &QThread::finished, renderer_, &QObject::deleteLater);
    connect(renderer_, &SceneRenderer::frameReady, this, &SceneView::showFrame); // queued: another thread
    connect(renderer_, &SceneRenderer::glChecked, this, [this](bool usable, const QString& description) {
        glUsable_ = usable;
        glDescription_ = description;
    });
    renderThread_->start();
}

SceneView::~SceneView()
{
    // GL objects die on the render thread with the context current, before
    // the thread ends; the surface after it.
    QMetaObject::invokeMethod(renderer_, [r = renderer_] { r->releaseGl(); }, Qt::BlockingQueuedConnection);
    renderThread_->quit();
    renderThread_->wait();
}

// What is shown now (exports draw it with ScenePainter, the renderer with GL).
ScenePicture SceneView::picture() const
{
    ScenePicture s;
    s.data = data_;
    s.particles = particles_;
    s.field = field_;
    s.modelDensity = modelDensity_;
    s.layers = layers_;
    s.world = visibleRect();
    s.caption = caption_;
    s.scale = scale_;
    s.palette = palette_;
    return s;
}

// ---- frames ----------------------------------------------------------------------------

SceneFrame SceneView::frame() const
{
    SceneFrame f;
    f.picture = picture();
    f.picture.corner = QStringLiteral("%1 fps").arg(fps_, 0, 'f', 0);
    f.centre = centre_;
    f.pixelsPerUnit = pixelsPerUnit_;
    f.size = size();
    f.devicePixelRatio = devicePixelRatioF();
    const bool timed = !banner_.isEmpty(); // on screen only (exports carry the caption, not the banner)
    f.banner = timed ? banner_ : standingBanner_;
    f.bannerError = timed ? bannerError_ : true;
    return f;
}

void SceneView::requestFrame()
{
    if (!isVisible()) return; // shown again: the show's resize asks
    SceneFrame f = frame();
    f.serial = ++requested_;
    renderer_->request(std::move(f));
}

QImage SceneView::renderNow()
{
    SceneFrame f = frame();
    f.serial = ++requested_;
    QImage image;
    QMetaObject::invokeMethod(
        renderer_,
        [&] {
            image = renderer_->render(f);
            glUsable_ = renderer_->glUsable(); // now, not when the queued glChecked arrives
            glDescription_ = renderer_->glDescription();
        },
        Qt::BlockingQueuedConnection);
    showFrame(image, f.serial);
    return image;
}

RenderTimes SceneView::takeRenderTimes() { return renderer_->takeTimes(); }

void SceneView::showFrame(const QImage& image, quint64 serial)
{
    (void)serial; // frames arrive in the order they were asked for
    shown_ = image;
    const double ms = frameClock_.nsecsElapsed() * 1e-6;
    frameClock_.restart();
    if (frameTimes_.size() < 100000) frameTimes_.push_back(ms);
    const qint64 now = sinceStart_.elapsed();
    shownAt_.push_back(now);
    while (shownAt_.front() <= now - 1000) shownAt_.pop_front();
    fps_ = double(shownAt_.size());
    update();
    emit frameDrawn();
}

void SceneView::paintEvent(QPaintEvent* e)
{
    QPainter p(this);
    if (shown_.isNull()) {
        p.fillRect(e->rect(), kBackground);
        return;
    }
    p.drawImage(QPointF(0, 0), shown_);
    // While the window is resized the newest frame may be smaller than the view.
    const QSizeF drawn = shown_.deviceIndependentSize();
    if (drawn.width() < width()) p.fillRect(QRectF(drawn.width(), 0, width() - drawn.width(), height()), kBackground);
    if (drawn.height() < height()) p.fillRect(QRectF(0, drawn.height(), width(), height() - drawn.height()), kBackground);
}

void SceneView::resizeEvent(QResizeEvent*)
{
    if (autoFit_) resetView(); // until the user pans or zooms, the data stay framed
    else emitViewChanged();
    requestFrame();
}

// ---- data in ------------------------------------------------------------------

void SceneView::setScale(double scale)
{
    scale_ = std::clamp(scale, 0.5, 4.0);
    requestFrame();
}

void SceneView::setPalette(PaletteKind palette)
{
    palette_ = palette;
    requestFrame();
}

void SceneView::setData(std::shared_ptr<const Dataset> data)
{
    const bool first = !data_;
    data_ = std::move(data);
    if (first) resetView();
    requestFrame();
}

void SceneView::setParticles(app::ParticlesPtr particles)
{
    particles_ = std::move(particles);
    requestFrame();
}

void SceneView::setField(app::FieldPtr field)
{
    field_ = std::move(field);
    requestFrame();
}

void SceneView::setModelDensity(app::DensityPtr density)
{
    modelDensity_ = std::move(density);
    requestFrame();
}

void SceneView::setLayers(const LayerSettings& layers)
{
    layers_ = layers;
    requestFrame();
}

void SceneView::setCaption(const QString& caption)
{
    if (caption == caption_) return;
    caption_ = caption;
    requestFrame();
}

void SceneView::showBanner(const QString& text, bool error, int ms)
{
    if (!bannerTimer_) {
        bannerTimer_ = new QTimer(this);
        bannerTimer_->setSingleShot(true);
        connect(bannerTimer_, &QTimer::timeout, this, [this] {
            banner_.clear();
            requestFrame();
        });
    }
    banner_ = text;
    bannerError_ = error;
    bannerTimer_->start(std::max(1, ms));
    requestFrame();
}

void SceneView::setStandingBanner(const QString& text)
{
    if (text == standingBanner_) return;
    standingBanner_ = text;
    requestFrame();
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
    requestFrame();
}

void SceneView::setVisibleRect(const QRectF& world)
{
    if (!(world.width() > 0 && world.height() > 0)) return; // nothing sensible to show
    autoFit_ = false;
    centre_ = world.center();
    pixelsPerUnit_ = std::min(std::max(width(), 1) / world.width(), std::max(height(), 1) / world.height());
    emitViewChanged();
    requestFrame();
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
    clicking_ = drawTool_ == DrawTool::Off && e->button() == Qt::LeftButton;
    pressAt_ = e->position().toPoint();
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
    if (clicking_ && e->button() == Qt::LeftButton) {
        clicking_ = false;
        emit particleClicked(particleAt(e->position(), kPickRadius * scale_), e->modifiers());
    }
}

qint64 SceneView::particleAt(QPointF pixel, double radius) const
{
    if (!particles_ || !layers_.particles.visible) return -1;
    const Eigen::Matrix2Xd& x = particles_->particles;
    qint64 best = -1;
    double bestSquared = radius * radius;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const QPointF d = toPixel(QPointF(x(0, j), x(1, j))) - pixel;
        const double squared = QPointF::dotProduct(d, d);
        if (squared <= bestSquared) {
            bestSquared = squared;
            best = j;
        }
    }
    return best;
}

void SceneView::mouseMoveEvent(QMouseEvent* e)
{
    moveBrush(e->position());
    if (clicking_ && (e->position().toPoint() - pressAt_).manhattanLength() > 4) clicking_ = false; // a drag: pans
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
    requestFrame();
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
    requestFrame();
}

} // namespace ss::view
