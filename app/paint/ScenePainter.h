#pragma once
// The scene drawn with QPainter: the same layers, colours and overlay as the
// GL view (view/SceneView), for stills (PNG at any size; SVG and PDF with points,
// arrows and trails as vector shapes and heat maps as embedded images), video
// frames, and the view's own overlay. Pure drawing from immutable snapshots:
// safe on any thread that owns the painter.
#include "paint/SceneColours.h"
#include "state/DensityLayer.h"
#include "state/FieldCompute.h"
#include "state/LayerSettings.h"
#include "state/SamplingSetup.h"

#include <QPainter>
#include <QRectF>
#include <QString>

#include <memory>
#include <vector>

namespace ss::view {

// One picture of the scene: what is drawn, where the view looks, the texts.
struct ScenePicture {
    std::shared_ptr<const Dataset> data;
    app::ParticlesPtr particles;
    app::FieldPtr field;
    app::DensityPtr modelDensity; // the model-density layer's newest level (drawn while its layer is shown)
    LayerSettings layers;
    QRectF world;          // the visible world rectangle (y up: top() is the smallest y)
    QString caption;       // top left
    QString corner;        // bottom right (frame counter, or step and level in exports)
    double scale = 1.0;    // text, point and line sizes (1: the screen's; presentation mode's font scale)
    PaletteKind palette = PaletteKind::Standard; // the layers' and the legend's colours
};

// The whole scene into a size x size-pixel painter (white background first),
// with paintBanner's message when the particles' run diverged.
void paintScene(QPainter& p, const ScenePicture& s, QSizeF size);
// The overlay only: grid, axes, caption, legend, colour bar, corner text.
void paintOverlay(QPainter& p, const ScenePicture& s, QSizeF size);

// A message over the scene (SceneView::showBanner), large enough to read from
// the back of a room: bold text of about a 22nd of the picture's height,
// wrapped in a box across the lower middle, red for errors, dark otherwise.
// Nothing when text is empty.
void paintBanner(QPainter& p, const QString& text, bool error, QSizeF size, double scale = 1.0);

// Shared with the GL layers, so both draw the same thing:
// the heat map shown (the error map when its layer is on and computed, else the
// density), as values in [0, 1] (sqrt of p / p_max for densities, so low
// densities stay visible); empty when no heat map is shown.
struct HeatValues {
    bool error = false;
    double max = 0;
    Eigen::ArrayXXf values; // rows = y from yMin, cols = x
};
HeatValues heatValues(const app::FieldSnapshot& f, const LayerSettings& layers);
// Whether the model-density layer's map replaces the field's heat map (its
// layer is shown and a level has arrived).
bool showsModelDensity(const ScenePicture& s);
// Arrow vectors for a score field: direction of s, length growing with |s| up
// to 90% of a grid cell (saturating at the 95th percentile of |s|).
Eigen::Matrix2Xd fieldArrows(const Eigen::Matrix2Xd& s, double cell);
// Trail segments as (x, y, alpha) vertex pairs: one per particle per step for
// the first maxParticles particles, alpha fading with age and with the jump's
// length (jumps over longJump world units vanish: high-noise steps would cover
// the scene in lines).
std::vector<float> trailVertices(const std::deque<Eigen::Matrix2Xd>& trail, int maxParticles, double longJump);
constexpr int kMaxTrailedParticles = 2500; // exchangeable particles: a few thousand show the flow

} // namespace ss::view
