#pragma once
// The "Exact target" layer: a conditioned run's exact law of the free
// coordinate (state/TargetProfile.h), drawn along the line the sampler keeps
// fixed, as a filled density curve standing on that line (x1 = a: the curve
// grows to the right over x2; x2 = a: it grows upward over x1), with its
// label. Part of the overlay, so the view, the stills and the animations agree.
//
// Scale: the law's peak is kTargetWidthFraction of the scene's shorter side;
// the curve shows the shape, not the density's absolute value (the label says
// which law it is). The components' means are sampled too, so a narrow spike
// (a point set smoothed by a small noise) keeps its top.
#include "paint/SceneColours.h"
#include "state/TargetProfile.h"
#include "state/TiltedTarget.h"

#include <QPainter>
#include <QPolygonF>
#include <QRectF>
#include <QSizeF>

namespace ss::view {

inline constexpr double kTargetWidthFraction = 0.2;

// The curve's outline in pixels: from the line's start, over the density, back
// to the line's end (a closed polygon when filled). Empty when the line is not
// in view.
QPolygonF targetOutline(const app::TargetProfile& t, const QRectF& world, QSizeF size);

// The line, the filled curve and the label; opacity from the layer.
void paintTarget(QPainter& p, const app::TargetProfile& t, const QRectF& world, QSizeF size, double scale,
                 const ScenePalette& colours, float opacity);

// A guided run's exact target (state/TiltedTarget.h) on the same layer: the
// tilted density as a translucent heat map in the target's colour (alpha
// grows with the density, its peak at kTiltedMaxAlpha, so the particles stay
// visible through it), with its label at the bottom of the view.
inline constexpr int kTiltedMaxAlpha = 150;
void paintTiltedTarget(QPainter& p, const app::TiltedMap& t, const QRectF& world, QSizeF size, double scale,
                       const ScenePalette& colours, float opacity);

// An SDEdit run's reference on the same layer: exact draws of p(x0 | x_t0)
// from the run's noised start as rings in the target's colour, the drawn
// stroke as dark crosses, and the label under the tilted target's place.
void paintSdeditTarget(QPainter& p, const Eigen::Matrix2Xd& posterior, const Eigen::Matrix2Xd* stroke, double t0,
                       const QRectF& world, QSizeF size, double scale, const ScenePalette& colours, float opacity);

} // namespace ss::view
