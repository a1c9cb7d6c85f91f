#pragma once
// The model-density layer as a picture, shared by the GL view and the
// QPainter paths (stills, video, the overlay): the values for the colour map,
// where they lie in the world, the colour bar, and the split view's labels.
//
//  - Model: log p_theta on the Nats ramp from its maximum down to
//    kModelDensityRange nats (fading out towards the bottom, lower values clear).
//  - Split: the same scale for both, log p_theta left of the region's centre
//    and the true log p right of it, so a mode the model misses or smears
//    shows against its neighbour.
//  - Difference: log p_theta - log p_true on the Diverging ramp, symmetric
//    around 0 (white), its reach the largest |difference| where the true
//    density is within the range (beyond, it saturates); drawn where either
//    density is within the range (far out both are ~0 and their logs differ
//    wildly, meaninglessly), elsewhere left clear.
#include "paint/ColourBar.h"
#include "state/DensityLayer.h"
#include "state/LayerSettings.h"

#include <QPainter>
#include <QRectF>

namespace ss::view {

struct DensityHeat {
    ColourMapKind kind = ColourMapKind::Nats;
    Eigen::ArrayXXf values; // in [0, 1], rows = y from yMin
    ColourBar bar;
};
DensityHeat densityHeat(const app::DensitySnapshot& s, DensityView view);

// The world rectangle the image covers: the region grown by half a cell, so
// each node is the centre of its texel (y up: top() is yMin).
QRectF densityImageRect(const app::DensitySnapshot& s);

// Split view only: a line down the region's centre and "model" / "data"
// labels under the caption's row, in the scene's pixel mapping.
void paintDensitySplit(QPainter& p, const app::DensitySnapshot& s, const QRectF& world, QSizeF size, double scale);

} // namespace ss::view
