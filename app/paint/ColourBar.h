#pragma once
// The heat map's colour bar: the ramp, 3-6 tick labels with the values each
// colour means, and a title with the quantity and its units. The bar runs
// linearly in the value from 0 (bottom) to the map's maximum (top): for the
// density, whose map shows sqrt(p / p_max) (heatValues), the colour at height
// v is colourAt(sqrt(v)), so a tick at height v is labelled with p = v p_max;
// for the error map the colour at v is colourAt(v), the value v err_max.
#include "paint/ColourMap.h"
#include "state/FieldCompute.h"
#include "state/LayerSettings.h"

#include <QPainter>
#include <QRectF>
#include <QString>

#include <optional>
#include <vector>

namespace ss::view {

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about
// targetCount steps over span (the axes and the colour bar).
double niceStep(double span, int targetCount);

struct ColourBarTick {
    double fraction; // of the bar's height, from the bottom
    double value;
    QString text;
};
// Ticks at multiples of a nice step from 0 up to max (3 to 6 of them for
// max > 0; only "0" otherwise).
std::vector<ColourBarTick> colourBarTicks(double max);
// Ticks at multiples of a nice step in [min, max] (3 to 6 of them), for the
// log-density bars in nats and the signed difference's.
std::vector<ColourBarTick> colourBarTicks(double min, double max);

struct ColourBar {
    ColourMapKind kind = ColourMapKind::Density;
    double min = 0;     // the value at the bottom (Nats and Diverging bars; the others start at 0)
    double max = 0;     // the value at the top
    QString title;      // the quantity and its units ("\n" starts another line, upwards of the bar)
};
// The bar of the heat map shown (the same choice as heatValues); none when no
// heat map shows.
std::optional<ColourBar> colourBarOf(const app::FieldSnapshot& f, const LayerSettings& layers);

// The ramp into bar (device-independent pixels), its ticks labelled on the
// left, the title above it ending at bar's right edge. scale as ScenePicture's;
// the painter's font is used for the labels.
void paintColourBar(QPainter& p, const ColourBar& bar, const QRectF& rect, double scale);

} // namespace ss::view
