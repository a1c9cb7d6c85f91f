#include "ScenePreview.h"

#include "Dataset.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

// Dark ink on white, saturated marks: survives a washed-out projector.
const QColor kBackground(255, 255, 255);
const QColor kInk(0x21, 0x25, 0x29);
const QColor kMutedInk(0x55, 0x5b, 0x61);
const QColor kGridLine(0xe6, 0xe8, 0xeb);
const QColor kPoint(0x1c, 0x5d, 0xc9);
const QColor kArrow(0xd9, 0x48, 0x0f);
const QColor kError(0xb0, 0x1e, 0x1e);

// 1, 2 or 5 times a power of ten, near raw.
double niceStep(double raw)
{
    const double e = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / e;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * e;
}

QString tickLabel(double v, double step)
{
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    if (std::abs(v) < 0.5 * step) v = 0.0; // no "-0"
    return QString::number(v, 'f', decimals).replace(QLatin1Char('-'), QChar(0x2212));
}

QString formatNumber(double v) { return QString::number(v, 'g', 3).replace(QLatin1Char('-'), QChar(0x2212)); }

QFont scaledFont(QFont f, double factor, bool bold = false)
{
    f.setPointSizeF(f.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

// An arrow from a to b with a filled head; the head shrinks with short arrows.
void drawArrow(QPainter& p, QPointF a, QPointF b, double headMax)
{
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1e-6) return;
    const QPointF u = d / len, n(-u.y(), u.x());
    const double head = std::min(0.4 * len, headMax);
    const QPointF base = b - u * head;
    p.drawLine(a, base + u * 0.5 * head); // shaft ends inside the head: no gap
    const QPointF tri[3] = {b, base + n * 0.45 * head, base - n * 0.45 * head};
    p.drawPolygon(tri, 3);
}

} // namespace

ScenePreview::ScenePreview(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ScenePreview::setScene(const ss::Dataset& data, const QString& title, ss::Marginal m, int gridSize)
{
    auto exact = data.exactScore(); // throws for an empty set
    const Eigen::Vector2d lo = data.points.rowwise().minCoeff();
    const Eigen::Vector2d hi = data.points.rowwise().maxCoeff();

    // A square view around the data, padded by the noise so the field's pull
    // from outside shows, with edges on whole ticks.
    const Eigen::Vector2d centre = 0.5 * (lo + hi);
    const double extent = std::max({(hi - lo).maxCoeff(), 1e-3, 4.0 * m.std});
    double half = 0.5 * extent * m.mean + std::max(0.12 * extent, 1.2 * m.std);
    const double step = niceStep(2.0 * half / 6.0);
    const Eigen::Vector2d snapped = (m.mean * centre / step).array().round() * step;
    half = std::ceil((half + (m.mean * centre - snapped).cwiseAbs().maxCoeff()) / step) * step;

    Eigen::Matrix2Xd grid(2, gridSize * gridSize);
    const double cell = 2.0 * half / gridSize;
    for (int i = 0; i < gridSize; ++i)
        for (int j = 0; j < gridSize; ++j)
            grid.col(i * gridSize + j) =
                snapped + Eigen::Vector2d(-half + (j + 0.5) * cell, -half + (i + 0.5) * cell);
    Eigen::Matrix2Xd scores(2, grid.cols());
    exact->score(grid, m, scores); // may throw: leave the old scene untouched until here

    // Full arrow length at the 85th percentile of |s|: near the data the field
    // is small, far away it grows like |x|/sigma^2 and would flatten the rest.
    std::vector<double> norms(size_t(scores.cols()));
    for (Eigen::Index k = 0; k < scores.cols(); ++k) norms[size_t(k)] = scores.col(k).norm();
    auto pct = norms.begin() + std::ptrdiff_t(0.85 * double(norms.size() - 1));
    std::nth_element(norms.begin(), pct, norms.end());

    points_ = m.mean * data.points; // show the data as it sits in this marginal's frame
    gridPoints_ = std::move(grid);
    gridScores_ = std::move(scores);
    scoreScale_ = (std::isfinite(*pct) && *pct > 0.0) ? *pct : 1.0;
    gridSize_ = gridSize;
    exact_ = std::move(exact);
    marginal_ = m;
    title_ = title;
    error_.clear();
    tick_ = step;
    viewCentre_ = QPointF(snapped.x(), snapped.y());
    viewHalf_ = half;
    update();
}

void ScenePreview::showError(const QString& message)
{
    error_ = message;
    exact_.reset();
    update();
}

ScenePreview::Layout ScenePreview::layout() const
{
    const QFontMetricsF tickFm(scaledFont(font(), 1.2));
    const QFontMetricsF titleFm(scaledFont(font(), 1.75, true));
    const QFontMetricsF legendFm(scaledFont(font(), 1.25));
    const double pad = 0.8 * tickFm.height();
    const double captionH = titleFm.height() + legendFm.height() + 1.2 * pad;
    const double left = tickFm.horizontalAdvance(QStringLiteral("\u22120.00")) + 2.2 * tickFm.height() + pad;
    const double bottom = 2.6 * tickFm.height() + pad;

    const QRectF avail = QRectF(rect()).adjusted(left, pad + captionH, -1.5 * pad, -bottom);
    const double side = std::max(10.0, std::min(avail.width(), avail.height()));
    const QRectF plot(avail.left() + 0.5 * (avail.width() - side), avail.top(), side, side);
    return {QRectF(plot.left(), pad, std::max(plot.width(), 1.0), captionH), plot};
}

QPointF ScenePreview::toWidget(const QRectF& plot, double x, double y) const
{
    const double s = plot.width() / (2.0 * viewHalf_);
    return {plot.center().x() + (x - viewCentre_.x()) * s, plot.center().y() - (y - viewCentre_.y()) * s};
}

QPointF ScenePreview::toData(const QRectF& plot, QPointF p) const
{
    const double s = (2.0 * viewHalf_) / plot.width();
    return {viewCentre_.x() + (p.x() - plot.center().x()) * s,
            viewCentre_.y() - (p.y() - plot.center().y()) * s};
}

void ScenePreview::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), kBackground);
    if (!error_.isEmpty() || !exact_) {
        p.setPen(error_.isEmpty() ? kMutedInk : kError);
        p.setFont(scaledFont(font(), 1.3));
        p.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap,
                   error_.isEmpty() ? tr("No scene") : error_);
        return;
    }
    const Layout l = layout();
    drawAxes(p, l.plot);
    p.save();
    p.setClipRect(l.plot);
    drawPoints(p, l.plot);
    drawField(p, l.plot);
    p.restore();
    p.setPen(QPen(kInk, 1.2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.plot);
    drawCaption(p, l.caption);
}

