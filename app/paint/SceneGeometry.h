#pragma once
// The scene painters' geometry: world to pixels, and the arrow shape.
#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QSizeF>

#include <algorithm>
#include <cmath>

namespace ss::view {

struct Mapping {
    QRectF world; // top() is the smallest y
    QSizeF size;
    QPointF operator()(double x, double y) const
    {
        return {(x - world.left()) / world.width() * size.width(),
                (world.bottom() - y) / world.height() * size.height()};
    }
    double pixelsPerUnit() const { return size.width() / world.width(); }
};

// An arrow from a to b (pixels): a shaft halfWidth either side, a head of
// length `head` (at most 40% of the arrow) three times as wide. Empty when
// a and b coincide.
inline QPolygonF arrowShape(QPointF a, QPointF b, double halfWidth, double head)
{
    const QPointF v = b - a;
    const double len = std::hypot(v.x(), v.y());
    if (len < 1e-6) return {};
    const QPointF dir = v / len, across(-dir.y(), dir.x());
    const double h = std::min(head, 0.4 * len);
    const QPointF neck = b - dir * h;
    QPolygonF shape;
    shape << a + across * halfWidth << neck + across * halfWidth << neck + across * 3 * halfWidth << b
          << neck - across * 3 * halfWidth << neck - across * halfWidth << a - across * halfWidth;
    return shape;
}

} // namespace ss::view
