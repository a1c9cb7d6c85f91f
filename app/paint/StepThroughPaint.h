#pragma once
// The step-through in the picture: each followed particle ringed and numbered,
// its last step drawn as large labelled arrows (each term of the sampler's
// equation, chained from where the particle was), and a card with the first
// followed particle's update as the equation with its numbers
// (core/StepTrace.h's describePart). Part of the overlay, so the view, the
// stills and the animations show the same.
//
// Honest scale: a step too short to see is drawn magnified, and the factor is
// printed beside it ("arrows ×200"); the ring marks where the particle really is.
#include "paint/SceneColours.h"
#include "state/SamplingSetup.h"

#include <QPainter>
#include <QRectF>
#include <QSizeF>

namespace ss::view {

// The factor (1, 2, 5 x 10^k, at least 1) that makes a step whose longest
// arrow is `longestPixels` long at least kShortestArrowPixels long.
double stepMagnification(double longestPixels);
inline constexpr double kShortestArrowPixels = 60;

// Rings, arrows and labels for the followed particles of s (world: the
// visible rectangle; scale: text and line scale). Nothing when none is followed.
void paintFollowed(QPainter& p, const app::ParticleSnapshot& s, const QRectF& world, QSizeF size, double scale,
                   const ScenePalette& colours);
// The card, bottom left: "Step n · particle j", then each part's title with
// its constants, its equation, the values, the substituted sum and x′.
// Nothing when there is no step to show. When the card would cover the
// particle (large text, a particle low in the scene) it moves to the top,
// under the caption.
void paintStepCard(QPainter& p, const app::ParticleSnapshot& s, const QRectF& world, QSizeF size, double scale);

} // namespace ss::view