void ScenePreview::drawCaption(QPainter& p, const QRectF& area) const
{
    const QFont titleFont = scaledFont(font(), 1.75, true);
    const QFont legendFont = scaledFont(font(), 1.25);
    const QFontMetricsF titleFm(titleFont), legendFm(legendFont);

    p.setPen(kInk);
    p.setFont(titleFont);
    p.drawText(QPointF(area.left(), area.top() + titleFm.ascent()), title_);

    // Legend line: a dot for the data, an arrow for the score, in the marks' colours.
    const double y = area.top() + titleFm.height() + 0.35 * legendFm.height();
    const double midY = y + 0.5 * legendFm.height() - 0.15 * legendFm.ascent();
    const double baseY = y + legendFm.ascent();
    double x = area.left();
    p.setFont(legendFont);

    p.setPen(QPen(kPoint, 0.55 * legendFm.height(), Qt::SolidLine, Qt::RoundCap));
    p.drawPoint(QPointF(x + 0.3 * legendFm.height(), midY));
    x += 0.9 * legendFm.height();
    const QString dataText = tr("data: %1 points").arg(points_.cols());
    p.setPen(kInk);
    p.drawText(QPointF(x, baseY), dataText);
    x += legendFm.horizontalAdvance(dataText) + 1.5 * legendFm.height();

    p.setPen(QPen(kArrow, 2.0));
    p.setBrush(kArrow);
    drawArrow(p, QPointF(x, midY), QPointF(x + 1.6 * legendFm.height(), midY), 0.6 * legendFm.height());
    p.setBrush(Qt::NoBrush);
    x += 2.0 * legendFm.height();
    QString noise = QStringLiteral("\u03c3 = %1").arg(formatNumber(marginal_.std));
    if (marginal_.mean != 1.0) noise += QStringLiteral(", mean %1").arg(formatNumber(marginal_.mean));
    p.setPen(kInk);
    p.drawText(QPointF(x, baseY), tr("exact score \u2207\u2093 log p(x) at noise %1").arg(noise));
}

