#include "paint/TargetPaint.h"

#include "paint/SceneGeometry.h"

#include <QFontMetricsF>
#include <QImage>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <vector>

namespace ss::view {

namespace {

// Where the free coordinate is sampled: every ~2 pixels along the line in
// view, plus the components' means in view (few enough to afford).
std::vector<double> samplePoints(const app::TargetProfile& t, double lo, double hi, double pixels)
{
    const int n = std::clamp(int(pixels / 2), 16, 2000);
    std::vector<double> u;
    u.reserve(std::size_t(n) + 1);
    for (int i = 0; i <= n; ++i) u.push_back(lo + (hi - lo) * i / n);
    if (t.law.size() <= 512)
        for (double m : t.law.means())
            if (m > lo && m < hi) u.push_back(m);
    std::sort(u.begin(), u.end());
    return u;
}

// A label on a white box at the bottom centre, above the x axis' numbers (the
// caption and the legend hold the top); row 1 sits above row 0.
void topLabel(QPainter& p, const QString& label, int row, QSizeF size, double scale, const ScenePalette& colours)
{
    const QFontMetricsF fm(p.font());
    const QSizeF box = fm.size(0, label) + QSizeF(10 * scale, 6 * scale);
    const double bottom = size.height() - fm.height() - 16 * scale - row * (box.height() + 4 * scale);
    const QRectF where(QPointF(std::max(0.0, (size.width() - box.width()) / 2), bottom - box.height()), box);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 215));
    p.drawRoundedRect(where, 4 * scale, 4 * scale);
    p.setPen(colours.target.darker(130));
    p.drawText(where, Qt::AlignCenter, label);
}

} // namespace

QPolygonF targetOutline(const app::TargetProfile& t, const QRectF& world, QSizeF size)
{
    const Mapping m{world, size};
    const bool vertical = t.fixedCoordinate == 0; // x1 = a: a vertical line, the law over x2
    const double lo = vertical ? world.top() : world.left(), hi = vertical ? world.bottom() : world.right();
    const double across = vertical ? world.left() : world.top(), acrossEnd = vertical ? world.right() : world.bottom();
    if (t.a < across || t.a > acrossEnd || !(t.peak > 0)) return {};
    const double height = kTargetWidthFraction * std::min(size.width(), size.height());
    const auto at = [&](double u, double offset) {
        const QPointF base = vertical ? m(t.a, u) : m(u, t.a);
        return vertical ? base + QPointF(offset, 0) : base - QPointF(0, offset);
    };
    QPolygonF outline;
    outline << at(lo, 0);
    for (double u : samplePoints(t, lo, hi, vertical ? size.height() : size.width()))
        outline << at(u, height * std::min(t.law.pdf(u) / t.peak, 1.0));
    outline << at(hi, 0);
    return outline;
}

void paintTarget(QPainter& p, const app::TargetProfile& t, const QRectF& world, QSizeF size, double scale,
                 const ScenePalette& colours, float opacity)
{
    const QPolygonF outline = targetOutline(t, world, size);
    if (outline.isEmpty()) return;
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setOpacity(std::clamp(double(opacity), 0.0, 1.0));
    QColor fill = colours.target;
    fill.setAlpha(60);
    // The fixed line, dashed, across the whole view.
    QPen line(colours.target, 1.5 * scale, Qt::DashLine);
    p.setPen(line);
    p.drawLine(outline.front(), outline.back());
    p.setPen(QPen(colours.target, 2.5 * scale));
    p.setBrush(fill);
    p.drawPolygon(outline);
    // The label on a white box, beside the line's end that the caption and the
    // legend leave free: the bottom for x1 = a (above the axis labels), the
    // right for x2 = a.
    const QString label = QString::fromStdString(t.label);
    const QFontMetricsF fm(p.font());
    const QSizeF box = fm.size(0, label) + QSizeF(10 * scale, 6 * scale);
    const bool vertical = t.fixedCoordinate == 0;
    QPointF corner = vertical ? outline.front() + QPointF(8 * scale, -box.height() - 36 * scale)
                              : outline.back() - QPointF(box.width() + 60 * scale, box.height() + 8 * scale);
    corner.setX(std::clamp(corner.x(), 0.0, std::max(0.0, size.width() - box.width())));
    corner.setY(std::clamp(corner.y(), 0.0, std::max(0.0, size.height() - box.height())));
    const QRectF at(corner, box);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 255, 215));
    p.drawRoundedRect(at, 4 * scale, 4 * scale);
    p.setPen(colours.target.darker(130));
    p.drawText(at, Qt::AlignCenter, label);
    p.restore();
}

void paintTiltedTarget(QPainter& p, const app::TiltedMap& t, const QRectF& world, QSizeF size, double scale,
                       const ScenePalette& colours, float opacity)
{
    const int n = t.resolution;
    if (n < 1 || t.density.size() != std::size_t(n) * std::size_t(n)) return;
    QImage image(n, n, QImage::Format_ARGB32_Premultiplied);
    const QColor c = colours.target;
    for (int i = 0; i < n; ++i) {
        auto* row = reinterpret_cast<QRgb*>(image.scanLine(n - 1 - i)); // grid row 0 is the box's bottom
        for (int j = 0; j < n; ++j) {
            // sqrt: the tails of a sharp target stay visible.
            const double a = std::sqrt(std::clamp(double(t.density[std::size_t(i) * std::size_t(n) + std::size_t(j)]), 0.0, 1.0));
            const int alpha = int(std::lround(kTiltedMaxAlpha * a));
            row[j] = qPremultiply(qRgba(c.red(), c.green(), c.blue(), alpha));
        }
    }
    const Mapping m{world, size};
    const QRectF at(m(t.box.left(), t.box.bottom()), m(t.box.right(), t.box.top()));
    p.save();
    p.setOpacity(std::clamp(double(opacity), 0.0, 1.0));
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(at, image);
    topLabel(p, QString::fromStdString(t.label), 0, size, scale, colours);
    p.restore();
}

void paintSdeditTarget(QPainter& p, const Eigen::Matrix2Xd& posterior, const Eigen::Matrix2Xd* stroke, double t0,
                       const QRectF& world, QSizeF size, double scale, const ScenePalette& colours, float opacity)
{
    const Mapping m{world, size};
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setOpacity(std::clamp(double(opacity), 0.0, 1.0));
    QColor ring = colours.target;
    ring.setAlpha(170);
    p.setPen(QPen(ring, 1.3 * scale));
    p.setBrush(Qt::NoBrush);
    const double r = 2.6 * scale;
    for (Eigen::Index j = 0; j < posterior.cols(); ++j) p.drawEllipse(m(posterior(0, j), posterior(1, j)), r, r);
    if (stroke) {
        p.setPen(QPen(QColor(30, 30, 30), 1.6 * scale));
        const double c = 4 * scale;
        for (Eigen::Index j = 0; j < stroke->cols(); ++j) {
            const QPointF at = m((*stroke)(0, j), (*stroke)(1, j));
            p.drawLine(at - QPointF(c, 0), at + QPointF(c, 0));
            p.drawLine(at - QPointF(0, c), at + QPointF(0, c));
        }
    }
    topLabel(p, QObject::tr("rings: exact p(x₀ | x_t₀), t₀ = %1 · crosses: the stroke")
                    .arg(t0, 0, 'g', 3),
             1, size, scale, colours);
    p.restore();
}

} // namespace ss::view
