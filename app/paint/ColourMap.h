#pragma once
// Colour maps for the heat maps and the colour bar: perceptually ordered
// (a viridis-like ramp for densities, a white-to-red ramp for errors, a
// blue-white-red one for signed differences centred on 0.5), sampled by value
// in [0, 1]. Values outside are clamped. Density and Nats share the ramp: the
// density map's values are sqrt(p / p_max), the log-density map's linear in nats.
#include <QColor>
#include <QImage>

#include <Eigen/Core>

namespace ss::view {

enum class ColourMapKind { Density, Error, Nats, Diverging };

QColor colourAt(ColourMapKind kind, double value);

// values (rows = y from the bottom, cols = x) mapped to an RGBA image whose
// first line is the top of the picture (QImage's convention), alpha rising with
// the value so low regions stay see-through (Diverging: with the distance from
// the middle, so no difference is see-through). values are normalised to [0, 1]
// by the caller.
QImage colourImage(ColourMapKind kind, const Eigen::ArrayXXf& values);

} // namespace ss::view