void ScenePreview::drawAxes(QPainter& p, const QRectF& plot) const
{
    const QFont tickFont = scaledFont(font(), 1.2);
    const QFontMetricsF fm(tickFont);
    const double tickLen = 0.35 * fm.height();
    p.setFont(tickFont);

    const double first = std::ceil((viewCentre_.x() - viewHalf_) / tick_ - 1e-9);
    const double firstY = std::ceil((viewCentre_.y() - viewHalf_) / tick_ - 1e-9);
    const int count = int(std::floor(2.0 * viewHalf_ / tick_ + 1e-9)) + 1;
    double widestY = 0.0; // the x2 name goes left of the widest label
    for (int k = 0; k < count; ++k) {
        const double vx = (first + k) * tick_, vy = (firstY + k) * tick_;
        const QPointF px = toWidget(plot, vx, viewCentre_.y());
        const QPointF py = toWidget(plot, viewCentre_.x(), vy);
        p.setPen(QPen(kGridLine, 1.0));
        p.drawLine(QPointF(px.x(), plot.top()), QPointF(px.x(), plot.bottom()));
        p.drawLine(QPointF(plot.left(), py.y()), QPointF(plot.right(), py.y()));
        p.setPen(QPen(kInk, 1.2));
        p.drawLine(QPointF(px.x(), plot.bottom()), QPointF(px.x(), plot.bottom() + tickLen));
        p.drawLine(QPointF(plot.left() - tickLen, py.y()), QPointF(plot.left(), py.y()));
        const QString lx = tickLabel(vx, tick_), ly = tickLabel(vy, tick_);
        widestY = std::max(widestY, fm.horizontalAdvance(ly));
        p.drawText(
            QPointF(px.x() - 0.5 * fm.horizontalAdvance(lx), plot.bottom() + tickLen + fm.ascent() + 2), lx);
        p.drawText(QPointF(plot.left() - tickLen - 4 - fm.horizontalAdvance(ly), py.y() + 0.35 * fm.ascent()),
                   ly);
    }

    // Axis names: x1 under the bottom ticks, x2 left of the left ticks.
    QFont nameFont = tickFont;
    nameFont.setItalic(true);
    p.setFont(nameFont);
    p.setPen(kMutedInk);
    const QString x1 = QStringLiteral("x\u2081"), x2 = QStringLiteral("x\u2082");
    p.drawText(QPointF(plot.center().x() - 0.5 * fm.horizontalAdvance(x1),
                       plot.bottom() + tickLen + 2.2 * fm.height()),
               x1);
    p.drawText(QPointF(plot.left() - tickLen - widestY - 0.8 * fm.height() - fm.horizontalAdvance(x2),
                       plot.center().y() + 0.35 * fm.ascent()),
               x2);
}

void ScenePreview::drawPoints(QPainter& p, const QRectF& plot) const
{
    QColor c = kPoint;
    c.setAlphaF(0.55);
    const double radius = std::clamp(plot.width() / 260.0, 1.5, 4.0);
    p.setPen(QPen(c, 2.0 * radius, Qt::SolidLine, Qt::RoundCap));
    std::vector<QPointF> pts;
    pts.reserve(size_t(points_.cols()));
    for (Eigen::Index k = 0; k < points_.cols(); ++k)
        pts.push_back(toWidget(plot, points_(0, k), points_(1, k)));
    p.drawPoints(pts.data(), int(pts.size()));
}

void ScenePreview::drawField(QPainter& p, const QRectF& plot) const
{
    // Arrows centred on their grid point, length proportional to |s| up to the
    // scale, then capped: direction everywhere, magnitude where it is readable.
    const double cell = plot.width() / std::max(gridSize_, 1);
    const double maxLen = 0.92 * cell;
    p.setPen(QPen(kArrow, std::clamp(cell / 18.0, 1.2, 2.2), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(kArrow);
    for (Eigen::Index k = 0; k < gridPoints_.cols(); ++k) {
        const Eigen::Vector2d s = gridScores_.col(k);
        const double norm = s.norm();
        if (!std::isfinite(norm) || norm <= 0.0) continue;
        const double len = maxLen * std::min(1.0, norm / scoreScale_);
        if (len < 1.5) continue;
        const QPointF c = toWidget(plot, gridPoints_(0, k), gridPoints_(1, k));
        const QPointF d(s.x() / norm * len, -s.y() / norm * len); // widget y points down
        drawArrow(p, c - 0.5 * d, c + 0.5 * d, 0.38 * cell);
    }
    p.setBrush(Qt::NoBrush);
}

void ScenePreview::mouseMoveEvent(QMouseEvent* event)
{
    const QRectF plot = layout().plot;
    if (!exact_ || !plot.contains(event->position())) {
        emit hovered(false, {}, {});
        return;
    }
    const QPointF x = toData(plot, event->position());
    Eigen::Matrix2Xd q(2, 1), s(2, 1);
    q << x.x(), x.y();
    exact_->score(q, marginal_, s);
    emit hovered(true, x, QPointF(s(0, 0), s(1, 0)));
}

void ScenePreview::leaveEvent(QEvent*) { emit hovered(false, {}, {}); }
